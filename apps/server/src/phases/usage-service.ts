import type { UsageRequest, UsageResponse } from '@autopack/contracts';
import { recordUsage, type Db } from '@autopack/db';
import type { Clock } from '../clock';
import { validationError } from '../http/app-error';
import { enforceBudget, fencePhase, withLockedRun, type Fence } from '../kernel';

/**
 * `POST /runs/{run_id}/usage` (SPEC §4.5, §4.6): one LLM call, failed ones too. Fenced by the
 * phase's lease — including a lease a cancellation just ended, so spent tokens are never lost.
 * At token_cap the run ends DONE_FAILED_BUDGET_EXHAUSTED in the same transaction.
 */
export async function recordRunUsage(
  db: Db,
  clock: Clock,
  target: { runId: string; actor: string; fence: Fence },
  body: UsageRequest,
): Promise<UsageResponse> {
  const operatorWithoutLease = target.fence.token === undefined && (target.fence.role === 'operator' || target.fence.role === 'admin');
  if (body.phase_id === undefined && !operatorWithoutLease) {
    throw validationError([
      { path: 'body.phase_id', message: 'required unless an operator or admin writes without a lease: usage is fenced by its phase' },
    ]);
  }
  return withLockedRun(db, target.runId, async (trx, locked) => {
    const now = clock.now();
    if (body.phase_id !== undefined) await fencePhase(trx, now, locked, body.phase_id, target.fence, { allowCancelled: true });
    const total = body.total_tokens ?? body.prompt_tokens + body.completion_tokens;
    await recordUsage(
      trx,
      {
        run_id: target.runId,
        phase_id: body.phase_id ?? null,
        provider: body.provider,
        model: body.model,
        role: body.role,
        prompt_tokens: body.prompt_tokens,
        completion_tokens: body.completion_tokens,
        total_tokens: total,
        succeeded: body.succeeded,
      },
      now,
    );
    const exhausted = await enforceBudget(trx, now, locked, target.actor);
    return {
      run_id: target.runId,
      phase_id: body.phase_id ?? null,
      total_tokens: total,
      run_tokens_used: Number(locked.run.tokens_used),
      token_cap: Number(locked.run.token_cap),
      budget_exhausted: exhausted,
      run_state: locked.run.state,
    };
  });
}
