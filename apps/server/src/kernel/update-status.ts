import type { FailureReason, PhaseState, UpdatePhaseStatusResponse, UpdateStatusResponse } from '@autopack/contracts';
import { updateRun, type Db, type PhaseRow, type Trx } from '@autopack/db';
import type { Clock } from '../clock';
import { AppError, conflict } from '../http/app-error';
import { recordEvent } from './events';
import { fencePhase, type Fence, type FenceOutcome } from './fencing';
import { withLockedRun, type LockedRun } from './locked-run';
import { retryLocked } from './operator-actions';
import { qualityPayload, recordReportedTokens, reportedAnswer, statusLine, type ReportedStatus } from './predecessor-status';
import { enforceBudget } from './run-endings';
import { answer, changeLocked, refreshTiers } from './transitions';

/* `update_status` (SPEC §4.1, §4.3): any legal transition, with the rules of who may ask for what. */

export interface PhaseChange {
  runId: string;
  phaseId: string;
  to: PhaseState;
  failureReason?: FailureReason;
  message?: string;
  /** What the run's base_ref resolved to, pinned on the run by its first report. */
  baseCommit?: string;
  /** The predecessor's PhaseStatusUpdate fields, when the body carried any. */
  reported?: ReportedStatus;
  /** With FAILED: the tests this attempt broke, for the next attempt's feedback. */
  newlyFailing?: readonly string[];
  actor: string;
  fence: Fence;
}

/**
 * `update_status`: any legal transition, fenced by the writer's lease. An operator without a lease
 * is recorded as such, and the lease holder (if any) is told to stop.
 */
export async function changePhaseState(db: Db, clock: Clock, change: PhaseChange): Promise<UpdatePhaseStatusResponse> {
  return withLockedRun(db, change.runId, async (trx, locked) => {
    const now = clock.now();
    const { phase, fenced } = await fencePhase(trx, now, locked, change.phaseId, change.fence);
    const failureReason = failureReasonOf(change, fenced);
    refuseServerOwned(phase, { ...change, ...(failureReason ? { failureReason } : {}) }, fenced);
    if (change.baseCommit) await pinBaseCommit(trx, now, locked, change.baseCommit, change.actor);
    // A predecessor's token report counts before the change it comes with: a run it takes to its
    // token_cap ends there (SPEC §4.6), whatever state was asked for, and the answer says so.
    const tokensRecorded = change.reported ? await recordReportedTokens(trx, now, phase, change.reported) : 0;
    if (tokensRecorded > 0 && (await enforceBudget(trx, now, locked, change.actor))) {
      const ended = answer(locked, phase, await refreshTiers(trx, now, locked, change.actor));
      const message = `token budget exhausted: run ${ended.run.run_id} is ${ended.run.state}; ${change.to} was not applied`;
      return { ...ended, message, predecessor_fields: reportedAnswer(locked.phases, phase.phase_id, change.reported!, tokensRecorded) };
    }
    let changed: UpdateStatusResponse;
    if (phase.state === 'FAILED' && change.to === 'QUEUED') {
      // SPEC §4.1: FAILED → QUEUED is the operator's retry, with everything a retry checks and requeues.
      changed = await retryLocked(trx, now, locked, phase, { runId: change.runId, phaseId: change.phaseId, actor: change.actor, ...(change.message ? { reason: change.message } : {}) });
    } else {
      const quality = qualityPayload(change.reported);
      changed = await changeLocked(trx, now, locked, phase, {
        to: change.to,
        actor: change.actor,
        ...(failureReason ? { failureReason } : {}),
        ...(change.message ? { message: change.message } : {}),
        ...(change.newlyFailing ? { newlyFailing: change.newlyFailing } : {}),
        ...(fenced.byOperator ? { cancelLease: true } : {}),
        ...(fenced.byOperator || quality ? { payload: { ...(fenced.byOperator ? { operator_action: true } : {}), ...quality } } : {}),
      });
    }
    if (change.reported === undefined) return { ...changed, message: statusLine(changed) };
    return { ...changed, message: statusLine(changed), predecessor_fields: reportedAnswer(locked.phases, phase.phase_id, change.reported, tokensRecorded) };
  });
}

