import { sql, type SqlBool } from 'kysely';
import type { PhaseState, Severity } from '@autopack/contracts';
import type { PhaseRow } from '../schema';
import type { Db } from '../transaction';

/* ----------------------------------------------------------------------------- issue index */

export interface RunIssueRow {
  issue_key: string;
  phase_id: string;
  tier_id: string;
  phase_index: number;
  severity: Severity;
  category: string;
  evidence_refs: string[];
  occurrence_count: number;
  first_seen_at: Date;
  last_seen_at: Date;
}

/** Every recorded issue of a run with its phase's position: one statement, in order of first recording. */
export async function listRunIssues(db: Db, runId: string): Promise<RunIssueRow[]> {
  return db
    .selectFrom('phase_issues as i')
    .innerJoin('phases as p', (j) => j.onRef('p.run_id', '=', 'i.run_id').onRef('p.phase_id', '=', 'i.phase_id'))
    .select([
      'i.issue_key',
      'i.phase_id',
      'i.tier_id',
      'p.phase_index',
      'i.severity',
      'i.category',
      'i.evidence_refs',
      'i.occurrence_count',
      'i.first_seen_at',
      'i.last_seen_at',
    ])
    .where('i.run_id', '=', runId)
    .orderBy('i.first_seen_at')
    .orderBy('p.tier_index')
    .orderBy('p.phase_index')
    .orderBy('i.id')
    .execute();
}

/* ---------------------------------------------------------------------------------- failures */

/**
 * The events that record a failure: a phase change carrying a failure reason (a failed attempt,
 * whether retried or final; a lease expiry; a governance rejection; budget or time running out)
 * and the run ending in a DONE_FAILED_* state. Cancellations are decisions, not failures.
 */
const isFailure = sql<SqlBool>`(
  (e.type = 'phase_state_changed' and e.payload->>'failure_reason' is not null)
  or (e.type = 'run_state_changed' and left(e.payload->>'to', 12) = 'DONE_FAILED_')
)`;

const errorType = sql<string>`case when e.type = 'phase_state_changed' then e.payload->>'failure_reason' else e.payload->>'to' end`;

export interface RunFailureRow {
  id: number;
  run_id: string;
  tier_id: string | null;
  phase_id: string | null;
  type: 'phase_state_changed' | 'run_state_changed';
  error_type: string;
  actor: string;
  payload: Record<string, unknown>;
  created_at: Date;
  /** The executor that held the lease of the failed attempt, if one did. */
  executor_id: string | null;
}

/**
 * Failures of a run, oldest first, after event id `after`; with the run's total. One statement
 * (the executor comes from a correlated lookup, the total from a window), a second only to count
 * when the page is empty.
 */
export async function listRunFailures(
  db: Db,
  runId: string,
  after: number,
  limit: number,
): Promise<{ rows: RunFailureRow[]; total: number }> {
  const rows = await db
    .selectFrom('run_events as e')
    .select([
      'e.id',
      'e.run_id',
      'e.tier_id',
      'e.phase_id',
      'e.type',
      'e.actor',
      'e.payload',
      'e.created_at',
      errorType.as('error_type'),
      sql<string | null>`(
        select l.executor_id from phase_leases l
        where l.run_id = e.run_id and l.phase_id = e.phase_id
          and l.attempt = case when jsonb_typeof(e.payload->'attempt') = 'number' then (e.payload->>'attempt')::int end
        order by l.created_at desc
        limit 1
      )`.as('executor_id'),
      // Counted over every failure of the run, not only those after `after`.
      sql<number>`(
        select count(*)::int from run_events e where e.run_id = ${runId} and ${isFailure}
      )`.as('total'),
    ])
    .where('e.run_id', '=', runId)
    .where('e.id', '>', after)
    .where(isFailure)
    .orderBy('e.id')
    .limit(limit)
    .execute();
  let total = rows[0]?.total;
  if (total === undefined) total = (await countRunFailures(db, runId)).reduce((n, c) => n + c.count, 0);
  return {
    rows: rows.map(({ total: _total, ...r }) => ({ ...r, id: Number(r.id) }) as RunFailureRow),
    total,
  };
}

/** Failures of a run per error type (one statement). */
export async function countRunFailures(db: Db, runId: string): Promise<{ error_type: string; count: number }[]> {
  return db
    .selectFrom('run_events as e')
    .select([errorType.as('error_type'), sql<number>`count(*)::int`.as('count')])
    .where('e.run_id', '=', runId)
    .where(isFailure)
    .groupBy(sql`1`)
    .orderBy(sql`1`)
    .execute();
}

/* ------------------------------------------------------------------------------------ phases */

export interface PhasePageFilter {
  runId?: string;
  state?: PhaseState;
}

/**
 * One page of phases across runs: oldest run first (created_at, run_id), then execution order.
 * One statement with the total as a window count; a second only to count when the page is empty.
 */
export async function listPhasePage(
  db: Db,
  filter: PhasePageFilter,
  limit: number,
  offset: number,
): Promise<{ rows: PhaseRow[]; total: number }> {
  let query = db
    .selectFrom('phases as p')
    .innerJoin('runs as r', 'r.run_id', 'p.run_id')
    .selectAll('p')
    .select(sql<number>`(count(*) over ())::int`.as('total'))
    .orderBy('r.created_at')
    .orderBy('p.run_id')
    .orderBy('p.tier_index')
    .orderBy('p.phase_index')
    .limit(limit)
    .offset(offset);
  if (filter.runId !== undefined) query = query.where('p.run_id', '=', filter.runId);
  if (filter.state !== undefined) query = query.where('p.state', '=', filter.state);
  const rows = await query.execute();
  let total = rows[0]?.total;
  if (total === undefined) {
    let count = db.selectFrom('phases as p').select(sql<number>`count(*)::int`.as('n'));
    if (filter.runId !== undefined) count = count.where('p.run_id', '=', filter.runId);
    if (filter.state !== undefined) count = count.where('p.state', '=', filter.state);
    total = (await count.executeTakeFirstOrThrow()).n;
  }
  return { rows: rows.map(({ total: _total, ...row }) => row), total };
}
