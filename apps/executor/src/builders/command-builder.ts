import { writeFile, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { childEnv } from '../process/child-env';
import { runCommand } from '../process/run-command';
import { git } from '../workspace/git';
import type { Builder, BuildOutcome, BuildRequest } from './builder';

export const DEFAULT_COMMAND_TIMEOUT_SECONDS = 1800;

export interface ScratchProvider {
  /** A throwaway copy of the run's worktree at the phase's starting commit. */
  scratch(): Promise<{ dir: string; dispose: () => Promise<void> }>;
}

/**
 * Runs a coding agent (argv, no shell) in a scratch copy of the worktree and takes its `git diff`;
 * the copy is thrown away. The agent's change then goes through governed apply like any other, so
 * an agent cannot put into the repository what policy would refuse. The task is handed over in a
 * JSON file outside the copy (AUTOPACK_TASK_FILE) and in a few environment variables.
 */
/**
 * `providerKeys`: the provider keys the agent may use (a coding agent usually calls a model), under
 * their usual names; the executor's own server key never reaches it.
 */
export function commandBuilder(workspace: ScratchProvider, providerKeys: Record<string, string | undefined> = {}, baseEnv: NodeJS.ProcessEnv = process.env): Builder {
  return {
    async build({ task, context, feedback, signal }: BuildRequest): Promise<BuildOutcome> {
      if (task.builder?.kind !== 'command') {
        return { ok: false, reason: 'builder_error', message: 'the command builder needs builder.kind "command" with argv', usage: [] };
      }
      const scratch = await workspace.scratch();
      const taskDir = await mkdtemp(join(tmpdir(), 'autopack-task-'));
      try {
        const taskFile = join(taskDir, 'task.json');
        await writeFile(taskFile, JSON.stringify({ task, feedback, context: context.map((c) => c.path) }, null, 2));
        const result = await runCommand(task.builder.argv, {
          cwd: scratch.dir,
          timeoutMs: (task.builder.timeout_seconds ?? DEFAULT_COMMAND_TIMEOUT_SECONDS) * 1000,
          signal,
          env: childEnv(baseEnv, {
            ...providerKeys,
            AUTOPACK_TASK_FILE: taskFile,
            AUTOPACK_RUN_ID: task.runId,
            AUTOPACK_PHASE_ID: task.phaseId,
            AUTOPACK_ATTEMPT: String(task.attempt),
            AUTOPACK_PHASE_GOAL: [task.name, task.description ?? ''].filter(Boolean).join('\n\n'),
          }),
        });
        if (result.timedOut) return { ok: false, reason: 'timeout', message: 'the coding agent ran out of time', usage: [] };
        if (result.exitCode !== 0) {
          const tail = result.output.trim().split('\n').slice(-20).join('\n');
          return { ok: false, reason: 'builder_error', message: `the coding agent exited with ${result.exitCode ?? 'a signal'}: ${tail}`, usage: [] };
        }
        await git(['add', '--all'], scratch.dir);
        const diff = await git(['diff', '--cached', '--binary', '--full-index', 'HEAD'], scratch.dir);
        if (diff.trim() === '') return { ok: false, reason: 'empty_patch', message: 'the coding agent changed nothing', usage: [] };
        return { ok: true, change: { kind: 'diff', diff }, usage: [] };
      } finally {
        await rm(taskDir, { recursive: true, force: true });
        await scratch.dispose();
      }
    },
  };
}
