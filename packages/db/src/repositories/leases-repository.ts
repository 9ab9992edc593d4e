import { sql, type Insertable } from 'kysely';
import { ACTIVE_PHASE_STATES } from '@autopack/contracts';
import type { LeaseEndReason, LeaseRow, PhaseLeasesTable } from '../schema';
import type { Db } from '../transaction';

export async function insertLease(db: Db, lease: Insertable<PhaseLeasesTable>): Promise<LeaseRow> {
  return db.insertInto('phase_leases').values(lease).returningAll().executeTakeFirstOrThrow();
}

export async function findLease(db: Db, leaseId: string): Promise<LeaseRow | undefined> {
  return db.selectFrom('phase_leases').selectAll().where('lease_id', '=', leaseId).executeTakeFirst();
}

/** The phase's live lease (at most one: a partial unique index guarantees it). */
export async function findLiveLease(db: Db, runId: string, phaseId: string): Promise<LeaseRow | undefined> {
  return db
    .selectFrom('phase_leases')
    .selectAll()
    .where('run_id', '=', runId)
    .where('phase_id', '=', phaseId)
    .where('ended_at', 'is', null)
    .executeTakeFirst();
}

export async function extendLease(
  db: Db,
  leaseId: string,
  patch: { expires_at: Date; heartbeat_at: Date; stage?: string; progress?: number },
): Promise<LeaseRow> {
  return db
    .updateTable('phase_leases')
    .set(patch)
    .where('lease_id', '=', leaseId)
    .returningAll()
    .executeTakeFirstOrThrow();
}

/** Ends the phase's live lease, if any; `cancelRequested` tells its executor to stop (heartbeat). */
export async function endLiveLease(
  db: Db,
  key: { run_id: string; phase_id: string },
  reason: LeaseEndReason,
  now: Date,
  cancelRequested = false,
): Promise<LeaseRow | undefined> {
  return db
    .updateTable('phase_leases')
    .set({ ended_at: now, end_reason: reason, ...(cancelRequested ? { cancel_requested: true } : {}) })
    .where('run_id', '=', key.run_id)
    .where('phase_id', '=', key.phase_id)
    .where('ended_at', 'is', null)
    .returningAll()
    .executeTakeFirst();
}

/** Live leases whose time is up, oldest expiry first (the reaper's work list). */
export async function listExpiredLeases(db: Db, now: Date, limit: number): Promise<Pick<LeaseRow, 'lease_id' | 'run_id'>[]> {
  return db
    .selectFrom('phase_leases')
    .select(['lease_id', 'run_id'])
    .where('ended_at', 'is', null)
    .where('expires_at', '<=', now)
    .orderBy('expires_at')
    .limit(limit)
    .execute();
}

const activeList = sql.join(ACTIVE_PHASE_STATES.map((s) => sql.lit(s)));

/**
 * The next phase to hand out (SPEC §4.3): the first QUEUED phase, in (run created_at, tier_index,
 * phase_index) order, of a run that is open, has a repository (a run without one is driven from
 * outside), is within budget and time, and has no phase active or
 * BLOCKED and no earlier phase QUEUED. `FOR UPDATE … SKIP LOCKED` on the run and the phase row: two
 * claimers never wait for each other and never get the same run; every other writer of a run locks
 * the run row first, so a claimer never waits while holding a lock (no deadlock).
 */
export async function findClaimablePhase(
  db: Db,
  now: Date,
  skipRuns: readonly string[] = [],
): Promise<{ run_id: string; phase_id: string } | undefined> {
  const skip = skipRuns.length > 0 ? sql`and r.run_id not in (${sql.join(skipRuns)})` : sql``;
  const result = await sql<{ run_id: string; phase_id: string }>`
    select p.run_id, p.phase_id
    from runs r
    join phases p on p.run_id = r.run_id
    where r.state in ('RUN_CREATED', 'PHASE_EXECUTION')
      and r.repo is not null
      and r.tokens_used < r.token_cap
      and (r.started_at is null or r.started_at + make_interval(mins => r.max_duration_minutes) > ${now})
      and p.state = 'QUEUED'
      ${skip}
      and not exists (
        select 1 from phases o
        where o.run_id = p.run_id
          and (o.state in (${activeList}, 'BLOCKED')
               or (o.state = 'QUEUED' and (o.tier_index, o.phase_index) < (p.tier_index, p.phase_index)))
      )
    order by r.created_at, r.run_id, p.tier_index, p.phase_index
    limit 1
    for update of r, p skip locked
  `.execute(db);
  return result.rows[0];
}

/** The phase's newest lease, live or not. */
export async function findLatestLease(db: Db, runId: string, phaseId: string): Promise<LeaseRow | undefined> {
  return db
    .selectFrom('phase_leases')
    .selectAll()
    .where('run_id', '=', runId)
    .where('phase_id', '=', phaseId)
    .orderBy('attempt', 'desc')
    .limit(1)
    .executeTakeFirst();
}
