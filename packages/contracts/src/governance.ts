import { z } from 'zod';
import { ApplyRiskLevel } from './apply-report';
import { ApprovalKind } from './claims';
import { Count, Identifier, JsonObject, queryInteger, Timestamp } from './common';
import { UpdateStatusResponse } from './phase-writes';

/**
 * A requested path is one literal repository path, whatever characters its name holds: template
 * repositories have real files named `{{cookiecutter.slug}}/.env.example`, Next.js has
 * `app/[slug]/`. It is never read as a glob: grants match literally, and the server rates a path
 * that a glob reader would take for a pattern (`**` + `/*.txt`, `!docs/a.md`) critical, so a
 * person decides it.
 */
const requestedPath = z.string().min(1).max(1024);

/** `POST /governance/requests`: governed apply met a protected path; the phase waits (BLOCKED). */
export const GovernanceRequestBody = z.strictObject({
  run_id: Identifier,
  phase_id: Identifier,
  requested_paths: z.array(requestedPath).min(1).max(500),
  justification: z.string().min(1).max(4000),
  changed_lines: z.int().min(0).max(10_000_000).default(0).describe('Lines the change adds plus removes; bounds auto-approval'),
});
export type GovernanceRequestBody = z.infer<typeof GovernanceRequestBody>;

/** `POST /approval/request`: other risky decisions (mass deletion, quality gate blocked, …). */
export const ApprovalRequestBody = z.strictObject({
  run_id: Identifier,
  phase_id: Identifier,
  kind: ApprovalKind,
  summary: z.string().min(1).max(4000),
  details: JsonObject.optional(),
});
export type ApprovalRequestBody = z.infer<typeof ApprovalRequestBody>;

export const APPROVAL_STATUSES = ['pending', 'approved', 'rejected', 'cancelled'] as const;
export const ApprovalStatus = z.enum(APPROVAL_STATUSES);
export type ApprovalStatus = z.infer<typeof ApprovalStatus>;

/** A governance request or an approval request, with its decision. */
export const ApprovalRecord = z.strictObject({
  request_id: z.uuid(),
  kind: z.enum(['governance', ...ApprovalKind.options]),
  run_id: Identifier,
  phase_id: Identifier,
  attempt: Count,
  status: ApprovalStatus,
  requested_paths: z.array(z.string()),
  justification: z.string(),
  changed_lines: Count,
  risk_level: ApplyRiskLevel.nullable().describe('Computed by the server for governance requests'),
  auto_approved: z.boolean(),
  details: JsonObject,
  requested_by: z.string(),
  decided_by: z.string().nullable().describe('The operator, "system" (auto-approval) or "system:timeout"'),
  decision_reason: z.string().nullable(),
  created_at: Timestamp,
  expires_at: Timestamp.describe('When the timeout policy decides a request nobody decided'),
  decided_at: Timestamp.nullable(),
});
export type ApprovalRecord = z.infer<typeof ApprovalRecord>;

export const ApprovalFiled = z.strictObject({
  request: ApprovalRecord,
  phase_state: z.string().describe('BLOCKED while pending; unchanged when the request was auto-approved'),
});
export type ApprovalFiled = z.infer<typeof ApprovalFiled>;

export const RequestPathParams = z.strictObject({ request_id: z.uuid({ message: 'must be a request id (UUID)' }) });

/** `POST /governance/approve/{request_id}` and `POST /approval/{request_id}/decide` */
export const DecisionRequest = z.strictObject({
  approved: z.boolean(),
  reason: z.string().min(1).max(4000),
});
export type DecisionRequest = z.infer<typeof DecisionRequest>;

export const DecisionResponse = UpdateStatusResponse.extend({ request: ApprovalRecord });
export type DecisionResponse = z.infer<typeof DecisionResponse>;

export const PendingQuery = z.strictObject({
  limit: queryInteger(1, 200).prefault(50),
  offset: queryInteger(0, 1_000_000).prefault(0),
});
export type PendingQuery = z.infer<typeof PendingQuery>;

export const PendingList = z.strictObject({
  requests: z.array(ApprovalRecord).describe('Oldest first (created_at, then request_id)'),
  limit: Count,
  offset: Count,
});
export type PendingList = z.infer<typeof PendingList>;
