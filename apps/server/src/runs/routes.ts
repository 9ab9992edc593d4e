import { Router } from 'express';
import { routes } from '@autopack/contracts';
import { findRun, listEvents, toRunEvent } from '@autopack/db';
import type { AppContext } from '../app-context';
import { notFound } from '../http/app-error';
import { mount } from '../http/mount';
import { actorOf } from '../auth/actor';
import { listRuns } from './run-listing';
import { getRunDetail, getRunProgress, startRun } from './run-service';

export function runRoutes({ database, clock, config }: AppContext): Router {
  const router = Router();
  const db = database.db;
  const opts = { validateResponses: config.validateResponses };

  mount(router, 'startRun', routes.startRun, async ({ body }, ctx) => {
    const detail = await startRun(db, clock, body, actorOf(ctx));
    ctx.log.info('run started', { run_id: detail.run.run_id, phases: detail.phases.length });
    return { status: 201, body: detail };
  }, opts);

  mount(router, 'listRuns', routes.listRuns, async ({ query }) => ({ status: 200, body: await listRuns(db, query) }), opts);

  mount(router, 'getRun', routes.getRun, async ({ params }) => ({
    status: 200,
    body: await getRunDetail(db, params.run_id),
  }), opts);

  mount(router, 'getRunProgress', routes.getRunProgress, async ({ params }) => ({
    status: 200,
    body: await getRunProgress(db, params.run_id),
  }), opts);

  mount(router, 'listRunEvents', routes.listRunEvents, async ({ params, query }) => {
    if (!(await findRun(db, params.run_id))) throw notFound('run_not_found', `no run ${params.run_id}`);
    const events = (await listEvents(db, params.run_id, query.after, query.limit)).map(toRunEvent);
    const last = events[events.length - 1];
    return { status: 200, body: { events, next_after: events.length === query.limit && last ? last.id : null } };
  }, opts);

  return router;
}
