import {
  ACTIVE_PHASE_STATES,
  describeIssues,
  planFromPlanFile,
  planWarnings,
  RunPlan,
  type ImportedRun,
  type PlanFile,
  type CurrentPhase,
  type PhaseScope,
  type RunDetail,
  type RunProgress,
  type StartedRun,
} from '@autopack/contracts';
import {
  announceWork,
  findRun,
  insertPhases,
  insertRun,
  insertTiers,
  listPhases,
  listTiers,
  toPhase,
  toPhaseCounts,
  toRun,
  toTier,
  transaction,
  type Db,
  type PhaseRow,
} from '@autopack/db';
import type { Clock } from '../clock';
import { conflict, validationError } from '../http/app-error';
import { recordEvent } from '../kernel';
import { existingRun } from './existing-run';

/** pg and PGlite both report a unique violation with SQLSTATE 23505. */
const isUniqueViolation = (err: unknown) => (err as { code?: unknown })?.code === '23505';

const EMPTY_SCOPE: PhaseScope = { paths: [], read_only_context: [], deliverables: [], allow_mass_deletion: false, protected_paths: [] };

/** The predecessor's allowed_paths are path prefixes the phase may change: they join `paths`. */
function storedScope(scope: PhaseScope | null | undefined): PhaseScope {
  if (!scope) return EMPTY_SCOPE;
  const extra = (scope.allowed_paths ?? []).filter((p) => !scope.paths.includes(p));
  return extra.length > 0 ? { ...scope, paths: [...scope.paths, ...extra] } : scope;
}

/** Creates the run, its tiers (PENDING) and phases (QUEUED) and the run_created event, atomically. */
export async function startRun(db: Db, clock: Clock, plan: RunPlan, actor: string): Promise<StartedRun> {
  const now = clock.now();
  const { run } = plan;
  try {
    await transaction(db, async (trx) => {
      if (await findRun(trx, run.run_id)) throw runExists(run.run_id);
      await insertRun(trx, {
        run_id: run.run_id,
        state: 'RUN_CREATED',
        safety_profile: run.safety_profile,
        run_scope: run.run_scope,
        token_cap: run.token_cap,
        max_phases: run.max_phases,
        max_duration_minutes: run.max_duration_minutes,
        goal_anchor: run.goal_anchor ?? null,
        // SQL NULL, not JSON null: the claim query skips runs whose repo IS NULL.
        repo: run.repo ? JSON.stringify(run.repo) : null,
        on_phase_failure: run.on_phase_failure,
        plan: JSON.stringify(plan),
        failure_reason: null,
        created_at: now,
        updated_at: now,
        started_at: null,
        completed_at: null,
      });
      await insertTiers(
        trx,
        plan.tiers.map((t) => ({
          run_id: run.run_id,
          tier_id: t.tier_id,
          tier_index: t.tier_index,
          name: t.name,
          description: t.description ?? null,
          state: 'PENDING',
          created_at: now,
          updated_at: now,
        })),
      );
      const tierIndex = new Map(plan.tiers.map((t) => [t.tier_id, t.tier_index]));
      await insertPhases(
        trx,
        plan.phases.map((p) => ({
          run_id: run.run_id,
          phase_id: p.phase_id,
          tier_id: p.tier_id,
          tier_index: tierIndex.get(p.tier_id)!,
          phase_index: p.phase_index,
          name: p.name,
          description: p.description ?? null,
          task_category: p.task_category ?? null,
          complexity: p.complexity ?? null,
          builder_mode: p.builder_mode ?? null,
          builder_kind: p.builder?.kind ?? null,
          scope: JSON.stringify(storedScope(p.scope)),
          intention_refs: p.intention_refs ? JSON.stringify(p.intention_refs) : null,
          ci: p.ci ? JSON.stringify(p.ci) : null,
          builder: p.builder ? JSON.stringify(p.builder) : null,
          max_attempts: p.max_attempts,
          state: 'QUEUED',
          failure_reason: null,
          created_at: now,
          updated_at: now,
          started_at: null,
          completed_at: null,
        })),
      );
      await recordEvent(trx, now, { run_id: run.run_id }, 'run_created', actor, {
        tiers: plan.tiers.length,
        phases: plan.phases.length,
        externally_driven: !run.repo,
      });
      await announceWork(trx);
    });
  } catch (err) {
    // Two submissions of one run_id racing: the loser hits the primary key.
    if (isUniqueViolation(err)) throw runExists(run.run_id);
    throw err;
  }
  return { ...(await getRunDetail(db, run.run_id)), warnings: planWarnings(plan) };
}

