import type { Claim, PriorAttempt } from '@autopack/contracts';
import { feedbackFromClaim } from '../src/pipeline/claim-task';

const attempt = (over: Partial<PriorAttempt>): PriorAttempt => ({
  attempt: 1,
  outcome: 'failed',
  failure_reason: 'ci_fail',
  message: null,
  newly_failing: [],
  started_at: '2026-01-01T00:00:00.000Z',
  ended_at: '2026-01-01T00:01:00.000Z',
  builder: null,
  auditor: null,
  artifacts: [],
  ...over,
});

describe('feedback from a claim', () => {
  it("takes the broken tests from the attempt's newly_failing field, never from its message", () => {
    const claim = {
      prior_attempts: [
        attempt({ attempt: 1, message: 'newly failing: from::the message', newly_failing: ['suite::a', 'suite::b, with a comma'] }),
        attempt({ attempt: 2, failure_reason: 'auditor_reject', message: 'newly failing: not a list', auditor: { recommendation: 'revise', confidence: 'low', review_notes: '', issues_found: [{ description: 'no test' }] } }),
        attempt({ attempt: 3, outcome: 'running', failure_reason: null }),
      ],
    } as unknown as Claim;
    expect(feedbackFromClaim(claim)).toEqual([
      { attempt: 1, failureReason: 'ci_fail', message: 'newly failing: from::the message', newlyFailing: ['suite::a', 'suite::b, with a comma'], auditorIssues: [] },
      { attempt: 2, failureReason: 'auditor_reject', message: 'newly failing: not a list', newlyFailing: [], auditorIssues: ['no test'] },
    ]);
  });
});
