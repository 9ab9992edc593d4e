import type { RecordIssueRequest, RecordIssueResponse } from '@autopack/contracts';
import { bumpIssueCounters, toPhaseIssue, upsertPhaseIssue, type Db } from '@autopack/db';
import type { Clock } from '../clock';
import { fencePhase, recordEvent, withLockedRun } from '../kernel';
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
  return withLockedRun(db, target.runId, async (trx, locked) => {
    const now = clock.now();
    const { phase } = await fencePhase(trx, now, locked, target.phaseId, target.fence);
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
    await recordEvent(trx, now, phase, 'issue_recorded', target.actor, {
      issue_key: row.issue_key,
      severity: row.severity,
      created,
      occurrence_count: row.occurrence_count,
    });
    return { issue: toPhaseIssue(row), created };
  });
}
