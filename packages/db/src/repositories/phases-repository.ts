import type { Updateable } from 'kysely';
import type { FailureReason, TierState } from '@autopack/contracts';
import type { AttemptOutcome, NewPhase, NewTier, PhaseAttemptRow, PhaseRow, PhasesTable, TierRow } from '../schema';
import type { Db } from '../transaction';

export async function insertTiers(db: Db, tiers: NewTier[]): Promise<void> {
  if (tiers.length > 0) await db.insertInto('tiers').values(tiers).execute();
}

export async function insertPhases(db: Db, phases: NewPhase[]): Promise<void> {
  if (phases.length > 0) await db.insertInto('phases').values(phases).execute();
}

export async function listTiers(db: Db, runId: string): Promise<TierRow[]> {
  return db.selectFrom('tiers').selectAll().where('run_id', '=', runId).orderBy('tier_index').execute();
}

/** All phases of a run in execution order. */
export async function listPhases(db: Db, runId: string): Promise<PhaseRow[]> {
  return db
    .selectFrom('phases')
    .selectAll()
    .where('run_id', '=', runId)
    .orderBy('tier_index')
    .orderBy('phase_index')
    .execute();
}

export async function findPhase(db: Db, runId: string, phaseId: string): Promise<PhaseRow | undefined> {
  return db
    .selectFrom('phases')
    .selectAll()
    .where('run_id', '=', runId)
    .where('phase_id', '=', phaseId)
    .executeTakeFirst();
}

export async function updatePhase(
  db: Db,
  runId: string,
  phaseId: string,
  patch: Updateable<PhasesTable>,
): Promise<PhaseRow> {
  return db
    .updateTable('phases')
    .set(patch)
    .where('run_id', '=', runId)
    .where('phase_id', '=', phaseId)
    .returningAll()
    .executeTakeFirstOrThrow();
}

export async function updateTierState(
  db: Db,
  runId: string,
  tierId: string,
  state: TierState,
  now: Date,
): Promise<void> {
  await db
    .updateTable('tiers')
    .set({ state, updated_at: now })
    .where('run_id', '=', runId)
    .where('tier_id', '=', tierId)
    .execute();
}

export async function startAttempt(db: Db, runId: string, phaseId: string, attempt: number, now: Date): Promise<void> {
  await db
    .insertInto('phase_attempts')
    .values({ run_id: runId, phase_id: phaseId, attempt, outcome: 'running', failure_reason: null, started_at: now })
    .execute();
}

export async function endAttempt(
  db: Db,
  runId: string,
  phaseId: string,
  attempt: number,
  outcome: Exclude<AttemptOutcome, 'running'>,
  failureReason: FailureReason | null,
  now: Date,
  message: string | null = null,
  newlyFailing: readonly string[] | null = null,
): Promise<void> {
  await db
    .updateTable('phase_attempts')
    .set({ outcome, failure_reason: failureReason, ended_at: now, message, newly_failing: newlyFailing === null ? null : JSON.stringify(newlyFailing) })
    .where('run_id', '=', runId)
    .where('phase_id', '=', phaseId)
    .where('attempt', '=', attempt)
    .where('outcome', '=', 'running')
    .execute();
}

/** Attempts of a phase, oldest first. */
export async function listAttempts(db: Db, runId: string, phaseId: string): Promise<PhaseAttemptRow[]> {
  return db
    .selectFrom('phase_attempts')
    .selectAll()
    .where('run_id', '=', runId)
    .where('phase_id', '=', phaseId)
    .orderBy('attempt')
    .execute();
}
