import { Router } from 'express';
import { routes } from '@autopack/contracts';
import type { AppServices } from '../app-context';
import { actorOf } from '../auth/actor';
import { mount, mountOptions } from '../http/mount';
import { executionStatus, setExecutionPaused } from './execution-pause';

export function adminRoutes(services: AppServices): Router {
  const router = Router();
  const { clock } = services;
  const opts = mountOptions(services);

  mount(router, 'pauseExecution', routes.pauseExecution, async ({ body }, ctx) => {
    const result = await ctx.once(async (db) => ({ status: 200, body: await setExecutionPaused(db, clock, true, actorOf(ctx), body.reason) }));
    ctx.log.warn('execution paused: no new claims', { by: actorOf(ctx) });
    return result;
  }, opts);

  mount(router, 'resumeExecution', routes.resumeExecution, async ({ body }, ctx) => {
    const result = await ctx.once(async (db) => ({ status: 200, body: await setExecutionPaused(db, clock, false, actorOf(ctx), body.reason) }));
    ctx.log.info('execution resumed', { by: actorOf(ctx) });
    return result;
  }, opts);

  mount(router, 'getExecutionStatus', routes.getExecutionStatus, async () => ({
    status: 200,
    body: await executionStatus(services.database.db),
  }), opts);

  return router;
}
