import type { RunIssueIndex, RunIssueIndexEntry } from '@autopack/contracts';
import { listRunIssues, type Db, type RunIssueRow } from '@autopack/db';
import { existingRun } from './existing-run';

/**
 * `GET /runs/{run_id}/issues/index`: the predecessor's RunIssueIndex, derived from the issues the
 * run recorded (phase_issues keeps one row per phase and key). Rows come oldest recording first,
 * so "first" is the first row of a key and "last" the row recorded most recently.
 */
export async function getRunIssueIndex(db: Db, runId: string): Promise<RunIssueIndex> {
  await existingRun(db, runId);
  const rows = await listRunIssues(db, runId);
  const byKey = new Map<string, RunIssueRow[]>();
  for (const row of rows) {
    const group = byKey.get(row.issue_key);
    if (group) group.push(row);
    else byKey.set(row.issue_key, [row]);
  }
  // Keys in order of first recording (JSON objects put integer-like keys such as "42" first).
  const issues_by_key: Record<string, RunIssueIndexEntry> = {};
  for (const [key, group] of byKey) issues_by_key[key] = toEntry(group);
  return { run_id: runId, issues_by_key };
}

function toEntry(group: RunIssueRow[]): RunIssueIndexEntry {
  const first = group[0]!;
  const last = group.reduce((a, b) => (b.last_seen_at > a.last_seen_at ? b : a));
  const distinct = (values: string[]) => [...new Set(values)];
  return {
    category: first.category,
    severity: first.severity,
    effective_severity: group.some((r) => r.severity === 'major') ? 'major' : 'minor',
    first_phase_index: first.phase_index,
    last_phase_index: last.phase_index,
    occurrence_count: group.reduce((n, r) => n + r.occurrence_count, 0),
    seen_in_tiers: distinct(group.map((r) => r.tier_id)),
    seen_in_phases: distinct(group.map((r) => r.phase_id)),
    first_phase_id: first.phase_id,
    last_phase_id: last.phase_id,
    first_seen_at: first.first_seen_at.toISOString(),
    last_seen_at: last.last_seen_at.toISOString(),
    evidence_refs: distinct(group.flatMap((r) => r.evidence_refs)),
  };
}
