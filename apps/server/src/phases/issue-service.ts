import type { RecordIssueRequest, RecordIssueResponse } from '@autopack/contracts';
import { appendEvent, bumpIssueCounters, toPhaseIssue, transaction, upsertPhaseIssue, type Db } from '@autopack/db';
import type { Clock } from '../clock';
import { lockPhaseForWrite } from './phase-lifecycle';
import type { Target } from './result-service';

/**
 * SPEC §4.5: one issue per (phase, issue_key). A repeat counts an occurrence; only a new issue
 * raises the minor/major counters of its phase, tier and run.
 */
export async function recordIssue(
  db: Db,
  clock: Clock,
  target: Target,
  body: RecordIssueRequest,
): Promise<RecordIssueResponse> {
  return transaction(db, async (trx) => {
    const now = clock.now();
    const { phase } = await lockPhaseForWrite(trx, now, target, target.fence);
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
