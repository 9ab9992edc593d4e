import {
  toPhase,
  toRun,
  findClaimablePhase,
  listApproved,
  listAttempts,
  listPhaseArtifacts,
  listPhaseResults,
  transaction,
  type ArtifactMeta,
  type Db,
  type Trx,
} from '@autopack/db';
import type { BuilderSpec, Claim, CompletedPhase, PriorAttempt } from '@autopack/contracts';
import { isExecutionPaused } from '../admin/execution-pause';
import type { Clock } from '../clock';
import { claimPhase, type GrantedLease } from '../kernel';

export interface ClaimInput {
  executorId: string;
  actor: string;
  leaseSeconds: number;
}

/** How many candidates one claim looks at when the ones it picked turn out stale under the run lock. */
const CANDIDATES_PER_CLAIM = 5;

/**
 * One claim, one transaction (SPEC §4.3): the claimable phase is found and locked with
 * FOR UPDATE SKIP LOCKED, re-checked and moved to EXECUTING under its run's lock, and answered with
 * everything the executor needs. Undefined when nothing is ready or execution is paused.
 */
export async function claimNextPhase(db: Db, clock: Clock, input: ClaimInput): Promise<Claim | undefined> {
  return transaction(db, async (trx) => {
    if (await isExecutionPaused(trx)) return undefined;
    const now = clock.now();
    const stale: string[] = [];
    for (let i = 0; i < CANDIDATES_PER_CLAIM; i++) {
      const candidate = await findClaimablePhase(trx, now, stale);
      if (!candidate) return undefined;
      const granted = await claimPhase(trx, now, { runId: candidate.run_id, phaseId: candidate.phase_id }, input);
      if (granted) return assembleClaim(trx, granted);
      stale.push(candidate.run_id);
    }
    return undefined;
  });
}

async function assembleClaim(trx: Trx, granted: GrantedLease): Promise<Claim> {
  const { lease, token, locked, phase } = granted;
  const runId = locked.run.run_id;
  const approved = await listApproved(trx, runId, phase.phase_id);
  const completed = locked.phases.filter((p) => p.state === 'COMPLETE');
  const artifacts = await listPhaseArtifacts(trx, runId, [phase.phase_id, ...completed.map((p) => p.phase_id)]);
  return {
    lease_id: lease.lease_id,
    lease_token: token,
    lease_expires_at: lease.expires_at.toISOString(),
    executor_id: lease.executor_id,
    attempt: lease.attempt,
    run: pickRun(locked.run),
    phase: {
      ...toPhase(phase),
      builder: (phase.builder as BuilderSpec | null) ?? null,
      grants: [...new Set(approved.filter((a) => a.kind === 'governance').flatMap((a) => a.requested_paths))],
      approvals: [...new Set(approved.flatMap((a) => (a.kind === 'governance' ? [] : [a.kind])))],
    },
    prior_attempts: await priorAttempts(trx, runId, phase.phase_id, lease.attempt, artifacts),
    completed_phases: completed.map(
      (p): CompletedPhase => ({
        phase_id: p.phase_id,
        tier_id: p.tier_id,
        attempt: p.attempt,
        completed_at: p.completed_at?.toISOString() ?? null,
        patch_artifact_ids: artifacts
          .filter((a) => a.phase_id === p.phase_id && a.attempt === p.attempt && a.kind === 'patch')
          .map((a) => Number(a.artifact_id)),
      }),
    ),
  };
}

function pickRun(row: GrantedLease['locked']['run']): Claim['run'] {
  const run = toRun(row);
  return {
    run_id: run.run_id,
    state: run.state,
    safety_profile: run.safety_profile,
    run_scope: run.run_scope,
    goal_anchor: run.goal_anchor,
    repo: run.repo,
    base_commit: run.base_commit,
    on_phase_failure: run.on_phase_failure,
    token_cap: run.token_cap,
    tokens_used: run.tokens_used,
    max_duration_minutes: run.max_duration_minutes,
    started_at: run.started_at,
  };
}

/** The feedback of every earlier attempt: how it ended, the builder's and auditor's last word, its artifacts. */
async function priorAttempts(
  trx: Trx,
  runId: string,
  phaseId: string,
  current: number,
  artifacts: readonly ArtifactMeta[],
): Promise<PriorAttempt[]> {
  const attempts = (await listAttempts(trx, runId, phaseId)).filter((a) => a.attempt < current);
  if (attempts.length === 0) return [];
  const results = await listPhaseResults(trx, runId, phaseId);
  const last = <T extends { attempt: number }>(rows: T[], attempt: number) => rows.filter((r) => r.attempt === attempt).at(-1);
  return attempts.map((a) => {
    const builder = last(results.builder, a.attempt)?.body;
    const auditor = last(results.auditor, a.attempt)?.body;
    return {
      attempt: a.attempt,
      outcome: a.outcome,
      failure_reason: a.failure_reason,
      message: a.message,
      newly_failing: a.newly_failing ?? [],
      started_at: a.started_at.toISOString(),
      ended_at: a.ended_at?.toISOString() ?? null,
      builder: builder
        ? {
            status: String(builder['status']),
            notes: (builder['notes'] as string | null | undefined) ?? null,
            files_changed: (builder['files_changed'] as string[] | undefined) ?? [],
          }
        : null,
      auditor: auditor
        ? {
            recommendation: String(auditor['recommendation']),
            confidence: String(auditor['confidence']),
            review_notes: String(auditor['review_notes'] ?? ''),
            issues_found: (auditor['issues_found'] as Record<string, unknown>[] | undefined) ?? [],
          }
        : null,
      artifacts: artifacts
        .filter((x) => x.phase_id === phaseId && x.attempt === a.attempt)
        .map((x) => ({ artifact_id: Number(x.artifact_id), kind: x.kind, path: x.path, sha256: x.sha256 })),
    };
  });
}
