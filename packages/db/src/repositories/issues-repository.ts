import { sql } from 'kysely';
import type { Severity } from '@autopack/contracts';
import type { PhaseIssueRow } from '../schema';
import type { Db } from '../transaction';

export type IssueInput = Pick<
  PhaseIssueRow,
  'run_id' | 'phase_id' | 'tier_id' | 'issue_key' | 'severity' | 'source' | 'category' | 'evidence_refs' | 'description'
>;

/**
 * Inserts the issue, or counts one more occurrence when (run, phase, issue_key) exists.
 * `created` comes from `xmax = 0`, which is true only for a freshly inserted row.
 */
export async function upsertPhaseIssue(
  db: Db,
  issue: IssueInput,
  now: Date,
): Promise<{ row: PhaseIssueRow; created: boolean }> {
  const result = await db
    .insertInto('phase_issues')
    .values({ ...issue, evidence_refs: JSON.stringify(issue.evidence_refs), first_seen_at: now, last_seen_at: now })
    .onConflict((oc) =>
      oc.columns(['run_id', 'phase_id', 'issue_key']).doUpdateSet((eb) => ({
        occurrence_count: eb('phase_issues.occurrence_count', '+', 1),
        last_seen_at: now,
      })),
    )
    .returningAll()
    .returning(sql<boolean>`(xmax = 0)`.as('created'))
    .executeTakeFirstOrThrow();
  const { created, ...row } = result;
  return { row, created };
}

/** Raises the issue counter of the phase, its tier and its run in one go. */
export async function bumpIssueCounters(
  db: Db,
  key: { run_id: string; tier_id: string; phase_id: string },
  severity: Severity,
): Promise<void> {
  const column = severity === 'major' ? 'major_issues_count' : 'minor_issues_count';
  await db
    .updateTable('phases')
    .set((eb) => ({ [column]: eb(column, '+', 1) }))
    .where('run_id', '=', key.run_id)
    .where('phase_id', '=', key.phase_id)
    .execute();
  await db
    .updateTable('tiers')
    .set((eb) => ({ [column]: eb(column, '+', 1) }))
    .where('run_id', '=', key.run_id)
    .where('tier_id', '=', key.tier_id)
    .execute();
  await db
    .updateTable('runs')
    .set((eb) => ({ [column]: eb(column, '+', 1) }))
    .where('run_id', '=', key.run_id)
    .execute();
}

export interface BacklogRow {
  issue_key: string;
  severity: Severity;
  categories: string[];
  occurrences: number;
  runs_affected: number;
  phases_affected: number;
  first_seen_at: Date;
  last_seen_at: Date;
}

/** Issues across all runs by issue_key: major first, then most frequent, then by key. */
export async function listBacklog(db: Db, limit: number, offset: number): Promise<{ rows: BacklogRow[]; total: number }> {
  const rows = await db
    .selectFrom('phase_issues')
    .select([
      'issue_key',
      sql<Severity>`case when bool_or(severity = 'major') then 'major' else 'minor' end`.as('severity'),
      sql<string[]>`array_agg(distinct category order by category)`.as('categories'),
      sql<number>`sum(occurrence_count)::int`.as('occurrences'),
      sql<number>`count(distinct run_id)::int`.as('runs_affected'),
      sql<number>`count(*)::int`.as('phases_affected'),
      sql<Date>`min(first_seen_at)`.as('first_seen_at'),
      sql<Date>`max(last_seen_at)`.as('last_seen_at'),
      sql<number>`(count(*) over ())::int`.as('total'),
    ])
    .groupBy('issue_key')
    .orderBy(sql`bool_or(severity = 'major')`, 'desc')
    .orderBy(sql`sum(occurrence_count)`, 'desc')
    .orderBy('issue_key')
    .limit(limit)
    .offset(offset)
    .execute();
  let total = rows[0]?.total;
  if (total === undefined) {
    const count = await db
      .selectFrom('phase_issues')
      .select(sql<number>`count(distinct issue_key)::int`.as('n'))
      .executeTakeFirstOrThrow();
    total = count.n;
  }
  return { rows: rows.map(({ total: _total, ...row }) => row), total };
}
