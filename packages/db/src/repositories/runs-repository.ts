import { sql, type Updateable } from 'kysely';
import type { CurrentPhase, PhaseState, RunState } from '@autopack/contracts';
import { ACTIVE_PHASE_STATES } from '@autopack/contracts';
import type { NewRun, RunRow, RunsTable } from '../schema';
import type { Db } from '../transaction';

export async function insertRun(db: Db, run: NewRun): Promise<void> {
  await db.insertInto('runs').values(run).execute();
}

/**
 * `lock`: SELECT … FOR UPDATE. Every write that touches a run's phases or events takes this lock
 * first, which serialises them per run: counters stay exact and event ids follow commit order.
 */
export async function findRun(db: Db, runId: string, opts: { lock?: boolean } = {}): Promise<RunRow | undefined> {
  let query = db.selectFrom('runs').selectAll().where('run_id', '=', runId);
  if (opts.lock) query = query.forUpdate();
  return query.executeTakeFirst();
}

export async function updateRun(db: Db, runId: string, patch: Updateable<RunsTable>): Promise<RunRow> {
  return db.updateTable('runs').set(patch).where('run_id', '=', runId).returningAll().executeTakeFirstOrThrow();
}

export interface RunListOptions {
  limit: number;
  offset?: number;
  /** Keyset position: only runs strictly older than this (created_at, run_id). */
  before?: { created_at: Date; run_id: string };
  state?: RunState;
}

export interface RunSummaryRow {
  run: RunRow;
  counts: Partial<Record<PhaseState, number>> | null;
  current: CurrentPhase | null;
}

const activeList = sql.join(ACTIVE_PHASE_STATES.map((s) => sql.lit(s)));

/** Newest first, with phase counts per state and the current phase: one statement, no N+1. */
export async function listRunSummaries(db: Db, opts: RunListOptions): Promise<RunSummaryRow[]> {
  let query = db
    .selectFrom('runs as r')
    .selectAll('r')
    .select([
      sql<Partial<Record<PhaseState, number>> | null>`(
        select jsonb_object_agg(c.state, c.n) from (
          select p.state, count(*)::int as n from phases p where p.run_id = r.run_id group by p.state
        ) c
      )`.as('phase_counts'),
      sql<CurrentPhase | null>`(
        select jsonb_build_object('phase_id', p.phase_id, 'tier_id', p.tier_id, 'name', p.name, 'state', p.state)
        from phases p
        where p.run_id = r.run_id and p.state in (${activeList}, 'BLOCKED', 'QUEUED')
        order by case when p.state in (${activeList}) then 0 when p.state = 'BLOCKED' then 1 else 2 end,
                 p.tier_index, p.phase_index
        limit 1
      )`.as('current_phase'),
    ])
    .orderBy('r.created_at', 'desc')
    .orderBy('r.run_id', 'desc')
    .limit(opts.limit);
  if (opts.state) query = query.where('r.state', '=', opts.state);
  if (opts.before) {
    const { created_at, run_id } = opts.before;
    query = query.where((eb) => eb(eb.refTuple('r.created_at', 'r.run_id'), '<', eb.tuple(created_at, run_id)));
  }
  if (opts.offset) query = query.offset(opts.offset);
  const rows = await query.execute();
  return rows.map(({ phase_counts, current_phase, ...run }) => ({
    run: run as RunRow,
    counts: phase_counts,
    current: current_phase,
  }));
}

/** How many runs a list filter matches, over all pages. */
export async function countRuns(db: Db, state?: RunState): Promise<number> {
  let query = db.selectFrom('runs').select((eb) => eb.fn.countAll<string | number>().as('n'));
  if (state) query = query.where('state', '=', state);
  const row = await query.executeTakeFirstOrThrow();
  return Number(row.n);
}

/** Open runs whose max_duration_minutes, counted from their first claim, has passed. */
export async function listOverdueRuns(db: Db, now: Date, limit: number): Promise<Pick<RunRow, 'run_id'>[]> {
  return db
    .selectFrom('runs')
    .select('run_id')
    .where('state', 'in', ['RUN_CREATED', 'PHASE_EXECUTION'])
    .where('started_at', 'is not', null)
    .where(sql<boolean>`started_at + make_interval(mins => max_duration_minutes) <= ${now}`)
    .orderBy('started_at')
    .limit(limit)
    .execute();
}
