import type { Db } from '../transaction';

export interface StoredResult {
  id: number;
  created_at: Date;
}

interface ResultKey {
  run_id: string;
  phase_id: string;
  attempt: number;
  created_at: Date;
}

/** The whole body is persisted (SPEC §4.5); status is a column for queries. */
export async function insertBuilderResult(
  db: Db,
  key: ResultKey,
  status: string,
  body: Record<string, unknown>,
): Promise<StoredResult> {
  const row = await db
    .insertInto('builder_results')
    .values({ ...key, status, body: JSON.stringify(body) })
    .returning(['id', 'created_at'])
    .executeTakeFirstOrThrow();
  return { id: Number(row.id), created_at: row.created_at };
}

export async function insertAuditorResult(
  db: Db,
  key: ResultKey,
  verdict: { recommendation: string; confidence: string },
  body: Record<string, unknown>,
): Promise<StoredResult> {
  const row = await db
    .insertInto('auditor_results')
    .values({ ...key, ...verdict, body: JSON.stringify(body) })
    .returning(['id', 'created_at'])
    .executeTakeFirstOrThrow();
  return { id: Number(row.id), created_at: row.created_at };
}

export interface StoredBody {
  attempt: number;
  body: Record<string, unknown>;
}

/** Builder and auditor results of a phase, oldest first (feedback for its next attempt). */
export async function listPhaseResults(
  db: Db,
  runId: string,
  phaseId: string,
): Promise<{ builder: StoredBody[]; auditor: StoredBody[] }> {
  const list = (table: 'builder_results' | 'auditor_results') =>
    db
      .selectFrom(table)
      .select(['attempt', 'body'])
      .where('run_id', '=', runId)
      .where('phase_id', '=', phaseId)
      .orderBy('id')
      .execute();
  return { builder: await list('builder_results'), auditor: await list('auditor_results') };
}
