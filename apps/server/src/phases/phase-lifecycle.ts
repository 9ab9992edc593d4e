import { randomUUID } from 'node:crypto';
import {
  ACTIVE_PHASE_STATES,
  PHASE_TRANSITIONS,
  RETRY_REQUEUE,
  RUN_TRANSITIONS,
  canRunTransition,
  canTransition,
  isRunFinished,
  type AttemptOutcome,
  type FailureReason,
  type PhaseState,
  type RunEventType,
  type RunState,
  type TierState,
  type UpdatePhaseStatusResponse,
  type UpdateStatusResponse,
} from '@autopack/contracts';
import {
  announceWork,
  appendEvent,
  cancelPendingApprovals,
  endAttempt,
  endLiveLease,
  extendLease,
  findLease,
  findRun,
  insertLease,
  listPhases,
  listTiers,
  startAttempt,
  toPhase,
  transaction,
  updatePhase,
  updateRun,
  updateTierState,
  type Db,
  type LeaseEndReason,
  type LeaseRow,
  type PhaseRow,
  type PhaseUpdate,
  type RunRow,
  type Trx,
} from '@autopack/db';
import type { Clock } from '../clock';
import { AppError, conflict, notFound } from '../http/app-error';
import { deriveTierState, finalRunVerdict } from './derive-states';
import { checkFence, newLeaseToken, tokenMatches, type Fence, type FenceOutcome } from './lease-fence';
import { qualityPayload, recordReportedTokens, reportedAnswer, statusLine, type ReportedStatus } from './predecessor-status';

/*
 * The only code that changes the state of a phase, and through it of tiers and runs (SPEC §4.1,
 * §4.3, §4.6, §4.7). Every entry point locks the run row first, then changes phases, attempts,
 * leases, tiers and the run, and writes one event per change, in one transaction.
 */

/** A run locked for writing, with its phases in execution order (kept current as they change). */
export interface LockedRun {
  run: RunRow;
  phases: PhaseRow[];
}

/** Locks the run row first: all writers of a run queue here, so they never interleave. */
export async function lockRunPhases(trx: Trx, runId: string): Promise<LockedRun> {
  const run = await findRun(trx, runId, { lock: true });
  if (!run) throw notFound('run_not_found', `no run ${runId}`);
  return { run, phases: await listPhases(trx, runId) };
}

/** Locks the run, finds the phase and checks the writer's lease (SPEC §4.3) before anything is written. */
export async function lockPhaseForWrite(
  trx: Trx,
  now: Date,
  target: { runId: string; phaseId: string },
  fence: Fence,
  opts: { allowCancelled?: boolean } = {},
): Promise<LockedRun & { phase: PhaseRow; fenced: FenceOutcome }> {
  const locked = await lockRunPhases(trx, target.runId);
  const phase = findPhaseIn(locked, target.phaseId);
  const fenced = await checkFence(trx, now, phase, fence, opts);
  return { ...locked, phase, fenced };
}

function findPhaseIn(locked: LockedRun, phaseId: string): PhaseRow {
  const phase = locked.phases.find((p) => p.phase_id === phaseId);
  if (!phase) throw notFound('phase_not_found', `run ${locked.run.run_id} has no phase ${phaseId}`);
  return phase;
}

/** Failures a new attempt cannot fix: they are final at once (SPEC §4.6 retries the others). */
const FINAL_FAILURES: readonly FailureReason[] = ['policy_rejected', 'budget', 'operator'];

interface Transition {
  to: PhaseState;
  actor: string;
  failureReason?: FailureReason;
  message?: string;
  newlyFailing?: readonly string[];
  /** How the attempt ends when the phase leaves an active state (default: from the new state). */
  outcome?: Exclude<AttemptOutcome, 'running'>;
  /** Tell the lease holder to stop (heartbeat answers cancel_requested). */
  cancelLease?: boolean;
  /** A server-side ending (budget, time, cancel): no retry, no skipping of later phases. */
  finalizing?: boolean;
  /** An operator retry queuing again a phase the "stop" policy skipped (contracts' RETRY_REQUEUE). */
  requeueSkipped?: boolean;
  /** Extra fields of the phase_state_changed event. */
  payload?: Record<string, unknown>;
}

