import {
  FAILURE_COMPONENTS,
  RUN_ERROR_SUMMARY_LISTED,
  type ErrorComponent,
  type FailureReason,
  type RunErrorEntry,
  type RunErrorList,
  type RunErrorsQuery,
  type RunErrorSummary,
} from '@autopack/contracts';
import { countRunFailures, listRunFailures, type Db, type RunFailureRow } from '@autopack/db';
import { existingRun } from './existing-run';

/*
 * The predecessor's error reporter wrote crash reports to files under the run's directory. Our
 * server keeps no such files: what a run recorded as failures are its events — a phase change with
 * a failure reason (failed attempts, retried or final; lease expiries; governance rejections;
 * budget or time running out) and the run ending DONE_FAILED_*. Those are the entries here.
 */

/** Payload fields that become entry fields; the rest is the entry's context_data. */
const MAPPED = new Set(['from', 'to', 'attempt', 'failure_reason', 'message']);

/** A phase failure's component follows its reason; a run's DONE_FAILED_* state is "run". */
const componentOf = (errorType: string): ErrorComponent =>
  Object.hasOwn(FAILURE_COMPONENTS, errorType) ? FAILURE_COMPONENTS[errorType as FailureReason] : 'run';

function toEntry(row: RunFailureRow): RunErrorEntry {
  const p = row.payload;
  const ofRun = row.type === 'run_state_changed';
  const attempt = !ofRun && typeof p['attempt'] === 'number' ? p['attempt'] : null;
  const retried = !ofRun && p['to'] === 'QUEUED';
  const context = Object.fromEntries(Object.entries(p).filter(([k]) => !MAPPED.has(k)));
  return {
    id: row.id,
    timestamp: row.created_at.toISOString(),
    run_id: row.run_id,
    tier_id: row.tier_id,
    phase_id: row.phase_id,
    attempt,
    error_type: row.error_type,
    error_message: messageOf(row, attempt, retried),
    component: ofRun ? 'run' : componentOf(row.error_type),
    operation: ofRun ? 'run_finalisation' : String(p['from'] ?? 'unknown'),
    retried,
    executor_id: row.executor_id,
    actor: row.actor,
    context_data: context,
  };
}

/** The message recorded with the failure; without one, a sentence saying what happened. */
function messageOf(row: RunFailureRow, attempt: number | null, retried: boolean): string {
  const p = row.payload;
  if (row.type === 'run_state_changed') {
    return typeof p['failure_reason'] === 'string' ? p['failure_reason'] : `run ended ${row.error_type}`;
  }
  if (typeof p['message'] === 'string' && p['message'].length > 0) return p['message'];
  const which = attempt === null ? `phase ${row.phase_id}` : `phase ${row.phase_id}, attempt ${attempt},`;
  return `${which} failed with ${row.error_type}${retried ? '; queued again' : ''}`;
}

/** `GET /runs/{run_id}/errors` */
export async function listRunErrors(db: Db, runId: string, query: RunErrorsQuery): Promise<RunErrorList> {
  await existingRun(db, runId);
  // One row more than the page says whether another page follows.
  const { rows, total } = await listRunFailures(db, runId, query.after, query.limit + 1);
  const errors = rows.slice(0, query.limit).map(toEntry);
  const last = errors[errors.length - 1];
  return { run_id: runId, error_count: total, errors, next_after: rows.length > query.limit && last ? last.id : null };
}

/** `GET /runs/{run_id}/errors/summary`: plain text (as the predecessor's), plus counts. */
export async function getRunErrorSummary(db: Db, runId: string): Promise<RunErrorSummary> {
  await existingRun(db, runId);
  const counts = await countRunFailures(db, runId);
  const total = counts.reduce((n, c) => n + c.count, 0);
  const by_error_type: Record<string, number> = {};
  const by_component: Record<string, number> = {};
  for (const { error_type, count } of counts) {
    by_error_type[error_type] = count;
    const component = componentOf(error_type);
    by_component[component] = (by_component[component] ?? 0) + count;
  }
  const { rows } = total > 0 ? await listRunFailures(db, runId, 0, RUN_ERROR_SUMMARY_LISTED) : { rows: [] };
  return { run_id: runId, summary: summaryText(runId, total, by_error_type, rows.map(toEntry)), error_count: total, by_error_type, by_component };
}

const oneLine = (text: string, max: number) => {
  const flat = text.replace(/\s+/g, ' ').trim();
  return flat.length > max ? `${flat.slice(0, max - 1)}…` : flat;
};

function summaryText(runId: string, total: number, byType: Record<string, number>, entries: RunErrorEntry[]): string {
  if (total === 0) return `Run ${runId}: no failures recorded.`;
  const lines = [
    `Run ${runId}: ${total} failure${total === 1 ? '' : 's'} recorded`,
    `By type: ${Object.entries(byType)
      .map(([type, n]) => `${type} ${n}`)
      .join(', ')}`,
    '',
  ];
  entries.forEach((e, i) => {
    const where = e.phase_id === null ? 'run' : `phase ${e.phase_id}, attempt ${e.attempt ?? '-'}`;
    const outcome = e.phase_id === null ? '' : e.retried ? ', retried' : ', final';
    lines.push(`${i + 1}. ${e.timestamp} ${e.error_type} (${where}${outcome})`);
    lines.push(`   component: ${e.component}; during: ${e.operation}; reported by: ${e.actor}`);
    lines.push(`   message: ${oneLine(e.error_message, 200)}`);
  });
  if (total > entries.length) {
    lines.push(`… ${total - entries.length} more: GET /runs/${runId}/errors?after=${entries[entries.length - 1]!.id}`);
  }
  return lines.join('\n');
}
