import type { FileOperation } from '@autopack/governed-apply';
import type { ContextFile } from '../context/context-files';
import type { AttemptFeedback, PhaseTask, UsageRecord } from '../task';

export interface BuildRequest {
  task: PhaseTask;
  /** The run's worktree at the phase's starting commit. Builders never write to it. */
  workspace: string;
  context: ContextFile[];
  feedback: AttemptFeedback[];
  signal: AbortSignal;
}

/** A change proposed by a builder; it reaches the repository only through governed apply. */
export type ProposedChange = { kind: 'diff'; diff: string } | { kind: 'operations'; operations: FileOperation[] };

export type BuildFailure = 'builder_error' | 'timeout' | 'empty_patch';

export type BuildOutcome =
  | { ok: true; change: ProposedChange; usage: UsageRecord[]; notes?: string }
  | { ok: false; reason: BuildFailure; message: string; usage: UsageRecord[] };

/** Anything that turns a phase into a proposed change: a replayed patch, a coding agent, an LLM. */
export interface Builder {
  build(request: BuildRequest): Promise<BuildOutcome>;
}
