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

/** A read-only context entry: a path or glob, or the predecessor's `{path, reason}`. */
export const ReadOnlyContextEntry = z.union([
  pathGlob,
  z.strictObject({ path: pathGlob, reason: text(4000).nullish().describe('Why the builder should read it; shown in its prompt') }),
]);
export type ReadOnlyContextEntry = z.infer<typeof ReadOnlyContextEntry>;

/** The predecessor wrote deliverables as a list, or as lists by category (`{"tests": [...], "code": [...]}`). */
const deliverables = z
  .union([z.array(text(1024)).max(200), z.record(z.string().max(64), z.array(text(1024)).max(200))])
  .transform((d) => (Array.isArray(d) ? d : Object.values(d).flat()))
  .pipe(z.array(z.string()).max(200, { message: 'at most 200 deliverables' }));

/** Scope keys this server gives a meaning; any other key of a scope is kept verbatim and reported as a warning. */
export const INTERPRETED_SCOPE_KEYS = ['paths', 'allowed_paths', 'read_only_context', 'deliverables', 'allow_mass_deletion', 'protected_paths', 'goal'] as const;

/**
 * The predecessor's `PhaseCreate.scope` was a free-form object, so a scope keeps keys it does not
 * know (returned as given, never interpreted); the keys of INTERPRETED_SCOPE_KEYS are checked.
 */
export const PhaseScope = z.looseObject({
  paths: z.array(pathGlob).max(500).default([]).describe('Globs the phase may change; empty = whole repo minus protected paths'),
  allowed_paths: z
    .array(pathGlob)
    .max(500)
    .optional()
    .describe("The predecessor's allowed path prefixes: added to `paths` when the run starts"),
  read_only_context: z.array(ReadOnlyContextEntry).max(500).default([]),
  deliverables: deliverables.default([]),
  allow_mass_deletion: z.boolean().default(false),
  protected_paths: z
    .array(pathGlob)
    .max(500)
    .default([])
    .describe('Protected for this phase on top of the defaults: governed apply refuses changes there (a governance request decides)'),
  goal: text(20_000).nullish().describe("What this phase must achieve; shown in the builder's prompt"),
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

/** The predecessor sent `null` for "use the default" (`token_cap: null`). */
const limit = (bounds: { min: number; max: number }, fallback: number) =>
  z.int().min(bounds.min).max(bounds.max).nullish().transform((v) => v ?? fallback);

export const RunSettings = z.strictObject({
  run_id: Identifier,
  safety_profile: z.enum(['normal', 'safety_critical']).default('normal'),
  run_scope: z.enum(['multi_tier', 'single_tier']).default('multi_tier'),
  token_cap: limit(RUN_LIMITS.token_cap, RUN_DEFAULTS.token_cap),
  max_phases: limit(RUN_LIMITS.max_phases, RUN_DEFAULTS.max_phases),
  max_duration_minutes: limit(RUN_LIMITS.max_duration_minutes, RUN_DEFAULTS.max_duration_minutes),
  goal_anchor: text(20_000).nullish(),
  repo: RepoSpec.nullish().describe(
    'The repository executors work on. Without it the run is externally driven: no executor claims its phases; operators move them through update_status',
  ),
  on_phase_failure: z.enum(['stop', 'continue']).default('stop'),
});
export type RunSettings = z.infer<typeof RunSettings>;

/** The predecessor's references from a phase to items of the run's intention anchor (indices); stored and returned. */
export const IntentionRefs = z.strictObject({
  success_criteria: z.array(z.int().min(0).max(10_000)).max(1000).default([]),
  constraints_must: z.array(z.int().min(0).max(10_000)).max(1000).default([]),
  constraints_must_not: z.array(z.int().min(0).max(10_000)).max(1000).default([]),
  constraints_preferences: z.array(z.int().min(0).max(10_000)).max(1000).default([]),
});
export type IntentionRefs = z.infer<typeof IntentionRefs>;

export const TierPlan = z.strictObject({
  tier_id: Identifier,
  tier_index: z.int().min(0).max(10_000),
  name,
  description: text(20_000).nullish(),
});
export type TierPlan = z.infer<typeof TierPlan>;

export const PhasePlan = z.strictObject({
  phase_id: Identifier,
  tier_id: Identifier,
  phase_index: z.int().min(0).max(10_000),
  name,
  description: text(20_000).nullish(),
  task_category: z.string().min(1).max(64).nullish(),
  complexity: z.enum(['low', 'medium', 'high']).nullish(),
  builder_mode: z.string().min(1).max(64).nullish().describe('Free-form label kept from the predecessor'),
  scope: PhaseScope.nullish(),
  intention_refs: IntentionRefs.nullish(),
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
    // Empty lists are the predecessor's defaults: such a run is created and waits (nothing to claim).
    tiers: z.array(TierPlan).max(RUN_LIMITS.max_tiers).default([]),
    phases: z.array(PhasePlan).max(RUN_LIMITS.max_phases.max).default([]),
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
      const patches = phase.builder?.kind === 'patch' ? phase.builder.patches.length : 0;
      if (patches > phase.max_attempts) {
        issue(['phases', i, 'builder', 'patches'], `${patches} patches but max_attempts is ${phase.max_attempts}`);
      }
    });
    if (plan.phases.length > plan.run.max_phases) {
      issue(['phases'], `${plan.phases.length} phases exceed run.max_phases (${plan.run.max_phases})`);
    }
  });
export type RunPlan = z.infer<typeof RunPlan>;

/** What a plan holds that the server keeps but does not act on (the 201 answer lists it). */
export function planWarnings(plan: RunPlan): { path: string; message: string }[] {
  const warnings: { path: string; message: string }[] = [];
  if (!plan.run.repo) {
    warnings.push({ path: 'run.repo', message: 'absent: the run is externally driven; no executor claims its phases, operators move them with update_status' });
  }
  const known = new Set<string>(INTERPRETED_SCOPE_KEYS);
  plan.phases.forEach((phase, i) => {
    for (const key of Object.keys(phase.scope ?? {})) {
      if (!known.has(key)) warnings.push({ path: `phases.${i}.scope.${key}`, message: 'kept verbatim and returned; this server does not interpret it' });
    }
  });
  return warnings;
}
export type RunPlanInput = z.input<typeof RunPlan>;
