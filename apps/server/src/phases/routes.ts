import { Router } from 'express';
import { routes } from '@autopack/contracts';
import type { AppServices } from '../app-context';
import { actorOf } from '../auth/actor';
import { mount, mountOptions } from '../http/mount';
import type { Principal } from '../http/request-context';
import { recordIssue } from './issue-service';
import { changePhaseState, reportedStatus, retryPhase, skipPhase, type Fence } from '../kernel';
import { recordAuditorResult, recordBuilderResult, type Target } from './result-service';
import { recordRunUsage } from './usage-service';

type Caller = { fence: Fence; principal?: Principal | undefined };

export function phaseRoutes(services: AppServices): Router {
  const router = Router();
  const { clock } = services;
  const opts = mountOptions(services);

  const target = (params: { run_id: string; phase_id: string }, ctx: Caller): Target => ({
    runId: params.run_id,
    phaseId: params.phase_id,
    actor: actorOf(ctx),
    fence: ctx.fence,
  });

  mount(router, 'updatePhaseStatus', routes.updatePhaseStatus, async ({ params, body }, ctx) => {
    const reported = reportedStatus(body);
    const result = await ctx.once(async (db) => ({
      status: 200,
      body: await changePhaseState(db, clock, {
        ...target(params, ctx),
        to: body.state,
        ...(body.failure_reason ? { failureReason: body.failure_reason } : {}),
        ...(body.message ? { message: body.message } : {}),
        ...(body.newly_failing ? { newlyFailing: body.newly_failing } : {}),
        ...(body.base_commit ? { baseCommit: body.base_commit } : {}),
        ...(reported ? { reported } : {}),
      }),
    }));
    ctx.log.info('phase state changed', { run_id: params.run_id, phase_id: params.phase_id, state: body.state });
    return result;
  }, opts);

  mount(router, 'recordBuilderResult', routes.recordBuilderResult, async ({ params, body }, ctx) =>
    ctx.once(async (db) => ({ status: 201, body: await recordBuilderResult(db, clock, target(params, ctx), body) })), opts);

  mount(router, 'recordAuditorResult', routes.recordAuditorResult, async ({ params, body }, ctx) =>
    ctx.once(async (db) => ({ status: 201, body: await recordAuditorResult(db, clock, target(params, ctx), body) })), opts);

  mount(router, 'recordIssue', routes.recordIssue, async ({ params, body }, ctx) =>
    ctx.once(async (db) => {
      const result = await recordIssue(db, clock, target(params, ctx), body);
      return { status: result.created ? 201 : 200, body: result };
    }), opts);

  mount(router, 'recordUsage', routes.recordUsage, async ({ params, body }, ctx) =>
    ctx.once(async (db) => ({
      status: 201,
      body: await recordRunUsage(db, clock, { runId: params.run_id, actor: actorOf(ctx), fence: ctx.fence }, body),
    })), opts);

  const operatorAction = (params: { run_id: string; phase_id: string }, reason: string | undefined, ctx: Caller) => ({
    runId: params.run_id,
    phaseId: params.phase_id,
    actor: actorOf(ctx),
    ...(reason ? { reason } : {}),
  });

  mount(router, 'retryPhase', routes.retryPhase, async ({ params, body }, ctx) =>
    ctx.once(async (db) => ({ status: 200, body: await retryPhase(db, clock, operatorAction(params, body.reason, ctx)) })), opts);

  mount(router, 'skipPhase', routes.skipPhase, async ({ params, body }, ctx) =>
    ctx.once(async (db) => ({ status: 200, body: await skipPhase(db, clock, operatorAction(params, body.reason, ctx)) })), opts);

  return router;
}
