import { randomUUID } from 'node:crypto';
import { extendLease, findLease, insertLease, transaction, type Db, type LeaseRow, type PhaseRow, type Trx } from '@autopack/db';
import type { Clock } from '../clock';
import { conflict, notFound } from '../http/app-error';
import { recordEvent } from './events';
import { newLeaseToken, tokenMatches } from './fencing';
import { findPhaseIn, lockRun, lockRunOf, type LockedRun } from './locked-run';
import { changeLocked, isActive } from './transitions';

/*
 * Leases (SPEC §4.3): a claim creates one next to QUEUED → EXECUTING; heartbeats extend it; the
 * executor releases it (QUEUED, attempt kept) or the reaper expires it. Writes about a phase are
 * fenced by its token (fencing.ts).
 */


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
  const locked = await lockRun(trx, target.runId);
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
  const found = await lockRunOf(trx, (t) => findLease(t, leaseId));
  if (!found) throw notFound('not_found', `no lease ${leaseId}`);
  if (!tokenMatches(token, found.row.token_hash)) throw leaseLost(leaseId);
  return { lease: found.row, locked: found.locked };
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
    const found = await lockRunOf(trx, (t) => findLease(t, leaseId));
    if (!found) return false;
    const { row: lease, locked } = found;
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
