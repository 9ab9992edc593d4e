import type {
  ApprovalPendingItem,
  ApprovalPendingList,
  ApprovalRecord,
  ApprovalStatusRecord,
  GovernancePendingItem,
  GovernancePendingList,
  PendingQuery,
} from '@autopack/contracts';
import {
  countPendingApprovals,
  findApprovalRequest,
  listPendingApprovals,
  type ApprovalRequestKind,
  type ApprovalRequestRow,
  type Db,
} from '@autopack/db';
import { notFound } from '../http/app-error';

/* Approval and governance requests as the API shows them: one record, the pending lists, one request. */

/** Governance requests are decided on /governance/…, the other kinds on /approval/…. */
export type RequestFamily = 'governance' | 'approval';
export const KINDS: Record<RequestFamily, readonly ApprovalRequestKind[]> = {
  governance: ['governance'],
  approval: ['mass_deletion', 'quality_gate', 'other'],
};

export function toApprovalRecord(row: ApprovalRequestRow): ApprovalRecord {
  return {
    request_id: row.request_id,
    kind: row.kind,
    run_id: row.run_id,
    phase_id: row.phase_id,
    attempt: row.attempt,
    status: row.status,
    requested_paths: row.requested_paths,
    justification: row.justification,
    changed_lines: row.changed_lines,
    risk_level: row.risk_level,
    auto_approved: row.auto_approved,
    details: row.details,
    requested_by: row.requested_by,
    decided_by: row.decided_by,
    decision_reason: row.decision_reason,
    created_at: row.created_at.toISOString(),
    expires_at: row.expires_at.toISOString(),
    decided_at: row.decided_at?.toISOString() ?? null,
  };
}

export async function listGovernancePending(db: Db, query: PendingQuery): Promise<GovernancePendingList> {
  const rows = await listPendingApprovals(db, KINDS.governance, query.limit, query.offset);
  const items: GovernancePendingItem[] = rows.map((row) => ({
    ...toApprovalRecord(row),
    approved: row.status === 'pending' ? null : row.status === 'approved',
    approved_by: row.decided_by,
  }));
  // Both keys hold the same items: ours (`requests`) and the predecessor's (`pending_requests`).
  return { requests: items, pending_requests: items, count: await countPendingApprovals(db, KINDS.governance), limit: query.limit, offset: query.offset };
}

const objectOrNull = (v: unknown): Record<string, unknown> | null =>
  typeof v === 'object' && v !== null && !Array.isArray(v) ? (v as Record<string, unknown>) : null;

export async function listApprovalPending(db: Db, query: PendingQuery): Promise<ApprovalPendingList> {
  const rows = await listPendingApprovals(db, KINDS.approval, query.limit, query.offset);
  const items: ApprovalPendingItem[] = rows.map((row) => {
    const record = toApprovalRecord(row);
    const context = row.details['context'];
    return {
      ...record,
      id: record.request_id,
      context: typeof context === 'string' ? context : record.kind,
      requested_at: record.created_at,
      timeout_at: record.expires_at,
      decision_info: objectOrNull(row.details['decision_info']),
      deletion_info: objectOrNull(row.details['deletion_info']),
      telegram_sent: false,
    };
  });
  return { requests: items, count: await countPendingApprovals(db, KINDS.approval), limit: query.limit, offset: query.offset };
}

/**
 * How the predecessor would name who answered. Its `timeout` status is not ours: here the timeout
 * policy decides (approved or rejected, which is what happened to the phase), and
 * `response_method: "timeout"` says it was the policy.
 */
function responseMethod(row: ApprovalRequestRow): ApprovalStatusRecord['response_method'] {
  if (row.status === 'pending') return null;
  if (row.status === 'cancelled') return 'cancelled';
  if (row.decided_by === 'system:timeout') return 'timeout';
  if (row.auto_approved) return 'auto';
  return 'api';
}

export async function getRequest(db: Db, requestId: string): Promise<ApprovalStatusRecord> {
  const row = await findApprovalRequest(db, requestId);
  if (!row) throw notFound('request_not_found', `no request ${requestId}`);
  const record = toApprovalRecord(row);
  return {
    ...record,
    approval_id: record.request_id,
    requested_at: record.created_at,
    responded_at: record.decided_at,
    timeout_at: record.expires_at,
    approval_reason: row.status === 'approved' ? row.decision_reason : null,
    rejected_reason: row.status === 'rejected' ? row.decision_reason : null,
    response_method: responseMethod(row),
  };
}
