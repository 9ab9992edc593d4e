import type { UsageRequest, UsageResponse } from '@autopack/contracts';
import { recordUsage, transaction, type Db } from '@autopack/db';
import type { Clock } from '../clock';
import { validationError } from '../http/app-error';
import type { Fence } from './lease-fence';
import { enforceBudget, lockPhaseForWrite, lockRunPhases } from './phase-lifecycle';

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
  return transaction(db, async (trx) => {
    const now = clock.now();
    let locked;
    if (body.phase_id !== undefined) {
      const { phase: _phase, fenced: _fenced, ...rest } = await lockPhaseForWrite(
        trx,
        now,
        { runId: target.runId, phaseId: body.phase_id },
        target.fence,
        { allowCancelled: true },
      );
      locked = rest;
    } else if (target.fence.token === undefined && (target.fence.role === 'operator' || target.fence.role === 'admin')) {
      locked = await lockRunPhases(trx, target.runId);
    } else {
      throw validationError([
        { path: 'body.phase_id', message: 'required unless an operator or admin writes without a lease: usage is fenced by its phase' },
      ]);
    }
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
