import { randomUUID } from 'node:crypto';
import type {
  ApplyRiskLevel,
  ApprovalFiled,
  ApprovalKind,
  ApprovalPendingItem,
  ApprovalPendingList,
  ApprovalRecord,
  ApprovalRequestBody,
  ApprovalRequestFiled,
  ApprovalStatusRecord,
  DecisionResponse,
  GovernanceDecisionResponse,
  GovernancePendingItem,
  GovernancePendingList,
  GovernanceRequestBody,
  PendingQuery,
} from '@autopack/contracts';
import {
  countPendingApprovals,
  decideApprovalRequest,
  findApprovalRequest,
  insertApprovalRequest,
  listPendingApprovals,
  transaction,
  type ApprovalRequestKind,
  type ApprovalRequestRow,
  type Db,
  type Trx,
} from '@autopack/db';
import type { Clock } from '../clock';
import type { ServerConfig } from '../config';
import { conflict, notFound } from '../http/app-error';
import { blockPhase, fencePhase, lockRunOf, recordEvent, resolveBlocked, withLockedRun, type Fence, type LockedRun } from '../kernel';
import { rateGovernanceRequest } from './risk';

/** Governance requests are decided on /governance/…, the other kinds on /approval/…. */
export type RequestFamily = 'governance' | 'approval';
const KINDS: Record<RequestFamily, readonly ApprovalRequestKind[]> = {
  governance: ['governance'],
  approval: ['mass_deletion', 'quality_gate', 'other'],
};

export interface Filer {
  actor: string;
  fence: Fence;
}

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

interface Filing {
  kind: ApprovalRequestKind;
  run_id: string;
  phase_id: string;
  requested_paths: string[];
  justification: string;
  changed_lines: number;
  risk_level: ApplyRiskLevel | null;
  details: Record<string, unknown>;
  autoApprove: boolean;
}

/**
 * Files a request for a phase its executor is working on (fenced by the lease), on the run the
 * caller has locked. Unless the rules approve it at once, the phase waits in BLOCKED (its lease
 * ends) until an operator, or the timeout policy, decides.
 */
async function file(trx: Trx, clock: Clock, config: ServerConfig, locked: LockedRun, filer: Filer, filing: Filing): Promise<ApprovalFiled> {
  const now = clock.now();
  const { phase } = await fencePhase(trx, now, locked, filing.phase_id, filer.fence);
  if (!['EXECUTING', 'GATE', 'CI_RUNNING'].includes(phase.state)) {
    throw conflict('illegal_transition', `phase ${phase.phase_id} is ${phase.state}: only an active phase can ask for a decision`, {
      from: phase.state,
      to: 'BLOCKED',
    });
  }
  const row = await insertApprovalRequest(trx, {
    request_id: randomUUID(),
    kind: filing.kind,
    run_id: filing.run_id,
    phase_id: filing.phase_id,
    attempt: phase.attempt,
    status: filing.autoApprove ? 'approved' : 'pending',
    requested_paths: filing.requested_paths,
    justification: filing.justification,
    changed_lines: filing.changed_lines,
    risk_level: filing.risk_level,
    auto_approved: filing.autoApprove,
    details: filing.details,
    requested_by: filer.actor,
    decided_by: filing.autoApprove ? 'system' : null,
    decision_reason: filing.autoApprove ? 'auto-approved: low risk (tests and docs only, at most 100 changed lines)' : null,
    created_at: now,
    expires_at: new Date(now.getTime() + config.approvals.timeoutMinutes * 60_000),
    decided_at: filing.autoApprove ? now : null,
  });
  await recordEvent(trx, now, phase, 'approval_requested', filer.actor, {
    request_id: row.request_id,
    kind: row.kind,
    risk_level: row.risk_level,
    requested_paths: row.requested_paths,
    auto_approved: row.auto_approved,
  });
  if (filing.autoApprove) {
    await recordEvent(trx, now, phase, 'approval_decided', 'system', { request_id: row.request_id, kind: row.kind, approved: true, auto: true });
    return { request: toApprovalRecord(row), phase_state: phase.state };
  }
  const blocked = await blockPhase(trx, now, locked, phase, filer.actor, `waiting for ${row.kind} decision ${row.request_id}`);
  return { request: toApprovalRecord(row), phase_state: blocked.phase.state };
}

/** `POST /governance/requests`: the server rates the risk; only low risk is approved at once (SPEC §4.7). */
export async function fileGovernanceRequest(
  db: Db,
  clock: Clock,
  config: ServerConfig,
  filer: Filer,
  body: GovernanceRequestBody,
): Promise<ApprovalFiled> {
  return withLockedRun(db, body.run_id, async (trx, locked) => {
    const rating = rateGovernanceRequest(body.requested_paths, body.changed_lines, locked.run.safety_profile);
    return file(trx, clock, config, locked, filer, {
      kind: 'governance',
      run_id: body.run_id,
      phase_id: body.phase_id,
      requested_paths: rating.paths,
      justification: body.justification,
      changed_lines: body.changed_lines,
      risk_level: rating.risk,
      details: {},
      autoApprove: rating.autoApprove,
    });
  });
}

/**
 * The predecessor's approval body (`context`, `decision_info`, `deletion_info`, `patch_preview`)
 * as one of ours: its quality-gate flow is the one that sends deletion figures, everything else
 * (BUILD-113 risky decisions, …) is `other`. Its fields are kept in `details`.
 */
