import { readFile } from 'node:fs/promises';
import { Router } from 'express';
import { buildOpenApi, routes, type Health, type Readiness } from '@autopack/contracts';
import { executorActivity, schemaStatus, type ExecutorActivity } from '@autopack/db';
import type { AppServices } from '../app-context';
import { mount, mountOptions } from '../http/mount';
import { SERVER_VERSION } from '../version';

/**
 * /docs: Redoc's standalone bundle, served from node_modules by this server (no CDN). The page
 * holds no inline script: the bundle finds the <redoc> element and loads the document itself.
 */
const DOCS_PAGE = Buffer.from(
  '<!doctype html>\n<html lang="en">\n<head>\n<meta charset="utf-8">\n<meta name="viewport" content="width=device-width, initial-scale=1">\n' +
    '<title>Autopack API</title>\n</head>\n<body>\n<redoc spec-url="/openapi.json"></redoc>\n' +
    '<script src="/docs/redoc.standalone.js"></script>\n</body>\n</html>\n',
);
/**
 * The API's policy (default-src 'none') with exactly what the viewer needs, for this page only:
 * its own script; inline styles (styled-components writes <style> elements at run time); its
 * search index in a blob: worker; data: images; the document from this origin.
 */
const DOCS_CSP = [
  "default-src 'none'",
  "script-src 'self'",
  "style-src 'self' 'unsafe-inline'",
  "img-src 'self' data:",
  "font-src 'self' data:",
  "connect-src 'self'",
  'worker-src blob:',
  "base-uri 'none'",
  "form-action 'none'",
  "frame-ancestors 'none'",
].join('; ');

let redocScript: Promise<Buffer> | undefined;
const loadRedocScript = () => (redocScript ??= readFile(require.resolve('redoc/bundles/redoc.standalone.js')));

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

  mount(router, 'getApiDocs', routes.getApiDocs, async () => ({
    status: 200,
    raw: DOCS_PAGE,
    contentType: 'text/html; charset=utf-8',
    headers: { 'Content-Security-Policy': DOCS_CSP },
  }), opts);

  mount(router, 'getApiDocsScript', routes.getApiDocsScript, async () => ({
    status: 200,
    raw: await loadRedocScript(),
    contentType: 'text/javascript; charset=utf-8',
    headers: { 'Cache-Control': 'public, max-age=3600' },
  }), opts);
  return router;
}
