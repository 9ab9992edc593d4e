import { Router } from 'express';
import { buildOpenApi, routes, type Health, type Readiness } from '@autopack/contracts';
import { executorActivity, schemaStatus, type ExecutorActivity } from '@autopack/db';
import type { AppServices } from '../app-context';
import { mount, mountOptions } from '../http/mount';
import { SERVER_VERSION } from '../version';

/** Claim requests long-poll for at most 30 s: a live, idle executor asks again well within this. */
const EXECUTOR_SEEN_WINDOW_MS = 90_000;

export function opsRoutes(services: AppServices): Router {
  const { database, config } = services;
  const router = Router();
  const opts = mountOptions(services);
  const openapi = buildOpenApi(SERVER_VERSION);

  mount(router, 'getHealth', routes.getHealth, async () => {
    const ping = await database.ping(config.healthDbTimeoutMs);
    const since = new Date(services.clock.now().getTime() - EXECUTOR_SEEN_WINDOW_MS);
    const activity: ExecutorActivity | undefined = ping.ok ? await executorActivity(database.db, since).catch(() => undefined) : undefined;
    const body: Health = {
      status: ping.ok ? 'healthy' : 'unhealthy',
      service: 'autopack',
      version: SERVER_VERSION,
      database: { ...ping, dialect: database.dialect },
      database_identity: database.identity,
      kill_switches: config.killSwitches,
      llm_providers: { configured: activity?.providers ?? [] },
      executors: { active: activity?.active ?? null, working: activity?.working ?? null },
      auth: {
        mode: ping.ok && (await services.guard.isOpen().catch(() => false)) ? 'open' : 'enforced',
        public_read: config.auth.publicRead,
        registration: config.auth.allowRegistration,
      },
    };
    return { status: ping.ok ? 200 : 503, body };
  }, opts);

  mount(router, 'getReady', routes.getReady, async () => {
    const ping = await database.ping(config.healthDbTimeoutMs);
    let migrations: Readiness['migrations'] = { applied: 0, pending: [] };
    let ready = ping.ok;
    if (ping.ok) {
      try {
        const status = await schemaStatus(database.db);
        migrations = { applied: status.applied.length, pending: status.pending };
        ready = status.pending.length === 0 && status.unknown.length === 0;
      } catch {
        ready = false;
      }
    }
    const body: Readiness = { ready, database: { ok: ping.ok }, migrations };
    return { status: ready ? 200 : 503, body };
  }, opts);

  mount(router, 'getOpenApi', routes.getOpenApi, async () => ({ status: 200, body: openapi }), opts);
  return router;
}
