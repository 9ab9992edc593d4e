import { findRun, listPhases, transaction, type Db, type PhaseRow, type RunRow, type Trx } from '@autopack/db';
import { notFound } from '../http/app-error';

/*
 * The kernel's unit of work: one transaction that holds the run row's lock.
 *
 * Lock order, the same for every writer: the run row first (`SELECT … FOR UPDATE`), then whatever
 * of the run is changed — phases, attempts, leases, approval requests, tiers, usage, events. All
 * writers of a run queue on its row, so they never interleave: the checks a writer makes ("is this
 * still the current lease?", "is another phase active?") hold until it commits, counters stay
 * exact and event ids follow commit order. The claim query also locks the phase row
 * (`FOR UPDATE OF r, p SKIP LOCKED`), run before phase, in the same order.
 */

/** A run locked for writing, with its phases in execution order (kept current as they change). */
export interface LockedRun {
  run: RunRow;
  phases: PhaseRow[];
}

/** Locks the run row and loads its phases; 404 `run_not_found` for an unknown run. */
export async function lockRun(trx: Trx, runId: string): Promise<LockedRun> {
  const run = await findRun(trx, runId, { lock: true });
  if (!run) throw notFound('run_not_found', `no run ${runId}`);
  return { run, phases: await listPhases(trx, runId) };
}

/**
 * Runs `fn` in one transaction (the caller's, when `db` is one) with the run locked. Inside `fn`
 * use only `trx` (on PGlite the outer handle would wait for this transaction: a deadlock).
 */
export function withLockedRun<T>(db: Db, runId: string, fn: (trx: Trx, locked: LockedRun) => Promise<T>): Promise<T> {
  return transaction(db, async (trx) => fn(trx, await lockRun(trx, runId)));
}

/**
 * For a row that names its run (a lease, an approval request): find it, lock its run, and find it
 * again — what was read before the lock may have changed while this writer waited for it.
 * Undefined when there is no such row.
 */
export async function lockRunOf<R extends { run_id: string }>(
  trx: Trx,
  find: (trx: Trx) => Promise<R | undefined>,
): Promise<{ row: R; locked: LockedRun } | undefined> {
  const unlocked = await find(trx);
  if (!unlocked) return undefined;
  const locked = await lockRun(trx, unlocked.run_id);
  const row = await find(trx);
  return row ? { row, locked } : undefined;
}

/** The phase of a locked run; 404 `phase_not_found`. */
export function findPhaseIn(locked: LockedRun, phaseId: string): PhaseRow {
  const phase = locked.phases.find((p) => p.phase_id === phaseId);
  if (!phase) throw notFound('phase_not_found', `run ${locked.run.run_id} has no phase ${phaseId}`);
  return phase;
}

/** Puts a changed phase row in its place in the locked run. */
export function replacePhase(locked: LockedRun, updated: PhaseRow): void {
  const i = locked.phases.findIndex((p) => p.phase_id === updated.phase_id);
  locked.phases[i] = updated;
}
