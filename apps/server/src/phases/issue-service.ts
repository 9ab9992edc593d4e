import type { RecordIssueRequest, RecordIssueResponse } from '@autopack/contracts';
import { appendEvent, bumpIssueCounters, toPhaseIssue, transaction, upsertPhaseIssue, type Db } from '@autopack/db';
import type { Clock } from '../clock';
import { notFound } from '../http/app-error';
import { lockRunPhases } from './phase-lifecycle';

/**
 * SPEC §4.5: one issue per (phase, issue_key). A repeat counts an occurrence; only a new issue
 * raises the minor/major counters of its phase, tier and run.
 */
export async function recordIssue(
  db: Db,
  clock: Clock,
  target: { runId: string; phaseId: string; actor: string },
  body: RecordIssueRequest,
): Promise<RecordIssueResponse> {
  return transaction(db, async (trx) => {
    const now = clock.now();
    const { phases } = await lockRunPhases(trx, target.runId);
    const phase = phases.find((p) => p.phase_id === target.phaseId);
    if (!phase) throw notFound('phase_not_found', `run ${target.runId} has no phase ${target.phaseId}`);
    const { row, created } = await upsertPhaseIssue(
      trx,
      {
        run_id: target.runId,
        phase_id: target.phaseId,
        tier_id: phase.tier_id,
        issue_key: body.issue_key,
        severity: body.severity,
        source: body.source,
        category: body.category,
        evidence_refs: body.evidence_refs,
        description: body.description ?? null,
      },
      now,
    );
    if (created) await bumpIssueCounters(trx, { run_id: target.runId, tier_id: phase.tier_id, phase_id: target.phaseId }, row.severity);
    await appendEvent(trx, {
      run_id: target.runId,
      tier_id: phase.tier_id,
      phase_id: target.phaseId,
      type: 'issue_recorded',
      actor: target.actor,
      payload: { issue_key: row.issue_key, severity: row.severity, created, occurrence_count: row.occurrence_count },
      created_at: now,
    });
    return { issue: toPhaseIssue(row), created };
  });
}
