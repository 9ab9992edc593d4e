import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import type { Role } from '@autopack/contracts';
import { findLatestLease, type LeaseRow, type PhaseRow, type Trx } from '@autopack/db';
import { conflict } from '../http/app-error';
import { findPhaseIn, type LockedRun } from './locked-run';

/** What a write presents about its right to change a phase. */
export interface Fence {
  /** `X-Lease-Token`, or the `lease_token` of a heartbeat or release. */
  token: string | undefined;
  role: Role;
}

/** A new lease token: 32 random bytes. Only its SHA-256 is stored. */
export function newLeaseToken(): { token: string; hash: string } {
  const token = `lt_${randomBytes(32).toString('base64url')}`;
  return { token, hash: hashLeaseToken(token) };
}

export function hashLeaseToken(token: string): string {
  return createHash('sha256').update(token, 'utf8').digest('hex');
}

/** Constant-time: both sides are 32-byte digests, so timingSafeEqual compares equal lengths. */
export function tokenMatches(token: string, storedHash: string): boolean {
  const given = Buffer.from(hashLeaseToken(token), 'hex');
  const stored = Buffer.from(storedHash, 'hex');
  return given.length === stored.length && timingSafeEqual(given, stored);
}

export interface FenceOutcome {
  /** The caller's lease (live, or ended by a cancellation when `allowCancelled`); undefined for an operator without one. */
  lease: LeaseRow | undefined;
  /** An operator or admin wrote without a lease: the change is recorded as an operator action. */
  byOperator: boolean;
}

/**
 * SPEC §4.3 fencing, checked after the run row is locked and before anything is written: a token
 * must be the phase's current, unexpired lease (else 409 `lease_lost`); without a token only an
 * operator or admin may write. `allowCancelled` also accepts the lease a cancellation just ended,
 * so that the tokens an executor spent before it heard of the cancel are still recorded.
 */
export async function checkFence(
  trx: Trx,
  now: Date,
  phase: PhaseRow,
  fence: Fence,
  opts: { allowCancelled?: boolean } = {},
): Promise<FenceOutcome> {
  if (fence.token === undefined) {
    if (fence.role === 'operator' || fence.role === 'admin') return { lease: undefined, byOperator: true };
    throw conflict('lease_required', `an ${fence.role} must send X-Lease-Token with writes about phase ${phase.phase_id}`);
  }
  const lease = await findLatestLease(trx, phase.run_id, phase.phase_id);
  if (lease && tokenMatches(fence.token, lease.token_hash)) {
    const live = lease.ended_at === null && lease.expires_at > now;
    const cancelled = lease.ended_at !== null && lease.cancel_requested && opts.allowCancelled === true;
    if (live || cancelled) return { lease, byOperator: false };
  }
  throw conflict(
    'lease_lost',
    `the lease token is not the current lease of phase ${phase.phase_id} (expired, released, or the phase moved on); nothing was written`,
  );
}

/** Every write about a phase starts here: the phase of the locked run, and the writer's lease checked before anything is written. */
export async function fencePhase(
  trx: Trx,
  now: Date,
  locked: LockedRun,
  phaseId: string,
  fence: Fence,
  opts: { allowCancelled?: boolean } = {},
): Promise<{ phase: PhaseRow; fenced: FenceOutcome }> {
  const phase = findPhaseIn(locked, phaseId);
  return { phase, fenced: await checkFence(trx, now, phase, fence, opts) };
}