const OUTCOME_OF: Partial<Record<PhaseState, Exclude<AttemptOutcome, 'running'>>> = {
  COMPLETE: 'complete',
  FAILED: 'failed',
  QUEUED: 'requeued',
  CANCELLED: 'cancelled',
  BLOCKED: 'blocked',
};

const isActive = (s: PhaseState) => ACTIVE_PHASE_STATES.includes(s);

function illegal(phase: PhaseRow, to: PhaseState) {
  const from = phase.state;
  const allowed = PHASE_TRANSITIONS[from];
  return conflict(
    'illegal_transition',
    `illegal transition ${from} → ${to} for phase ${phase.phase_id}; from ${from} the allowed states are: ${allowed.length ? allowed.join(', ') : 'none (final state)'}`,
    { from, to, allowed },
  );
}

/**
 * One phase change and what follows from it for the phase itself: the retry rule (a failed attempt
 * with attempts left goes back to QUEUED, its feedback kept on the attempt), the attempt record,
 * the lease, pending approvals, "stop" skipping, the event, and the work announcement.
 * Tiers and the run are settled by the caller (`settle`).
 */
async function transition(trx: Trx, now: Date, locked: LockedRun, phase: PhaseRow, t: Transition): Promise<PhaseRow> {
  const { run } = locked;
  const from = phase.state;
  const requeue = t.requeueSkipped === true && from === RETRY_REQUEUE.from && t.to === RETRY_REQUEUE.to;
  if (!canTransition(from, t.to) && !requeue) throw illegal(phase, t.to);
  if (RUN_TRANSITIONS[run.state].length === 0) {
    throw conflict('run_finished', `run ${run.run_id} is ${run.state}; its phases can no longer change`, { run_state: run.state });
  }
  const retry =
    t.to === 'FAILED' &&
    isActive(from) &&
    !t.finalizing &&
    !FINAL_FAILURES.includes(t.failureReason!) &&
    phase.attempt < phase.max_attempts;
  const to: PhaseState = retry ? 'QUEUED' : t.to;
  if (isActive(to) && !isActive(from)) {
    const busy = locked.phases.find((p) => p.phase_id !== phase.phase_id && isActive(p.state));
    if (busy) {
      throw conflict(
        'phase_active',
        `phase ${busy.phase_id} of run ${run.run_id} is ${busy.state}; phases of one run execute one at a time`,
        { active_phase_id: busy.phase_id, state: busy.state },
      );
    }
  }

  const patch: PhaseUpdate = { state: to, updated_at: now };
  let attempt = phase.attempt;
  if (from === 'QUEUED' && to === 'EXECUTING') {
    attempt += 1;
    patch.attempt = attempt;
    patch.started_at = phase.started_at ?? now;
    await startAttempt(trx, run.run_id, phase.phase_id, attempt, now);
  } else if (isActive(from) && !isActive(to)) {
    const outcome = retry ? 'failed' : (t.outcome ?? OUTCOME_OF[to]!);
    await endAttempt(trx, run.run_id, phase.phase_id, attempt, outcome, t.failureReason ?? null, now, t.message ?? null, t.newlyFailing ?? null);
    const leaseEnd: LeaseEndReason = outcome;
    await endLiveLease(trx, phase, leaseEnd, now, t.cancelLease ?? false);
  }
  if (from === 'BLOCKED') {
    await cancelPendingApprovals(trx, phase, t.actor, `the phase left BLOCKED (→ ${to})`, now);
  }
  patch.failure_reason = to === 'FAILED' ? (t.failureReason ?? null) : null;
  patch.completed_at = ['COMPLETE', 'FAILED', 'SKIPPED', 'CANCELLED'].includes(to) ? now : null;
  const updated = await updatePhase(trx, run.run_id, phase.phase_id, patch);
  replace(locked.phases, updated);
  if (to === 'CI_RUNNING') {
    locked.run = await updateRun(trx, run.run_id, { ci_runs_used: locked.run.ci_runs_used + 1, updated_at: now });
  }
  await appendEvent(trx, {
    run_id: run.run_id,
    tier_id: phase.tier_id,
    phase_id: phase.phase_id,
    type: 'phase_state_changed',
    actor: t.actor,
    payload: {
      from,
      to,
      attempt,
      ...(retry ? { requested: 'FAILED', retry: true, attempts_left: phase.max_attempts - attempt } : {}),
      ...(t.failureReason ? { failure_reason: t.failureReason } : {}),
      ...(t.message ? { message: t.message } : {}),
      ...t.payload,
    },
    created_at: now,
  });
  if (to === 'FAILED' && !t.finalizing && run.on_phase_failure === 'stop') {
    await skipLaterPhases(trx, now, locked, updated, t.actor);
  }
  // Any change may make a phase claimable (this one requeued, or the next one of the run).
  await announceWork(trx);
  return updated;
}

