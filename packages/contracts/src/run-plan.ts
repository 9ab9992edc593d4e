import { z } from 'zod';
import { Identifier } from './common';

/** Defaults carried over from the predecessor (SPEC §4.2). */
export const RUN_DEFAULTS = {
  token_cap: 5_000_000,
  max_phases: 25,
  max_duration_minutes: 120,
  max_attempts: 5,
} as const;

export const RUN_LIMITS = {
  token_cap: { min: 1, max: 1_000_000_000 },
  max_phases: { min: 1, max: 500 },
  max_duration_minutes: { min: 1, max: 7 * 24 * 60 },
  max_attempts: { min: 1, max: 20 },
  max_tiers: 100,
  /** Bytes of one inline patch; larger changes belong in a repository, not in a plan. */
  patch_bytes: 2 * 1024 * 1024,
} as const;

const text = (max: number) => z.string().max(max);
const name = z.string().trim().min(1, { message: 'must not be empty' }).max(200);
const pathGlob = z.string().min(1).max(1024);
const argv = z.array(z.string().min(1).max(4096)).min(1, { message: 'needs at least the program' }).max(256);

export const RepoSpec = z
  .strictObject({
    path: z.string().min(1).max(4096).optional().describe('Local path of the git repository'),
    url: z.string().min(1).max(4096).optional().describe('Clone URL of the git repository'),
    base_ref: z.string().min(1).max(255).optional().describe('Branch, tag or commit to start from (default HEAD)'),
  })
  .superRefine((repo, ctx) => {
    if ((repo.path === undefined) === (repo.url === undefined)) {
      ctx.addIssue({ code: 'custom', path: [], message: 'give exactly one of "path" or "url"' });
    }
  });
export type RepoSpec = z.infer<typeof RepoSpec>;

export const PhaseScope = z.strictObject({
  paths: z.array(pathGlob).max(500).default([]).describe('Globs the phase may change; empty = whole repo minus protected paths'),
  read_only_context: z.array(pathGlob).max(500).default([]),
  deliverables: z.array(text(1024)).max(200).default([]),
  allow_mass_deletion: z.boolean().default(false),
});
export type PhaseScope = z.infer<typeof PhaseScope>;

export const PhaseCi = z
  .strictObject({
    command: argv.optional().describe('argv array, never run through a shell'),
    skip: z.boolean().optional(),
    timeout_seconds: z.int().min(1).max(7200).optional(),
    junit_path: z.string().min(1).max(1024).optional(),
  })
  .superRefine((ci, ctx) => {
    if ((ci.command === undefined) === (ci.skip !== true)) {
      ctx.addIssue({ code: 'custom', path: [], message: 'give either "command" (argv array) or "skip": true' });
    }
  });
export type PhaseCi = z.infer<typeof PhaseCi>;

const patch = z.string().min(1).max(RUN_LIMITS.patch_bytes);

/** The LLM providers builders and auditors speak to (any compatible base URL). */
export const LlmProvider = z.enum(['anthropic', 'openai']);
export type LlmProvider = z.infer<typeof LlmProvider>;

export const BuilderSpec = z.discriminatedUnion('kind', [
  z.strictObject({
    kind: z.literal('patch'),
    patches: z.array(patch).min(1).max(RUN_LIMITS.max_attempts.max).describe('One patch per attempt, replayed in order'),
  }),
  z.strictObject({
    kind: z.literal('command'),
    argv: argv.describe('Coding-agent command, run without a shell in a scratch copy of the workspace'),
    timeout_seconds: z.int().min(1).max(7200).optional(),
  }),
  z.strictObject({
    kind: LlmProvider,
    model: z.string().min(1).max(200).optional(),
    max_tokens: z.int().min(1).max(1_000_000).optional(),
  }),
]);
export type BuilderSpec = z.infer<typeof BuilderSpec>;

export const RunSettings = z.strictObject({
  run_id: Identifier,
  safety_profile: z.enum(['normal', 'safety_critical']).default('normal'),
  run_scope: z.enum(['multi_tier', 'single_tier']).default('multi_tier'),
  token_cap: z.int().min(RUN_LIMITS.token_cap.min).max(RUN_LIMITS.token_cap.max).default(RUN_DEFAULTS.token_cap),
  max_phases: z.int().min(RUN_LIMITS.max_phases.min).max(RUN_LIMITS.max_phases.max).default(RUN_DEFAULTS.max_phases),
  max_duration_minutes: z
    .int()
    .min(RUN_LIMITS.max_duration_minutes.min)
    .max(RUN_LIMITS.max_duration_minutes.max)
    .default(RUN_DEFAULTS.max_duration_minutes),
  goal_anchor: text(20_000).optional(),
  repo: RepoSpec,
  on_phase_failure: z.enum(['stop', 'continue']).default('stop'),
});
export type RunSettings = z.infer<typeof RunSettings>;

