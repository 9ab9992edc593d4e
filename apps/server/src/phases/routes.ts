import { Router } from 'express';
import { routes } from '@autopack/contracts';
import type { AppContext } from '../app-context';
import { actorOf } from '../auth/actor';
import { mount } from '../http/mount';
import { recordIssue } from './issue-service';
import { changePhaseState } from './phase-lifecycle';
import { recordAuditorResult, recordBuilderResult } from './result-service';

export function phaseRoutes({ database, clock, config }: AppContext): Router {
  const router = Router();
  const db = database.db;
  const opts = { validateResponses: config.validateResponses };

  mount(router, 'updatePhaseStatus', routes.updatePhaseStatus, async ({ params, body }, ctx) => {
    const result = await changePhaseState(db, clock, {
      runId: params.run_id,
      phaseId: params.phase_id,
      to: body.state,
      ...(body.failure_reason ? { failureReason: body.failure_reason } : {}),
      ...(body.message ? { message: body.message } : {}),
      actor: actorOf(ctx),
    });
    ctx.log.info('phase state changed', {
      run_id: params.run_id,
      phase_id: params.phase_id,
      state: result.phase.state,
      run_state: result.run.state,
    });
    return { status: 200, body: result };
  }, opts);

  const target = (params: { run_id: string; phase_id: string }, actor: string) => ({
    runId: params.run_id,
    phaseId: params.phase_id,
    actor,
  });

  mount(router, 'recordBuilderResult', routes.recordBuilderResult, async ({ params, body }, ctx) => ({
    status: 201,
    body: await recordBuilderResult(db, clock, target(params, actorOf(ctx)), body),
  }), opts);

  mount(router, 'recordAuditorResult', routes.recordAuditorResult, async ({ params, body }, ctx) => ({
    status: 201,
    body: await recordAuditorResult(db, clock, target(params, actorOf(ctx)), body),
  }), opts);

  mount(router, 'recordIssue', routes.recordIssue, async ({ params, body }, ctx) => {
    const result = await recordIssue(db, clock, target(params, actorOf(ctx)), body);
    return { status: result.created ? 201 : 200, body: result };
  }, opts);

  return router;
}