const stopSkipReason = (failedPhaseId: string) => `skipped: phase ${failedPhaseId} failed and on_phase_failure is "stop"`;

/** on_phase_failure "stop": every QUEUED phase after the failed one is SKIPPED, with the reason. */
async function skipLaterPhases(trx: Trx, now: Date, locked: LockedRun, failed: PhaseRow, actor: string) {
  const later = locked.phases.filter(
    (p) =>
      p.state === 'QUEUED' &&
      (p.tier_index > failed.tier_index || (p.tier_index === failed.tier_index && p.phase_index > failed.phase_index)),
  );
  const reason = stopSkipReason(failed.phase_id);
  for (const p of later) {
    replace(
      locked.phases,
      await updatePhase(trx, p.run_id, p.phase_id, { state: 'SKIPPED', failure_reason: reason, updated_at: now, completed_at: now }),
    );
    await appendEvent(trx, {
      run_id: p.run_id,
      tier_id: p.tier_id,
      phase_id: p.phase_id,
      type: 'phase_state_changed',
      actor,
      payload: { from: 'QUEUED', to: 'SKIPPED', attempt: p.attempt, reason },
      created_at: now,
    });
  }
}

/** Derives every tier from its phases and writes the ones that changed, with events. */
async function refreshTiers(trx: Trx, now: Date, locked: LockedRun, actor: string): Promise<Map<string, TierState>> {
  const states = new Map<string, TierState>();
  for (const tier of await listTiers(trx, locked.run.run_id)) {
    const next = deriveTierState(locked.phases.filter((p) => p.tier_id === tier.tier_id).map((p) => p.state));
    states.set(tier.tier_id, next);
    if (next === tier.state) continue;
    await updateTierState(trx, locked.run.run_id, tier.tier_id, next, now);
    await appendEvent(trx, {
      run_id: locked.run.run_id,
      tier_id: tier.tier_id,
      type: 'tier_state_changed',
      actor,
      payload: { from: tier.state, to: next },
      created_at: now,
    });
  }
  return states;
}

async function moveRun(trx: Trx, now: Date, locked: LockedRun, to: RunState, failureReason: string | null, actor: string) {
  const current = locked.run;
  if (!canRunTransition(current.state, to)) {
    throw new Error(`run state machine broken: ${current.state} → ${to} for run ${current.run_id}`);
  }
  const finished = isRunFinished(to);
  locked.run = await updateRun(trx, current.run_id, {
    state: to,
    failure_reason: failureReason,
    updated_at: now,
    completed_at: finished ? now : null,
    ...(to === 'PHASE_EXECUTION' && !current.started_at ? { started_at: now } : {}),
  });
  await appendEvent(trx, {
    run_id: current.run_id,
    type: 'run_state_changed',
    actor,
    payload: { from: current.state, to, ...(failureReason ? { failure_reason: failureReason } : {}) },
    created_at: now,
  });
}

/**
 * After phase changes: tiers follow their phases; the run starts on its first real work, reopens
 * when an operator retries a phase of a DONE_FAILED_* run, and is finalised exactly once when no
 * phase can run any more (SPEC §4.6).
 */
