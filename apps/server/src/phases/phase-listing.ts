import type { PhaseListQuery, PhasePage } from '@autopack/contracts';
import { listPhasePage, toPhase, type Db } from '@autopack/db';

/**
 * `GET /phases`: the predecessor's page/page_size paging over every phase (or one run's), with a
 * state filter. An unknown run_id is an empty page, as any filter that matches nothing.
 */
export async function listPhases(db: Db, query: PhaseListQuery): Promise<PhasePage> {
  const offset = (query.page - 1) * query.page_size;
  const { rows, total } = await listPhasePage(
    db,
    { ...(query.run_id !== undefined ? { runId: query.run_id } : {}), ...(query.state !== undefined ? { state: query.state } : {}) },
    query.page_size,
    offset,
  );
  return {
    items: rows.map(toPhase),
    total,
    page: query.page,
    page_size: query.page_size,
    has_next: offset + rows.length < total,
  };
}
