import { findRun, type Db, type RunRow } from '@autopack/db';
import { notFound } from '../http/app-error';

/** The run, or 404 `run_not_found`: every read about one run starts here. */
export async function existingRun(db: Db, runId: string): Promise<RunRow> {
  const run = await findRun(db, runId);
  if (!run) throw notFound('run_not_found', `no run ${runId}`);
  return run;
}
