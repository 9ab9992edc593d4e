import type { Claim } from '@autopack/contracts';
import type { AttemptFeedback, PhaseTask } from '../task';

/** The attempt a claim hands over, in the executor's terms. */
export function taskFromClaim(claim: Claim): PhaseTask {
  const { phase, run } = claim;
  return {
    runId: run.run_id,
    phaseId: phase.phase_id,
    attempt: claim.attempt,
    name: phase.name,
    description: phase.description,
    goal: run.goal_anchor,
    scope: phase.scope,
    ci: phase.ci,
    builder: phase.builder,
  };
}

/** What earlier attempts of the phase left: failure reasons, broken tests, auditor issues (SPEC §4.6). */
export function feedbackFromClaim(claim: Claim): AttemptFeedback[] {
  return claim.prior_attempts
    .filter((a) => a.outcome !== 'running')
    .map((a) => ({
      attempt: a.attempt,
      failureReason: a.failure_reason,
      message: a.message,
      newlyFailing: a.newly_failing,
      auditorIssues: (a.auditor?.issues_found ?? []).map((i) => String(i['description'] ?? i['text'] ?? JSON.stringify(i))),
    }));
}