/**
 * Starts the run a predecessor plan file describes. The file was checked field by field at the
 * edge; what remains are the whole-plan checks (duplicates, max_phases), whose paths
 * (`phases.N.…`) are the file's own, since phases map one to one.
 */
export async function importPlanFile(db: Db, clock: Clock, file: PlanFile, actor: string): Promise<ImportedRun> {
  const { plan, mapping } = planFromPlanFile(file);
  const checked = RunPlan.safeParse(plan);
  if (!checked.success) throw validationError(describeIssues(checked.error.issues).map((i) => ({ ...i, path: `body.${i.path}` })));
  return { ...(await startRun(db, clock, checked.data, actor)), mapping };
}

const runExists = (runId: string) => conflict('run_exists', `a run with run_id "${runId}" already exists`);

export async function getRunDetail(db: Db, runId: string): Promise<RunDetail> {
  return transaction(db, async (trx) => {
    const run = await existingRun(trx, runId);
    const tiers = await listTiers(trx, runId);
    const phases = (await listPhases(trx, runId)).map(toPhase);
    return {
      ...toRun(run),
      tiers: tiers.map((t) => ({ ...toTier(t), phases: phases.filter((p) => p.tier_id === t.tier_id) })),
      phases,
    };
  });
}

/** The active phase, else the one waiting for approval, else the next queued, in execution order. */
export function currentPhase(phases: readonly PhaseRow[]): CurrentPhase | null {
  const pick =
    phases.find((p) => ACTIVE_PHASE_STATES.includes(p.state)) ??
    phases.find((p) => p.state === 'BLOCKED') ??
    phases.find((p) => p.state === 'QUEUED');
  return pick ? { phase_id: pick.phase_id, tier_id: pick.tier_id, name: pick.name, state: pick.state } : null;
}

const elapsedSeconds = (started: Date | null, ended: Date | null, now: Date) =>
  started ? Math.max(0, Math.floor(((ended ?? now).getTime() - started.getTime()) / 1000)) : null;

export async function getRunProgress(db: Db, clock: Clock, runId: string): Promise<RunProgress> {
  return transaction(db, async (trx) => {
    const run = await existingRun(trx, runId);
    const tiers = await listTiers(trx, runId);
    const phases = await listPhases(trx, runId);
    const byState: Record<string, number> = {};
    for (const p of phases) byState[p.state] = (byState[p.state] ?? 0) + 1;
    const counts = toPhaseCounts(byState);
    const done = counts.COMPLETE + counts.SKIPPED;
    return {
      run_id: run.run_id,
      state: run.state,
      elapsed_seconds: elapsedSeconds(run.started_at, run.completed_at, clock.now()),
      phases_total: counts.total,
      phases_completed: counts.COMPLETE,
      phases_in_progress: phases.filter((p) => ACTIVE_PHASE_STATES.includes(p.state)).length,
      phases_pending: counts.QUEUED,
      phases: phases.map((p) => ({
        phase_id: p.phase_id,
        tier_id: p.tier_id,
        name: p.name,
        state: p.state,
        phase_index: p.phase_index,
        tokens_used: Number(p.tokens_used),
        builder_attempts: p.attempt,
      })),
      phase_counts: counts,
      percent_complete: counts.total === 0 ? 0 : Math.round((done / counts.total) * 1000) / 10,
      current_phase: currentPhase(phases),
      tiers: tiers.map((t) => {
        const own = phases.filter((p) => p.tier_id === t.tier_id);
        return {
          tier_id: t.tier_id,
          name: t.name,
          state: t.state,
          phases_total: own.length,
          phases_complete: own.filter((p) => p.state === 'COMPLETE').length,
        };
      }),
      tokens_used: Number(run.tokens_used),
      token_cap: Number(run.token_cap),
      failure_reason: run.failure_reason,
      started_at: run.started_at?.toISOString() ?? null,
      completed_at: run.completed_at?.toISOString() ?? null,
    };
  });
}