async function settle(trx: Trx, now: Date, locked: LockedRun, actor: string, working: boolean) {
  const tiers = await refreshTiers(trx, now, locked, actor);
  if (working && (locked.run.state === 'RUN_CREATED' || isRunFinished(locked.run.state))) {
    await moveRun(trx, now, locked, 'PHASE_EXECUTION', null, actor);
  }
  const verdict = isRunFinished(locked.run.state) ? null : finalRunVerdict(locked.phases);
  if (verdict) await moveRun(trx, now, locked, verdict.state, verdict.failure_reason, actor);
  return tiers;
}

function answer(locked: LockedRun, phase: PhaseRow, tiers: Map<string, TierState>): UpdateStatusResponse {
  const updated = locked.phases.find((p) => p.phase_id === phase.phase_id)!;
  const { run } = locked;
  return {
    phase: toPhase(updated),
    tier: { tier_id: updated.tier_id, state: tiers.get(updated.tier_id)! },
    run: {
      run_id: run.run_id,
      state: run.state,
      failure_reason: run.failure_reason,
      completed_at: run.completed_at ? run.completed_at.toISOString() : null,
    },
  };
}

/** One change and its consequences, on a run the caller has locked. */
async function changeLocked(trx: Trx, now: Date, locked: LockedRun, phase: PhaseRow, t: Transition): Promise<UpdateStatusResponse> {
  const updated = await transition(trx, now, locked, phase, t);
  const tiers = await settle(trx, now, locked, t.actor, updated.state !== 'SKIPPED' && updated.state !== 'CANCELLED');
  return answer(locked, updated, tiers);
}

export interface PhaseChange {
  runId: string;
  phaseId: string;
  to: PhaseState;
  failureReason?: FailureReason;
  message?: string;
  /** Tests the attempt broke (update_status `newly_failing`), kept on the attempt. */
  newlyFailing?: readonly string[];
  /** What the run's base_ref resolved to, pinned on the run by its first report. */
  baseCommit?: string;
  /** The predecessor's PhaseStatusUpdate fields, when the body carried any. */
  reported?: ReportedStatus;
  actor: string;
  fence: Fence;
}


/**
 * `update_status`: any legal transition, fenced by the writer's lease. An operator without a lease
 * is recorded as such, and the lease holder (if any) is told to stop.
 */
