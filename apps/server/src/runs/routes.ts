import { Router } from 'express';
import { routes } from '@autopack/contracts';
import { listEvents, toRunEvent } from '@autopack/db';
import type { AppServices } from '../app-context';
import { actorOf } from '../auth/actor';
import { mount, mountOptions } from '../http/mount';
import { cancelRun } from '../kernel';
import { listRuns } from './run-listing';
import { getRunDetail, getRunProgress, importPlanFile, startRun } from './run-service';
import { existingRun } from './existing-run';

export function runRoutes(services: AppServices): Router {
  const router = Router();
  const { clock } = services;
  const db = services.database.db;
  const opts = mountOptions(services);

  mount(router, 'startRun', routes.startRun, async ({ body }, ctx) => {
    const result = await ctx.once(async (trx) => ({ status: 201, body: await startRun(trx, clock, body, actorOf(ctx)) }));
    ctx.log.info('run started', { run_id: body.run.run_id, phases: body.phases.length });
    return result;
  }, opts);

  mount(router, 'importRun', routes.importRun, async ({ body }, ctx) => {
    const result = await ctx.once(async (trx) => ({ status: 201, body: await importPlanFile(trx, clock, body, actorOf(ctx)) }));
    ctx.log.info('run imported', { run_id: body.run_id, phases: body.phases.length });
    return result;
  }, opts);

  mount(router, 'listRuns', routes.listRuns, async ({ query }) => ({ status: 200, body: await listRuns(db, query) }), opts);

  mount(router, 'getRun', routes.getRun, async ({ params }) => ({
    status: 200,
    body: await getRunDetail(db, params.run_id),
  }), opts);

  mount(router, 'getRunProgress', routes.getRunProgress, async ({ params }) => ({
    status: 200,
    body: await getRunProgress(db, clock, params.run_id),
  }), opts);

  mount(router, 'listRunEvents', routes.listRunEvents, async ({ params, query }) => {
    await existingRun(db, params.run_id);
    const events = (await listEvents(db, params.run_id, query.after, query.limit)).map(toRunEvent);
    const last = events[events.length - 1];
    return { status: 200, body: { events, next_after: events.length === query.limit && last ? last.id : null } };
  }, opts);

  mount(router, 'cancelRun', routes.cancelRun, async ({ params, body }, ctx) => {
    const result = await ctx.once(async (trx) => {
      await cancelRun(trx, clock, { runId: params.run_id, actor: actorOf(ctx), ...(body.reason ? { reason: body.reason } : {}) });
      return { status: 200, body: await getRunDetail(trx, params.run_id) };
    });
    ctx.log.info('run cancelled', { run_id: params.run_id });
    return result;
  }, opts);

  return router;
}