function fromPredecessor(body: ApprovalRequestBody): { kind: ApprovalKind; summary: string; details: Record<string, unknown> } {
  const context = body.context ?? 'unknown';
  const info = body.decision_info ?? null;
  const rationale = typeof info?.['rationale'] === 'string' && info['rationale'].length > 0 ? `: ${info['rationale']}` : '';
  return {
    kind: body.deletion_info ? 'quality_gate' : 'other',
    summary: `approval requested (context: ${context})${rationale}`.slice(0, 4000),
    details: {
      context,
      decision_info: info,
      deletion_info: body.deletion_info ?? null,
      ...(body.patch_preview ? { patch_preview: body.patch_preview } : {}),
    },
  };
}

/** `POST /approval/request`: mass deletion, quality gate and other risky decisions; never automatic. */
export async function fileApprovalRequest(
  db: Db,
  clock: Clock,
  config: ServerConfig,
  filer: Filer,
  body: ApprovalRequestBody,
): Promise<ApprovalRequestFiled> {
  const request = body.kind !== undefined ? { kind: body.kind, summary: body.summary!, details: body.details ?? {} } : fromPredecessor(body);
  const filed = await withLockedRun(db, body.run_id, (trx, locked) =>
    file(trx, clock, config, locked, filer, {
      kind: request.kind,
      run_id: body.run_id,
      phase_id: body.phase_id,
      requested_paths: [],
      justification: request.summary,
      changed_lines: 0,
      risk_level: null,
      details: request.details,
      autoApprove: false,
    }),
  );
  const { timeoutMinutes, onTimeout } = config.approvals;
  return {
    ...filed,
    status: filed.request.status,
    approval_id: filed.request.request_id,
    reason: `awaiting an operator's decision (POST /approval/${filed.request.request_id}/decide); after ${timeoutMinutes} minutes the timeout policy will ${onTimeout}`,
    telegram_sent: false,
    timeout_at: filed.request.expires_at,
  };
}

export interface Decision {
  requestId: string;
  approved: boolean;
  reason: string;
  actor: string;
}

/**
 * `POST /governance/approve/{id}` with the predecessor's answer fields. Its clients send no reason
 * (`?approved=true`): the decision then records one that says so.
 */
export async function decideGovernance(
  db: Db,
  clock: Clock,
  decision: Omit<Decision, 'reason'> & { reason?: string | undefined },
): Promise<GovernanceDecisionResponse> {
  const verdict = decision.approved ? 'approved' : 'denied';
  const decided = await decideRequest(db, clock, 'governance', {
    ...decision,
    reason: decision.reason ?? `${verdict} without a reason (POST /governance/approve)`,
  });
  return { ...decided, status: verdict, request_id: decided.request.request_id, message: `Governance request ${verdict}` };
}

/**
 * An operator's decision (or the timeout policy's): approved → the phase is QUEUED again and its
 * next attempt gets the grants; rejected → FAILED (`policy_rejected`), the run
 * DONE_FAILED_POLICY_VIOLATION. A request is decided once: again is 409 `already_decided`.
 */
export async function decideRequest(db: Db, clock: Clock, family: RequestFamily, decision: Decision): Promise<DecisionResponse> {
  return transaction(db, async (trx) => {
    const now = clock.now();
    const found = await lockRunOf(trx, (t) => findApprovalRequest(t, decision.requestId));
    if (!found || !KINDS[family].includes(found.row.kind)) {
      throw notFound('request_not_found', `no ${family} request ${decision.requestId}`);
    }
    const result = await decideLocked(trx, now, found.locked, decision);
    if (!result) {
      // Read under the run lock, which every decision takes: the row is as current as it gets.
      const current = found.row;
      throw conflict('already_decided', `request ${decision.requestId} is ${current.status} already`, {
        status: current.status,
        decided_by: current.decided_by,
        decided_at: current.decided_at?.toISOString() ?? null,
      });
    }
    return result;
  });
}

async function decideLocked(trx: Trx, now: Date, locked: LockedRun, decision: Decision): Promise<DecisionResponse | undefined> {
  const row = await decideApprovalRequest(trx, decision.requestId, {
    status: decision.approved ? 'approved' : 'rejected',
    decided_by: decision.actor,
    decision_reason: decision.reason,
    decided_at: now,
  });
  if (!row) return undefined;
  const phase = locked.phases.find((p) => p.phase_id === row.phase_id)!;
  await recordEvent(trx, now, phase, 'approval_decided', decision.actor, {
    request_id: row.request_id,
    kind: row.kind,
    approved: decision.approved,
    reason: decision.reason,
  });
  const changed = await resolveBlocked(trx, now, locked, phase, decision);
  return { ...changed, request: toApprovalRecord(row) };
}

/** Reaper: a pending request past its deadline is decided by AUTOPACK_APPROVAL_DEFAULT_ON_TIMEOUT. */
export async function timeOutRequest(db: Db, clock: Clock, config: ServerConfig, requestId: string): Promise<boolean> {
  return transaction(db, async (trx) => {
    const now = clock.now();
    const found = await lockRunOf(trx, (t) => findApprovalRequest(t, requestId));
    if (!found) return false;
    const { row, locked } = found;
    if (row.status !== 'pending' || row.expires_at > now) return false;
    const approved = config.approvals.onTimeout === 'approve';
    const decided = await decideLocked(trx, now, locked, {
      requestId,
      approved,
      actor: 'system:timeout',
      reason: `no decision within ${config.approvals.timeoutMinutes} minutes; the timeout policy ${approved ? 'approves' : 'rejects'}`,
    });
    return decided !== undefined;
  });
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