export async function changePhaseState(db: Db, clock: Clock, change: PhaseChange): Promise<UpdatePhaseStatusResponse> {
  return transaction(db, async (trx) => {
    const now = clock.now();
    const { phase, fenced, ...locked } = await lockPhaseForWrite(trx, now, change, change.fence);
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
  await appendEvent(trx, { run_id: run.run_id, type: 'base_commit_pinned', actor, payload: { base_commit: commit, base_ref: run.repo?.base_ref ?? 'HEAD' }, created_at: now });
}

export interface OperatorAction {
  runId: string;
  phaseId: string;
  actor: string;
  reason?: string;
}

/**
 * `POST …/retry`: a FAILED phase gets one more attempt and a DONE_FAILED_* run reopens (SPEC §4.6);
 * the phases its failure skipped under on_phase_failure "stop" are queued again behind it.
 */
export async function retryPhase(db: Db, clock: Clock, action: OperatorAction): Promise<UpdateStatusResponse> {
  return transaction(db, async (trx) => {
    const now = clock.now();
    const locked = await lockRunPhases(trx, action.runId);
    const phase = expectState(findPhaseIn(locked, action.phaseId), 'FAILED', 'QUEUED', 'retry');
    return retryLocked(trx, now, locked, phase, action);
  });
}

/** A retry on a run the caller has locked; refusals throw before anything is written. */
async function retryLocked(trx: Trx, now: Date, locked: LockedRun, phase: PhaseRow, action: OperatorAction): Promise<UpdateStatusResponse> {
  const { run } = locked;
  if (Number(run.tokens_used) >= Number(run.token_cap)) {
    throw conflict(
      'budget_exhausted',
      `run ${run.run_id} has used ${Number(run.tokens_used)} of its ${Number(run.token_cap)} tokens; a retry could not be claimed (start a new run with a higher token_cap)`,
      { tokens_used: Number(run.tokens_used), token_cap: Number(run.token_cap) },
    );
  }
  // The deadline counts from the first claim, so the reaper would end a reopened run again at once.
  if (run.started_at && run.started_at.getTime() + run.max_duration_minutes * 60_000 <= now.getTime()) {
    throw conflict(
      'run_timed_out',
      `run ${run.run_id} is past its max_duration_minutes (${run.max_duration_minutes}, counted from ${run.started_at.toISOString()}); a retry would be timed out again (start a new run)`,
      { max_duration_minutes: run.max_duration_minutes, started_at: run.started_at.toISOString() },
    );
  }
  const updated = await transition(trx, now, locked, phase, {
    to: 'QUEUED',
    actor: action.actor,
    ...(action.reason ? { message: action.reason } : {}),
    payload: { operator_action: 'retry' },
  });
  const skipped = locked.phases.filter((p) => p.state === 'SKIPPED' && p.failure_reason === stopSkipReason(phase.phase_id));
  for (const p of skipped) {
    await transition(trx, now, locked, p, {
      to: 'QUEUED',
      actor: action.actor,
      requeueSkipped: true,
      message: `queued again: phase ${phase.phase_id} is retried`,
      payload: { operator_action: 'retry', retried_phase_id: phase.phase_id },
    });
  }
  const tiers = await settle(trx, now, locked, action.actor, true);
  return answer(locked, updated, tiers);
}

/** `POST …/skip`: a QUEUED phase will not run. */
export async function skipPhase(db: Db, clock: Clock, action: OperatorAction): Promise<UpdateStatusResponse> {
  return transaction(db, async (trx) => {
    const now = clock.now();
    const locked = await lockRunPhases(trx, action.runId);
    const phase = expectState(findPhaseIn(locked, action.phaseId), 'QUEUED', 'SKIPPED', 'skip');
    const updated = await transition(trx, now, locked, phase, {
      to: 'SKIPPED',
      actor: action.actor,
      ...(action.reason ? { message: action.reason } : {}),
      payload: { operator_action: 'skip' },
    });
    const tiers = await settle(trx, now, locked, action.actor, false);
    return answer(locked, updated, tiers);
  });
}

function expectState(phase: PhaseRow, from: PhaseState, to: PhaseState, name: string): PhaseRow {
  if (phase.state === from) return phase;
  throw conflict('illegal_transition', `only a ${from} phase can be given "${name}"; phase ${phase.phase_id} is ${phase.state}`, {
    from: phase.state,
    to,
    allowed: PHASE_TRANSITIONS[phase.state],
  });
}

/* ---------------------------------------------------------------- claims and leases (SPEC §4.3) */

export interface GrantedLease {
  lease: LeaseRow;
  token: string;
  locked: LockedRun;
  phase: PhaseRow;
}

/**
 * Hands `phaseId` to an executor: QUEUED → EXECUTING, attempt + 1, a new lease. Re-checks under the
 * run lock what the claim query saw (it may be stale): undefined when the phase is no longer the
 * run's next phase to run.
 */
export async function claimPhase(
  trx: Trx,
  now: Date,
  target: { runId: string; phaseId: string },
  executor: { executorId: string; actor: string; leaseSeconds: number },
): Promise<GrantedLease | undefined> {
  const locked = await lockRunPhases(trx, target.runId);
  const phase = locked.phases.find((p) => p.phase_id === target.phaseId);
  const { run, phases } = locked;
  if (!phase || phase.state !== 'QUEUED' || !['RUN_CREATED', 'PHASE_EXECUTION'].includes(run.state)) return undefined;
  if (Number(run.tokens_used) >= Number(run.token_cap)) return undefined;
  const open = phases.find((p) => p.state === 'QUEUED' || p.state === 'BLOCKED' || isActive(p.state));
  if (open?.phase_id !== phase.phase_id) return undefined;

  const leaseId = randomUUID();
  const expiresAt = new Date(now.getTime() + executor.leaseSeconds * 1000);
  await changeLocked(trx, now, locked, phase, {
    to: 'EXECUTING',
    actor: executor.actor,
    payload: { lease_id: leaseId, executor_id: executor.executorId },
  });
  const claimed = locked.phases.find((p) => p.phase_id === phase.phase_id)!;
  const { token, hash } = newLeaseToken();
  const lease = await insertLease(trx, {
    lease_id: leaseId,
    run_id: run.run_id,
    phase_id: phase.phase_id,
    attempt: claimed.attempt,
    executor_id: executor.executorId,
    token_hash: hash,
    created_at: now,
    expires_at: expiresAt,
    heartbeat_at: null,
    stage: null,
    progress: null,
    ended_at: null,
    end_reason: null,
  });
  await recordEvent(trx, now, phase, 'phase_claimed', executor.actor, {
    lease_id: leaseId,
    executor_id: executor.executorId,
    attempt: claimed.attempt,
    lease_expires_at: expiresAt.toISOString(),
  });
  return { lease, token, locked, phase: claimed };
}

/** Locks the lease's run and checks its token; 404 for an unknown lease, 409 for a wrong token. */
async function lockLease(trx: Trx, leaseId: string, token: string): Promise<{ lease: LeaseRow; locked: LockedRun }> {
  const unlocked = await findLease(trx, leaseId);
  if (!unlocked) throw notFound('not_found', `no lease ${leaseId}`);
  const locked = await lockRunPhases(trx, unlocked.run_id);
  const lease = (await findLease(trx, leaseId))!;
  if (!tokenMatches(token, lease.token_hash)) throw leaseLost(leaseId);
  return { lease, locked };
}

const leaseLost = (leaseId: string, why = 'the token does not match') =>
  conflict('lease_lost', `lease ${leaseId} is lost: ${why}`);

export interface HeartbeatOutcome {
  lease: LeaseRow;
  cancelRequested: boolean;
}

/**
 * Extends a live lease. A lease that a cancellation ended answers `cancel_requested` (the executor
 * must stop); one that expired, was released or moved on is `lease_lost`.
 */
export async function heartbeatLease(
  db: Db,
  clock: Clock,
  input: { leaseId: string; token: string; leaseSeconds: number; stage?: string; progress?: number },
): Promise<HeartbeatOutcome> {
  return transaction(db, async (trx) => {
    const now = clock.now();
    const { lease } = await lockLease(trx, input.leaseId, input.token);
    if (lease.ended_at !== null) {
      if (lease.cancel_requested) return { lease, cancelRequested: true };
      throw leaseLost(lease.lease_id, `it ended (${lease.end_reason})`);
    }
    if (lease.expires_at <= now) throw leaseLost(lease.lease_id, 'it expired');
    const extended = await extendLease(trx, lease.lease_id, {
      expires_at: new Date(now.getTime() + input.leaseSeconds * 1000),
      heartbeat_at: now,
      ...(input.stage !== undefined ? { stage: input.stage } : {}),
      ...(input.progress !== undefined ? { progress: input.progress } : {}),
    });
    return { lease: extended, cancelRequested: extended.cancel_requested };
  });
}

/** The executor gives the phase back without failing it (e.g. on shutdown): QUEUED, attempt kept. */
export async function releaseLease(
  db: Db,
  clock: Clock,
  input: { leaseId: string; token: string; actor: string; reason?: string },
): Promise<{ released: boolean; phase: PhaseRow }> {
  return transaction(db, async (trx) => {
    const now = clock.now();
    const { lease, locked } = await lockLease(trx, input.leaseId, input.token);
    const phase = findPhaseIn(locked, lease.phase_id);
    if (lease.ended_at !== null) {
      if (lease.cancel_requested) return { released: false, phase };
      throw leaseLost(lease.lease_id, `it ended (${lease.end_reason})`);
    }
    if (lease.expires_at <= now) throw leaseLost(lease.lease_id, 'it expired');
    await changeLocked(trx, now, locked, phase, {
      to: 'QUEUED',
      actor: input.actor,
      outcome: 'released',
      ...(input.reason ? { message: input.reason } : {}),
      payload: { lease_id: lease.lease_id },
    });
    await recordEvent(trx, now, phase, 'lease_released', input.actor, { lease_id: lease.lease_id, attempt: lease.attempt });
    return { released: true, phase: locked.phases.find((p) => p.phase_id === phase.phase_id)! };
  });
}

/**
 * Reaper: a lease whose time is up. Its phase goes back to QUEUED (attempt kept) or, with no
 * attempts left, to FAILED (`lease_expired`), which may finalise the run. Re-checked under the run
 * lock, so several reapers may race on the same lease: one acts, the others find nothing to do.
 */
export async function expireLease(db: Db, clock: Clock, leaseId: string): Promise<boolean> {
  return transaction(db, async (trx) => {
    const now = clock.now();
    const unlocked = await findLease(trx, leaseId);
    if (!unlocked) return false;
    const locked = await lockRunPhases(trx, unlocked.run_id);
    const lease = (await findLease(trx, leaseId))!;
    if (lease.ended_at !== null || lease.expires_at > now) return false;
    const phase = findPhaseIn(locked, lease.phase_id);
    const exhausted = phase.attempt >= phase.max_attempts;
    await recordEvent(trx, now, phase, 'lease_expired', 'system:reaper', {
      lease_id: lease.lease_id,
      executor_id: lease.executor_id,
      attempt: lease.attempt,
      expired_at: lease.expires_at.toISOString(),
    });
    await changeLocked(trx, now, locked, phase, {
      to: exhausted ? 'FAILED' : 'QUEUED',
      actor: 'system:reaper',
      failureReason: 'lease_expired',
      outcome: 'expired',
      payload: { lease_id: lease.lease_id, ...(exhausted ? { attempts_exhausted: true } : {}) },
    });
    return true;
  });
}

/** Appends an event about a phase (tier and phase ids from its row) or, given a run row, about the run. */
export async function recordEvent(
  trx: Trx,
  now: Date,
  about: { run_id: string; tier_id?: string; phase_id?: string },
  type: RunEventType,
  actor: string,
  payload: Record<string, unknown>,
): Promise<void> {
  await appendEvent(trx, {
    run_id: about.run_id,
    tier_id: about.tier_id ?? null,
    phase_id: about.phase_id ?? null,
    type,
    actor,
    payload,
    created_at: now,
  });
}

/* ------------------------------------------------------- finishing a run early (SPEC §4.3, §4.6) */

interface RunEnding {
  state: RunState;
  reason: string;
  actor: string;
  /** What happens to the active phase: FAILED with this reason, or CANCELLED. */
  activeFailure: FailureReason | null;
  eventType: RunEventType;
  payload: Record<string, unknown>;
}

/**
 * Cancel, budget exhausted, out of time: every open phase ends at once (QUEUED and BLOCKED
 * CANCELLED; the active one FAILED or CANCELLED, its lease ended with cancel_requested so the
 * executor's heartbeat tells it to stop), then the run takes its final state. A finished run never
 * has open phases; an operator retry of the failed phase reopens a DONE_FAILED_* run.
 */
async function finishRun(trx: Trx, now: Date, locked: LockedRun, ending: RunEnding): Promise<void> {
  await recordEvent(trx, now, locked.run, ending.eventType, ending.actor, { reason: ending.reason, ...ending.payload });
  const open = locked.phases.filter((p) => p.state === 'QUEUED' || p.state === 'BLOCKED');
  for (const phase of open) {
    await transition(trx, now, locked, phase, { to: 'CANCELLED', actor: ending.actor, finalizing: true, message: ending.reason });
  }
  for (const phase of locked.phases.filter((p) => isActive(p.state))) {
    await transition(trx, now, locked, phase, {
      to: ending.activeFailure ? 'FAILED' : 'CANCELLED',
      ...(ending.activeFailure ? { failureReason: ending.activeFailure } : {}),
      actor: ending.actor,
      finalizing: true,
      cancelLease: true,
      message: ending.reason,
    });
  }
  await refreshTiers(trx, now, locked, ending.actor);
  await moveRun(trx, now, locked, ending.state, ending.reason, ending.actor);
}

/** `POST /runs/{run_id}/cancel` */
export async function cancelRun(db: Db, clock: Clock, input: { runId: string; actor: string; reason?: string }): Promise<void> {
  await transaction(db, async (trx) => {
    const now = clock.now();
    const locked = await lockRunPhases(trx, input.runId);
    if (isRunFinished(locked.run.state)) {
      throw conflict('run_finished', `run ${input.runId} is ${locked.run.state} already`, { run_state: locked.run.state });
    }
    await finishRun(trx, now, locked, {
      state: 'CANCELLED',
      reason: input.reason ? `cancelled by ${input.actor}: ${input.reason}` : `cancelled by ${input.actor}`,
      actor: input.actor,
      activeFailure: null,
      eventType: 'run_cancelled',
      payload: {},
    });
  });
}

/**
 * After usage was recorded (same transaction, run locked): at token_cap the run is
 * DONE_FAILED_BUDGET_EXHAUSTED, no more claims, the active lease told to stop (SPEC §4.6).
 */
export async function enforceBudget(trx: Trx, now: Date, locked: LockedRun, actor: string): Promise<boolean> {
  const run = (await findRun(trx, locked.run.run_id))!;
  locked.run = run;
  const used = Number(run.tokens_used);
  const cap = Number(run.token_cap);
  if (used < cap || isRunFinished(run.state)) return used >= cap;
  locked.phases = await listPhases(trx, run.run_id);
  await finishRun(trx, now, locked, {
    state: 'DONE_FAILED_BUDGET_EXHAUSTED',
    reason: `token budget exhausted: ${used} of ${cap} tokens used`,
    actor,
    activeFailure: 'budget',
    eventType: 'budget_exhausted',
    payload: { tokens_used: used, token_cap: cap },
  });
  return true;
}

/** Reaper: a run past max_duration_minutes (counted from its first claim) ends DONE_FAILED_ENVIRONMENT. */
export async function timeOutRun(db: Db, clock: Clock, runId: string): Promise<boolean> {
  return transaction(db, async (trx) => {
    const now = clock.now();
    const locked = await lockRunPhases(trx, runId);
    const { run } = locked;
    if (isRunFinished(run.state) || !run.started_at) return false;
    const deadline = run.started_at.getTime() + run.max_duration_minutes * 60_000;
    if (deadline > now.getTime()) return false;
    await finishRun(trx, now, locked, {
      state: 'DONE_FAILED_ENVIRONMENT',
      reason: `run exceeded max_duration_minutes (${run.max_duration_minutes}); remaining work cancelled`,
      actor: 'system:reaper',
      activeFailure: 'timeout',
      eventType: 'run_timed_out',
      payload: { max_duration_minutes: run.max_duration_minutes, started_at: run.started_at.toISOString() },
    });
    return true;
  });
}

/* ------------------------------------------------------------- approvals and governance (SPEC §4.7) */

/** The executor asked for a decision: its active phase waits in BLOCKED (the lease ends). */
export async function blockPhase(trx: Trx, now: Date, locked: LockedRun, phase: PhaseRow, actor: string, message: string) {
  if (!isActive(phase.state)) throw illegal(phase, 'BLOCKED');
  return changeLocked(trx, now, locked, phase, { to: 'BLOCKED', actor, message });
}

/** A decision on a BLOCKED phase: approved → QUEUED (grants apply to its next attempt); rejected → FAILED. */
export async function resolveBlocked(
  trx: Trx,
  now: Date,
  locked: LockedRun,
  phase: PhaseRow,
  decision: { approved: boolean; actor: string; reason: string; requestId: string },
): Promise<UpdateStatusResponse> {
  return changeLocked(trx, now, locked, phase, {
    to: decision.approved ? 'QUEUED' : 'FAILED',
    actor: decision.actor,
    message: decision.reason,
    ...(decision.approved ? {} : { failureReason: 'policy_rejected' as const }),
    payload: { request_id: decision.requestId, approved: decision.approved },
  });
}

function replace(phases: PhaseRow[], updated: PhaseRow): void {
  const i = phases.findIndex((p) => p.phase_id === updated.phase_id);
  phases[i] = updated;
}
