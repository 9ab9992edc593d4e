import type { RunListQuery, RunPage } from '@autopack/contracts';
import { countRuns, listRunSummaries, toPhaseCounts, toRun, type Db } from '@autopack/db';
import { validationError } from '../http/app-error';

interface Position {
  created_at: Date;
  run_id: string;
}

/** Cursors are opaque to clients: base64url of the last row's (created_at, run_id). */
export function encodeCursor(p: Position): string {
  return Buffer.from(JSON.stringify([p.created_at.toISOString(), p.run_id])).toString('base64url');
}

export function decodeCursor(cursor: string): Position {
  try {
    const [at, runId] = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8')) as unknown[];
    const created = new Date(String(at));
    if (typeof at === 'string' && typeof runId === 'string' && !Number.isNaN(created.getTime())) {
      return { created_at: created, run_id: runId };
    }
  } catch {
    // fall through: a cursor the server did not make
  }
  throw validationError([{ path: 'query.cursor', message: 'not a cursor this server issued; use next_cursor of a page' }]);
}

/** Newest first. `cursor` pages are stable under inserts; `offset` pages shift when runs are added. */
export async function listRuns(db: Db, query: RunListQuery): Promise<RunPage> {
  // Two statements whatever the page size. The total is counted next to the page, not in one
  // snapshot: a run started in between shows in one of the two only.
  const rows = await listRunSummaries(db, {
    limit: query.limit + 1,
    ...(query.offset !== undefined ? { offset: query.offset } : {}),
    ...(query.cursor !== undefined ? { before: decodeCursor(query.cursor) } : {}),
    ...(query.state !== undefined ? { state: query.state } : {}),
  });
  const total = await countRuns(db, query.state);
  const page = rows.slice(0, query.limit);
  const last = page[page.length - 1];
  return {
    runs: page.map((r) => {
      const counts = toPhaseCounts(r.counts);
      return {
        ...toRun(r.run),
        phase_counts: counts,
        current_phase: r.current,
        phases_total: counts.total,
        phases_completed: counts.COMPLETE,
        current_phase_name: r.current?.name ?? null,
      };
    }),
    limit: query.limit,
    offset: query.offset ?? null,
    next_cursor: rows.length > query.limit && last ? encodeCursor(last.run) : null,
    total,
  };
}
