import { Router } from 'express';
import { routes } from '@autopack/contracts';
import type { AppServices } from '../app-context';
import { actorOf } from '../auth/actor';
import { mount, mountOptions } from '../http/mount';
import { decideGovernance, decideRequest } from './approval-decisions';
import { fileApprovalRequest, fileGovernanceRequest } from './approval-filing';
import { getRequest, listApprovalPending, listGovernancePending } from './approval-reads';

export function governanceRoutes(services: AppServices): Router {
  const router = Router();
  const { clock, config } = services;
  const db = services.database.db;
  const opts = mountOptions(services);

  mount(router, 'createGovernanceRequest', routes.createGovernanceRequest, async ({ body }, ctx) => {
    const result = await ctx.once(async (trx) => ({
      status: 201,
      body: await fileGovernanceRequest(trx, clock, config, { actor: actorOf(ctx), fence: ctx.fence }, body),
    }));
    ctx.log.info('governance request filed', { run_id: body.run_id, phase_id: body.phase_id });
    return result;
  }, opts);

  mount(router, 'listGovernancePending', routes.listGovernancePending, async ({ query }) => ({
    status: 200,
    body: await listGovernancePending(db, query),
  }), opts);

  mount(router, 'decideGovernance', routes.decideGovernance, async ({ params, body }, ctx) => {
    const result = await ctx.once(async (trx) => ({
      status: 200,
      body: await decideGovernance(trx, clock, { requestId: params.request_id, ...body, actor: actorOf(ctx) }),
    }));
    ctx.log.info('governance request decided', { request_id: params.request_id, approved: body.approved, by: actorOf(ctx) });
    return result;
  }, opts);

  mount(router, 'createApprovalRequest', routes.createApprovalRequest, async ({ body }, ctx) => {
    const result = await ctx.once(async (trx) => ({
      status: 201,
      body: await fileApprovalRequest(trx, clock, config, { actor: actorOf(ctx), fence: ctx.fence }, body),
    }));
    ctx.log.info('approval requested', { run_id: body.run_id, phase_id: body.phase_id, kind: body.kind ?? `predecessor context ${body.context ?? 'unknown'}` });
    return result;
  }, opts);

  mount(router, 'getApprovalStatus', routes.getApprovalStatus, async ({ params }) => ({
    status: 200,
    body: await getRequest(db, params.request_id),
  }), opts);

  mount(router, 'listApprovalPending', routes.listApprovalPending, async ({ query }) => ({
    status: 200,
    body: await listApprovalPending(db, query),
  }), opts);

  mount(router, 'decideApproval', routes.decideApproval, async ({ params, body }, ctx) => {
    const result = await ctx.once(async (trx) => ({
      status: 200,
      body: await decideRequest(trx, clock, 'approval', { requestId: params.request_id, ...body, actor: actorOf(ctx) }),
    }));
    ctx.log.info('approval decided', { request_id: params.request_id, approved: body.approved, by: actorOf(ctx) });
    return result;
  }, opts);

  return router;
}