/**
 * FAILED needs a reason. The predecessor's clients send none; an operator or admin writing
 * without a lease is an operator's decision, so it gets `operator` (final: no automatic retry,
 * as a person chose to fail it). An executor must say what went wrong.
 */
function failureReasonOf(change: PhaseChange, fenced: FenceOutcome): FailureReason | undefined {
  if (change.to !== 'FAILED' || change.failureReason !== undefined) return change.failureReason;
  if (fenced.byOperator) return 'operator';
  throw new AppError('validation_failed', 400, 'failure_reason is required when an executor reports FAILED', [
    { path: 'body.failure_reason', message: 'required when state is FAILED (an operator or admin without a lease may omit it)' },
  ]);
}

/** Failure reasons only the server gives (governance rejection, reaper); `operator` only for operators. */
const SERVER_FAILURES: readonly FailureReason[] = ['policy_rejected', 'lease_expired'];

/** States an executor reaches through another route, or never: what it should do instead. */
const NOT_FOR_EXECUTORS: Partial<Record<PhaseState, string>> = {
  BLOCKED: 'an executor blocks a phase by filing POST /governance/requests or POST /approval/request, which also says what must be decided',
  CANCELLED: 'cancelling is an operator decision (it ends the phase for good, past retries and on_phase_failure); report FAILED with a failure_reason instead',
};

/**
 * What an executor may not do through `update_status`: end a phase in a way only a person may
 * (a bare BLOCKED would wait for a decision nobody was asked for; CANCELLED skips retries and the
 * run's failure policy), or claim the reasons the server gives. Operators working without a lease
 * keep the whole transition table (SPEC §4.3), incl. QUEUED → EXECUTING to work a phase by hand.
 */
function refuseServerOwned(phase: PhaseRow, change: PhaseChange, fenced: FenceOutcome): void {
  const instead = fenced.byOperator ? undefined : NOT_FOR_EXECUTORS[change.to];
  if (instead) {
    throw conflict('illegal_transition', `${phase.state} → ${change.to} for phase ${phase.phase_id}: ${instead}`, { from: phase.state, to: change.to });
  }
  const reason = change.failureReason;
  if (reason && (SERVER_FAILURES.includes(reason) || (reason === 'operator' && !fenced.byOperator))) {
    throw new AppError(
      'validation_failed',
      400,
      `failure_reason "${reason}" is set by the server${reason === 'operator' ? ' for operator actions' : ''}; report what went wrong in this attempt (e.g. builder_error, ci_fail, patch_apply_error)`,
      [{ path: 'failure_reason', message: `"${reason}" is reserved for the server` }],
    );
  }
}

/**
 * Every workspace of a run starts from one commit: the first report of what base_ref resolved to
 * is kept, the same one again is a no-op, and a different one is refused (that executor would
 * build on another tree than the phases before it).
 */
async function pinBaseCommit(trx: Trx, now: Date, locked: LockedRun, commit: string, actor: string): Promise<void> {
  const { run } = locked;
  if (run.base_commit === commit) return;
  if (run.base_commit !== null) {
    throw conflict(
      'base_commit_mismatch',
      `run ${run.run_id} is pinned to base commit ${run.base_commit}; this workspace was built on ${commit} (rebuild it from the pinned commit)`,
      { pinned: run.base_commit, reported: commit },
    );
  }
  locked.run = await updateRun(trx, run.run_id, { base_commit: commit, updated_at: now });
  await recordEvent(trx, now, { run_id: run.run_id }, 'base_commit_pinned', actor, { base_commit: commit, base_ref: run.repo?.base_ref ?? 'HEAD' });
}
