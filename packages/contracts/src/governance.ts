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

/** Fields of the predecessor's approval request body (its executor's BUILD-113 and quality-gate flows). */
const PREDECESSOR_APPROVAL_FIELDS = ['context', 'decision_info', 'deletion_info', 'patch_preview'] as const;

/**
 * `POST /approval/request`: other risky decisions (mass deletion, quality gate blocked, …). Either
 * ours (`kind`, `summary`, `details`) or the predecessor's (`context`, `decision_info`,
 * `deletion_info`, `patch_preview`), not a mix: the server maps the predecessor's to a kind and a
 * summary and keeps its fields in `details`.
 */
export const ApprovalRequestBody = z
  .strictObject({
    run_id: Identifier,
    phase_id: Identifier,
    kind: ApprovalKind.optional().describe('Required unless the body is in the predecessor shape (no kind, summary or details)'),
    summary: z.string().min(1).max(4000).optional().describe('Required with kind'),
    details: JsonObject.optional(),
    context: z
      .string()
      .min(1)
      .max(200)
      .optional()
      .describe('Predecessor field ("build113_risky_decision", a task category, …; default "unknown"); kept in details.context'),
    decision_info: JsonObject.nullable().optional().describe('Predecessor field; kept in details.decision_info'),
    deletion_info: JsonObject.nullable()
      .optional()
      .describe('Predecessor field (deletion figures of its quality gate); kept in details.deletion_info, makes the kind quality_gate'),
    patch_preview: z.string().max(10_000).nullable().optional().describe("Predecessor field (its executor's BUILD-113 flow); kept in details.patch_preview"),
  })
  .superRefine((body, ctx) => {
    const theirs = PREDECESSOR_APPROVAL_FIELDS.filter((f) => body[f] !== undefined);
    if (body.kind !== undefined) {
      if (body.summary === undefined) ctx.addIssue({ code: 'custom', path: ['summary'], message: 'required with kind' });
      for (const f of theirs) ctx.addIssue({ code: 'custom', path: [f], message: 'a predecessor field: send kind/summary/details or the predecessor fields, not both' });
    } else {
      for (const f of ['summary', 'details'] as const) {
        if (body[f] !== undefined) ctx.addIssue({ code: 'custom', path: ['kind'], message: `required with ${f}` });
      }
    }
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

/** `POST /approval/{request_id}/decide` */
export const DecisionRequest = z.strictObject({
  approved: z.boolean(),
  reason: z.string().min(1).max(4000),
});
export type DecisionRequest = z.infer<typeof DecisionRequest>;

/**
 * `POST /governance/approve/{request_id}`: as a JSON body `{approved, reason?}` or, as the
 * predecessor's clients send it, as query parameters (`?approved=true|false`, optionally
 * `&reason=`) without a body; never both. Without a reason the decision records one that says so.
 */
export const GovernanceDecisionRequest = z.strictObject({
  approved: z.boolean().describe('In the query string: true/false or 1/0, any case'),
  reason: z.string().min(1).max(4000).optional(),
});
export type GovernanceDecisionRequest = z.infer<typeof GovernanceDecisionRequest>;

export const DecisionResponse = UpdateStatusResponse.extend({ request: ApprovalRecord });
export type DecisionResponse = z.infer<typeof DecisionResponse>;

/** The governance decision, with the predecessor's answer fields beside ours. */
export const GovernanceDecisionResponse = DecisionResponse.extend({
  status: z.enum(['approved', 'denied']).describe("Predecessor field: the decision"),
  request_id: z.uuid().describe('Predecessor field: the request decided'),
  message: z.string().describe('Predecessor field: "Governance request approved|denied"'),
});
export type GovernanceDecisionResponse = z.infer<typeof GovernanceDecisionResponse>;

export const PendingQuery = z.strictObject({
  limit: queryInteger(1, 200).prefault(50),
  offset: queryInteger(0, 1_000_000).prefault(0),
});
export type PendingQuery = z.infer<typeof PendingQuery>;

const pendingCount = Count.describe('Pending requests in all (every page): the predecessor\'s count');

/** A pending governance request, with the predecessor's GovernanceRequest fields beside ours. */
export const GovernancePendingItem = ApprovalRecord.extend({
  approved: z.boolean().nullable().describe('Predecessor field: null while pending, true approved, false rejected or cancelled'),
  approved_by: z.string().nullable().describe('Predecessor field: who decided (our decided_by)'),
});
export type GovernancePendingItem = z.infer<typeof GovernancePendingItem>;

export const GovernancePendingList = z.strictObject({
  requests: z.array(GovernancePendingItem).describe('Oldest first (created_at, then request_id)'),
  pending_requests: z.array(GovernancePendingItem).describe("The same items under the predecessor's key"),
  count: pendingCount,
  limit: Count,
  offset: Count,
});
export type GovernancePendingList = z.infer<typeof GovernancePendingList>;

/** A pending approval request, with the predecessor's fields beside ours. */
export const ApprovalPendingItem = ApprovalRecord.extend({
  id: z.uuid().describe('Predecessor field: the request_id'),
  context: z.string().describe("Predecessor field: the context it was filed with, or our kind"),
  requested_at: Timestamp.describe('Predecessor field: created_at'),
  timeout_at: Timestamp.describe('Predecessor field: expires_at'),
  decision_info: JsonObject.nullable().describe('Predecessor field, from details.decision_info'),
  deletion_info: JsonObject.nullable().describe('Predecessor field, from details.deletion_info'),
  telegram_sent: z.boolean().describe('Predecessor field: always false (notifications are not sent from this request)'),
});
export type ApprovalPendingItem = z.infer<typeof ApprovalPendingItem>;

export const ApprovalPendingList = z.strictObject({
  requests: z.array(ApprovalPendingItem).describe('Oldest first (created_at, then request_id)'),
  count: pendingCount,
  limit: Count,
  offset: Count,
});
export type ApprovalPendingList = z.infer<typeof ApprovalPendingList>;

/** `GET /approval/status/{request_id}`: the record with the predecessor's status fields beside ours. */
export const ApprovalStatusRecord = ApprovalRecord.extend({
  approval_id: z.uuid().describe('Predecessor field: the request_id'),
  requested_at: Timestamp.describe('Predecessor field: created_at'),
  responded_at: Timestamp.nullable().describe('Predecessor field: decided_at'),
  timeout_at: Timestamp.describe('Predecessor field: expires_at'),
  approval_reason: z.string().nullable().describe('Predecessor field: decision_reason when approved'),
  rejected_reason: z.string().nullable().describe('Predecessor field: decision_reason when rejected'),
  response_method: z
    .enum(['api', 'auto', 'timeout', 'cancelled'])
    .nullable()
    .describe('Predecessor field: null while pending; api (a person), auto (auto-approval), timeout (the timeout policy decided: status says how), cancelled'),
});
export type ApprovalStatusRecord = z.infer<typeof ApprovalStatusRecord>;

/** The answer of `POST /approval/request`: ours, plus the predecessor's answer fields. */
export const ApprovalRequestFiled = ApprovalFiled.extend({
  status: ApprovalStatus.describe('Predecessor field: the request\'s status (pending)'),
  approval_id: z.uuid().describe('Predecessor field: the request_id, for GET /approval/status/{id}'),
  reason: z.string().describe('Predecessor field: what happens next'),
  telegram_sent: z.boolean().describe('Predecessor field: always false'),
  timeout_at: Timestamp.describe('Predecessor field: expires_at'),
});
export type ApprovalRequestFiled = z.infer<typeof ApprovalRequestFiled>;