export const TierPlan = z.strictObject({
  tier_id: Identifier,
  tier_index: z.int().min(0).max(10_000),
  name,
  description: text(20_000).optional(),
});
export type TierPlan = z.infer<typeof TierPlan>;

export const PhasePlan = z.strictObject({
  phase_id: Identifier,
  tier_id: Identifier,
  phase_index: z.int().min(0).max(10_000),
  name,
  description: text(20_000).optional(),
  task_category: z.string().min(1).max(64).optional(),
  complexity: z.enum(['low', 'medium', 'high']).optional(),
  builder_mode: z.string().min(1).max(64).optional().describe('Free-form label kept from the predecessor'),
  scope: PhaseScope.optional(),
  ci: PhaseCi.optional(),
  max_attempts: z
    .int()
    .min(RUN_LIMITS.max_attempts.min)
    .max(RUN_LIMITS.max_attempts.max)
    .default(RUN_DEFAULTS.max_attempts),
  builder: BuilderSpec.optional(),
});
export type PhasePlan = z.infer<typeof PhasePlan>;

/** `POST /runs/start`: checks that need the whole plan (SPEC §4.2) report the offending path. */
export const RunPlan = z
  .strictObject({
    run: RunSettings,
    tiers: z.array(TierPlan).min(1, { message: 'a run needs at least one tier' }).max(RUN_LIMITS.max_tiers),
    phases: z.array(PhasePlan).min(1, { message: 'a run needs at least one phase' }).max(RUN_LIMITS.max_phases.max),
  })
  .superRefine((plan, ctx) => {
    const issue = (path: (string | number)[], message: string) => ctx.addIssue({ code: 'custom', path, message });
    const tierIds = new Set<string>();
    const tierIndexes = new Set<number>();
    plan.tiers.forEach((tier, i) => {
      if (tierIds.has(tier.tier_id)) issue(['tiers', i, 'tier_id'], `duplicate tier_id "${tier.tier_id}"`);
      if (tierIndexes.has(tier.tier_index)) issue(['tiers', i, 'tier_index'], `duplicate tier_index ${tier.tier_index}`);
      tierIds.add(tier.tier_id);
      tierIndexes.add(tier.tier_index);
    });
    const phaseIds = new Set<string>();
    const positions = new Set<string>();
    const usedTiers = new Set<string>();
    plan.phases.forEach((phase, i) => {
      if (phaseIds.has(phase.phase_id)) issue(['phases', i, 'phase_id'], `duplicate phase_id "${phase.phase_id}"`);
      phaseIds.add(phase.phase_id);
      if (!tierIds.has(phase.tier_id)) {
        issue(['phases', i, 'tier_id'], `unknown tier "${phase.tier_id}"; it must name a tier_id of "tiers"`);
      }
      const position = `${phase.tier_id}\u0000${phase.phase_index}`;
      if (positions.has(position)) {
        issue(['phases', i, 'phase_index'], `duplicate phase_index ${phase.phase_index} in tier "${phase.tier_id}"`);
      }
      positions.add(position);
      usedTiers.add(phase.tier_id);
      const patches = phase.builder?.kind === 'patch' ? phase.builder.patches.length : 0;
      if (patches > phase.max_attempts) {
        issue(['phases', i, 'builder', 'patches'], `${patches} patches but max_attempts is ${phase.max_attempts}`);
      }
    });
    plan.tiers.forEach((tier, i) => {
      if (tierIds.has(tier.tier_id) && !usedTiers.has(tier.tier_id)) {
        issue(['tiers', i], `tier "${tier.tier_id}" has no phases`);
      }
    });
    if (plan.phases.length > plan.run.max_phases) {
      issue(['phases'], `${plan.phases.length} phases exceed run.max_phases (${plan.run.max_phases})`);
    }
  });
export type RunPlan = z.infer<typeof RunPlan>;
export type RunPlanInput = z.input<typeof RunPlan>;
