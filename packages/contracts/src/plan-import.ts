import { z } from 'zod';
import { Identifier } from './common';
import { BuilderSpec, IntentionRefs, PhaseCi, PhaseScope, RepoSpec, RUN_LIMITS, RunSettings, type RunPlanInput } from './run-plan';
import { PlanWarning, StartedRun } from './runs';

const text = (max: number) => z.string().max(max);

/** One phase of a predecessor plan file (`docs/examples/examples/*.json` there); our phase fields may be added. */
export const PlanFilePhase = z.strictObject({
  phase_id: Identifier,
  display_name: text(200).nullish(),
  name: text(200).nullish(),
  goal: text(20_000).nullish(),
  description: text(20_000).nullish(),
  task_category: z.string().min(1).max(64).nullish(),
  complexity: z.enum(['low', 'medium', 'high']).nullish(),
  builder_mode: z.string().min(1).max(64).nullish(),
  scope: PhaseScope.nullish(),
  intention_refs: IntentionRefs.nullish(),
  ci: PhaseCi.nullish(),
  builder: BuilderSpec.nullish(),
  max_attempts: z.int().min(RUN_LIMITS.max_attempts.min).max(RUN_LIMITS.max_attempts.max).nullish(),
});
export type PlanFilePhase = z.infer<typeof PlanFilePhase>;

/**
 * `POST /runs/import`: a predecessor plan file (top-level `run_id`, `goal`, `phases[]`, no tiers).
 * Our run settings may be added (`repo` above all: without it the run is externally driven).
 */
export const PlanFile = z.strictObject({
  run_id: Identifier,
  display_name: text(200).nullish(),
  description: text(20_000).nullish(),
  goal: text(20_000).nullish(),
  phases: z.array(PlanFilePhase).max(RUN_LIMITS.max_phases.max).default([]),
  repo: RepoSpec.nullish(),
  safety_profile: RunSettings.shape.safety_profile,
  run_scope: RunSettings.shape.run_scope,
  token_cap: RunSettings.shape.token_cap,
  max_phases: RunSettings.shape.max_phases,
  max_duration_minutes: RunSettings.shape.max_duration_minutes,
  on_phase_failure: RunSettings.shape.on_phase_failure,
});
export type PlanFile = z.infer<typeof PlanFile>;
export type PlanFileInput = z.input<typeof PlanFile>;

export const ImportedRun = StartedRun.extend({
  mapping: z.array(PlanWarning).describe('How each part of the plan file became part of the run'),
});
export type ImportedRun = z.infer<typeof ImportedRun>;

/** The one tier a plan file's phases go into. */
export const IMPORTED_TIER_ID = 'T1';

/**
 * The run plan equivalent to a predecessor plan file: one tier, phases in file order, the file's
 * goal as the run's goal anchor and each phase's goal in its scope (both reach the builder).
 */
export function planFromPlanFile(file: PlanFile): { plan: RunPlanInput; mapping: PlanWarning[] } {
  const mapping: PlanWarning[] = [];
  const note = (path: string, message: string) => mapping.push({ path, message });
  const goal = file.goal ?? file.description ?? null;
  if (file.goal) note('goal', 'run.goal_anchor');
  else if (file.description) note('description', 'run.goal_anchor (the file has no goal)');
  note('phases', `one tier "${IMPORTED_TIER_ID}" holding every phase, phase_index = position in the file`);
  if (!file.repo) note('repo', 'absent: the run is externally driven (no executor claims it)');
  const phases = file.phases.map((p, i) => {
    const name = p.display_name ?? p.name ?? p.phase_id;
    note(`phases.${i}`, `phase "${p.phase_id}" at phase_index ${i}, named "${name}"`);
    if (p.goal) note(`phases.${i}.goal`, `phases.${i}.scope.goal${p.description ? '' : ' and the description'}`);
    const scope = p.goal ? { ...(p.scope ?? {}), goal: p.goal } : p.scope;
    return {
      phase_id: p.phase_id,
      tier_id: IMPORTED_TIER_ID,
      phase_index: i,
      name,
      description: p.description ?? p.goal ?? null,
      task_category: p.task_category ?? null,
      complexity: p.complexity ?? null,
      builder_mode: p.builder_mode ?? null,
      ...(scope ? { scope } : {}),
      ...(p.intention_refs ? { intention_refs: p.intention_refs } : {}),
      ...(p.ci ? { ci: p.ci } : {}),
      ...(p.builder ? { builder: p.builder } : {}),
      ...(p.max_attempts ? { max_attempts: p.max_attempts } : {}),
    };
  });
  const plan: RunPlanInput = {
    run: {
      run_id: file.run_id,
      safety_profile: file.safety_profile,
      run_scope: file.run_scope,
      token_cap: file.token_cap,
      max_phases: file.max_phases,
      max_duration_minutes: file.max_duration_minutes,
      on_phase_failure: file.on_phase_failure,
      goal_anchor: goal,
      ...(file.repo ? { repo: file.repo } : {}),
    },
    tiers: phases.length > 0 ? [{ tier_id: IMPORTED_TIER_ID, tier_index: 0, name: file.display_name ?? file.run_id }] : [],
    phases,
  };
  return { plan, mapping };
}
