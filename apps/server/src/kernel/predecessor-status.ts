import type { PredecessorStatusFields, UpdateStatusRequest, UpdateStatusResponse } from '@autopack/contracts';
import { recordUsage, type PhaseRow, type Trx } from '@autopack/db';

/**
 * The predecessor's PhaseStatusUpdate fields of an update_status body, and what they mean here
 * (docs/migration.md): the token total becomes usage, issue counts are compared with ours,
 * quality verdicts are kept in the event, attempts are counted by the server.
 */
export interface ReportedStatus {
  /** The phase's cumulative token total. */
  tokensUsed?: number;
  minorIssues?: number;
  majorIssues?: number;
  qualityLevel?: string;
  qualityBlocked?: boolean;
  /** Fields accepted without effect, named in the answer. */
  ignored: string[];
}

/** The predecessor fields of a body (null = not sent, as in its schema), or undefined when there are none. */
export function reportedStatus(body: UpdateStatusRequest): ReportedStatus | undefined {
  const given = <T>(v: T | null | undefined): v is T => v !== null && v !== undefined;
  const ignored = (['builder_attempts', 'quality_level', 'quality_blocked'] as const).filter((f) => given(body[f]));
  const counts = given(body.tokens_used) || given(body.minor_issues_count) || given(body.major_issues_count);
  if (!counts && ignored.length === 0) return undefined;
  return {
    ...(given(body.tokens_used) ? { tokensUsed: body.tokens_used } : {}),
    ...(given(body.minor_issues_count) ? { minorIssues: body.minor_issues_count } : {}),
    ...(given(body.major_issues_count) ? { majorIssues: body.major_issues_count } : {}),
    ...(given(body.quality_level) ? { qualityLevel: body.quality_level } : {}),
    ...(given(body.quality_blocked) ? { qualityBlocked: body.quality_blocked } : {}),
    ignored,
  };
}

/** The quality verdict, for the state-change event's payload. */
export function qualityPayload(reported: ReportedStatus | undefined): Record<string, unknown> | undefined {
  if (reported?.qualityLevel === undefined && reported?.qualityBlocked === undefined) return undefined;
  return {
    reported_quality: {
      ...(reported.qualityLevel !== undefined ? { quality_level: reported.qualityLevel } : {}),
      ...(reported.qualityBlocked !== undefined ? { quality_blocked: reported.qualityBlocked } : {}),
    },
  };
}

/**
 * Only the increase of the reported total over what the phase already has recorded becomes a
 * usage record (never a negative one), so repeating a report, or reporting a total that builder
 * and auditor results already counted, records nothing twice. The caller checks the budget.
 */
export async function recordReportedTokens(trx: Trx, now: Date, phase: PhaseRow, reported: ReportedStatus): Promise<number> {
  if (reported.tokensUsed === undefined) return 0;
  const increase = reported.tokensUsed - Number(phase.tokens_used);
  if (increase <= 0) return 0;
  await recordUsage(
    trx,
    {
      run_id: phase.run_id,
      phase_id: phase.phase_id,
      provider: 'unreported',
      model: 'unreported',
      role: 'reported_total',
      prompt_tokens: 0,
      completion_tokens: 0,
      total_tokens: increase,
      succeeded: true,
    },
    now,
  );
  return increase;
}

/** What the answer says about the predecessor fields: tokens recorded, our issue counts and whether theirs match. */
export function reportedAnswer(phases: readonly PhaseRow[], phaseId: string, reported: ReportedStatus, tokensRecorded: number): PredecessorStatusFields {
  const current = phases.find((p) => p.phase_id === phaseId)!;
  const ours = { minor: current.minor_issues_count, major: current.major_issues_count };
  const given = reported.minorIssues !== undefined || reported.majorIssues !== undefined;
  const match = (theirs: number | undefined, mine: number) => theirs === undefined || theirs === mine;
  return {
    tokens_recorded: tokensRecorded,
    recorded_issue_counts: ours,
    issue_counts_match: given ? match(reported.minorIssues, ours.minor) && match(reported.majorIssues, ours.major) : null,
    ignored: reported.ignored,
  };
}

/** The predecessor's `message` of an update_status answer. */
export const statusLine = (changed: UpdateStatusResponse) => `Phase ${changed.phase.phase_id} updated to state ${changed.phase.state}`;
