import type { Phase, PhaseCounts, PhaseIssue, PhaseState, Run, RunEvent, Tier } from '@autopack/contracts';
import { PHASE_STATES } from '@autopack/contracts';
import type { PhaseIssueRow, PhaseRow, RunEventRow, RunRow, TierRow } from './schema';

const iso = (d: Date) => d.toISOString();
const isoOrNull = (d: Date | null) => (d ? d.toISOString() : null);

/** The predecessor's debt_status, from the run's issue counters. */
function debtStatus(row: RunRow): Run['debt_status'] {
  if (row.major_issues_count > 0) return 'has_major_issues';
  return row.minor_issues_count > 0 ? 'has_minor_issues' : 'clean';
}

export function toRun(row: RunRow): Run {
  return {
    id: row.run_id,
    ci_runs_used: row.ci_runs_used,
    promotion_eligible_to_main: row.state === 'DONE_SUCCESS' && row.major_issues_count === 0 ? 'true' : 'false',
    debt_status: debtStatus(row),
    run_id: row.run_id,
    state: row.state,
    safety_profile: row.safety_profile,
    run_scope: row.run_scope,
    token_cap: Number(row.token_cap),
    max_phases: row.max_phases,
    max_duration_minutes: row.max_duration_minutes,
    goal_anchor: row.goal_anchor,
    repo: row.repo,
    base_commit: row.base_commit,
    on_phase_failure: row.on_phase_failure,
    tokens_used: Number(row.tokens_used),
    minor_issues_count: row.minor_issues_count,
    major_issues_count: row.major_issues_count,
    failure_reason: row.failure_reason,
    created_at: iso(row.created_at),
    updated_at: iso(row.updated_at),
    started_at: isoOrNull(row.started_at),
    completed_at: isoOrNull(row.completed_at),
  };
}

export function toTier(row: TierRow): Tier {
  return {
    id: row.tier_id,
    cleanliness: row.major_issues_count > 0 ? 'not_clean' : 'clean',
    run_id: row.run_id,
    tier_id: row.tier_id,
    tier_index: row.tier_index,
    name: row.name,
    description: row.description,
    state: row.state,
    minor_issues_count: row.minor_issues_count,
    major_issues_count: row.major_issues_count,
  };
}

export function toPhase(row: PhaseRow): Phase {
  return {
    id: row.phase_id,
    run_id: row.run_id,
    phase_id: row.phase_id,
    tier_id: row.tier_id,
    tier_index: row.tier_index,
    phase_index: row.phase_index,
    name: row.name,
    description: row.description,
    task_category: row.task_category,
    complexity: row.complexity,
    builder_mode: row.builder_mode,
    builder_kind: row.builder_kind,
    scope: row.scope,
    intention_refs: row.intention_refs,
    ci: row.ci as Phase['ci'],
    max_attempts: row.max_attempts,
    attempt: row.attempt,
    state: row.state,
    tokens_used: Number(row.tokens_used),
    minor_issues_count: row.minor_issues_count,
    major_issues_count: row.major_issues_count,
    failure_reason: row.failure_reason,
    created_at: iso(row.created_at),
    updated_at: iso(row.updated_at),
    started_at: isoOrNull(row.started_at),
    completed_at: isoOrNull(row.completed_at),
  };
}

export function toRunEvent(row: RunEventRow): RunEvent {
  return {
    id: Number(row.id),
    run_id: row.run_id,
    tier_id: row.tier_id,
    phase_id: row.phase_id,
    type: row.type as RunEvent['type'],
    actor: row.actor,
    payload: row.payload,
    created_at: iso(row.created_at),
  };
}

export function toPhaseIssue(row: PhaseIssueRow): PhaseIssue {
  return {
    run_id: row.run_id,
    phase_id: row.phase_id,
    tier_id: row.tier_id,
    issue_key: row.issue_key,
    severity: row.severity,
    source: row.source,
    category: row.category,
    evidence_refs: row.evidence_refs,
    description: row.description,
    occurrence_count: row.occurrence_count,
    first_seen_at: iso(row.first_seen_at),
    last_seen_at: iso(row.last_seen_at),
  };
}

/** `{QUEUED: 3, ...}` as aggregated by SQL (states with no phase are absent) → full counts. */
export function toPhaseCounts(byState: Partial<Record<PhaseState, number | string>> | null): PhaseCounts {
  const counts = Object.fromEntries(PHASE_STATES.map((s) => [s, Number(byState?.[s] ?? 0)])) as Record<
    PhaseState,
    number
  >;
  const total = PHASE_STATES.reduce((sum, s) => sum + counts[s], 0);
  return { total, ...counts };
}
