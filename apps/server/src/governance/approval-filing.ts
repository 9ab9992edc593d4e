import { randomUUID } from 'node:crypto';
import type {
  ApplyRiskLevel,
  ApprovalFiled,
  ApprovalKind,
  ApprovalRequestBody,
  ApprovalRequestFiled,
  GovernanceRequestBody,
} from '@autopack/contracts';
import { insertApprovalRequest, type ApprovalRequestKind, type Db, type Trx } from '@autopack/db';
import type { Clock } from '../clock';
import type { ServerConfig } from '../config';
import { conflict } from '../http/app-error';
import { blockPhase, fencePhase, recordEvent, withLockedRun, type Fence, type LockedRun } from '../kernel';
import { rateGovernanceRequest } from './risk';
import { toApprovalRecord } from './approval-reads';

/* Filing a request (SPEC §4.7): governance requests rated by risk, the other kinds always for a person. */

export interface Filer {
  actor: string;
  fence: Fence;
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
