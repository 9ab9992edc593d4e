import type { DecisionResponse, GovernanceDecisionResponse } from '@autopack/contracts';
import { decideApprovalRequest, findApprovalRequest, transaction, type Db, type Trx } from '@autopack/db';
import type { Clock } from '../clock';
import type { ServerConfig } from '../config';
import { conflict, notFound } from '../http/app-error';
import { lockRunOf, recordEvent, resolveBlocked, type LockedRun } from '../kernel';
import { KINDS, toApprovalRecord, type RequestFamily } from './approval-reads';

/* Deciding a request, by an operator or by the timeout policy (SPEC §4.7). */

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
