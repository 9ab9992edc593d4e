import type { Builder, BuildOutcome, BuildRequest } from './builder';

/**
 * Replays the patches a plan carries, one per attempt (attempt n gets patch n): deterministic
 * builds for tests, demos and human-written changes.
 */
export const patchBuilder: Builder = {
  async build({ task }: BuildRequest): Promise<BuildOutcome> {
    if (task.builder?.kind !== 'patch') {
      return { ok: false, reason: 'builder_error', message: 'the patch builder needs builder.kind "patch" with patches', usage: [] };
    }
    const patch = task.builder.patches[task.attempt - 1];
    if (patch === undefined) {
      return {
        ok: false,
        reason: 'builder_error',
        message: `the plan has ${task.builder.patches.length} patch(es); none for attempt ${task.attempt}`,
        usage: [],
      };
    }
    if (patch.trim() === '') return { ok: false, reason: 'empty_patch', message: `patch ${task.attempt} is empty`, usage: [] };
    return { ok: true, change: { kind: 'diff', diff: patch }, usage: [] };
  },
};
