import type { AuditorResult, BuilderResult, ResultReceipt } from '@autopack/contracts';
import { insertAuditorResult, insertBuilderResult, recordUsage, type Db } from '@autopack/db';
import type { Clock } from '../clock';
import { validationError } from '../http/app-error';
import { enforceBudget, fencePhase, recordEvent, withLockedRun, type Fence } from '../kernel';

export interface Target {
  runId: string;
  phaseId: string;
  actor: string;
  fence: Fence;
}

/** SPEC §4.5: the ids in the body must name the phase of the URL. */
function checkIds(target: Target, body: { run_id: string; phase_id: string }): void {
  const issues = [];
  if (body.run_id !== target.runId) {
    issues.push({ path: 'body.run_id', message: `must equal the run_id of the URL ("${target.runId}")` });
  }
  if (body.phase_id !== target.phaseId) {
    issues.push({ path: 'body.phase_id', message: `must equal the phase_id of the URL ("${target.phaseId}")` });
  }
  if (issues.length > 0) throw validationError(issues);
}

async function recordResult(
  db: Db,
  clock: Clock,
  target: Target,
  role: 'builder' | 'auditor',
  body: BuilderResult | AuditorResult,
  store: (trx: Db, key: { run_id: string; phase_id: string; attempt: number; created_at: Date }) => Promise<{ id: number }>,
  summary: Record<string, unknown>,
): Promise<ResultReceipt> {
  checkIds(target, body);
  return withLockedRun(db, target.runId, async (trx, locked) => {
    const now = clock.now();
    const { phase } = await fencePhase(trx, now, locked, target.phaseId, target.fence);
    const key = { run_id: target.runId, phase_id: target.phaseId, attempt: phase.attempt, created_at: now };
    const stored = await store(trx, key);
    if (body.tokens_used > 0) {
      await recordUsage(
        trx,
        {
          run_id: target.runId,
          phase_id: target.phaseId,
          provider: body.provider ?? 'unreported',
          model: body.model ?? 'unreported',
          role,
          prompt_tokens: 0,
          completion_tokens: 0,
          total_tokens: body.tokens_used,
          succeeded: true,
        },
        now,
      );
    }
    await recordEvent(trx, now, phase, role === 'builder' ? 'builder_result' : 'auditor_result', target.actor, {
      result_id: stored.id,
      attempt: phase.attempt,
      tokens_used: body.tokens_used,
      ...summary,
    });
    if (body.tokens_used > 0) await enforceBudget(trx, now, locked, target.actor);
    return { id: stored.id, run_id: target.runId, phase_id: target.phaseId, attempt: phase.attempt, created_at: now.toISOString() };
  });
}

/** Persists the whole BuilderResult; the event carries only a summary (never the patch). */
export function recordBuilderResult(db: Db, clock: Clock, target: Target, body: BuilderResult): Promise<ResultReceipt> {
  return recordResult(db, clock, target, 'builder', body, (trx, key) => insertBuilderResult(trx, key, body.status, body), {
    status: body.status,
    files_changed: body.files_changed.length,
    lines_added: body.lines_added,
    lines_removed: body.lines_removed,
  });
}

export function recordAuditorResult(db: Db, clock: Clock, target: Target, body: AuditorResult): Promise<ResultReceipt> {
  const verdict = { recommendation: body.recommendation, confidence: body.confidence };
  return recordResult(db, clock, target, 'auditor', body, (trx, key) => insertAuditorResult(trx, key, verdict, body), {
    ...verdict,
    issues_found: body.issues_found.length,
  });
}
