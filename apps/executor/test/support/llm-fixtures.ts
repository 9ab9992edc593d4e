import type { BuildRequest } from '../../src/builders/builder';
import type { LlmRuntime } from '../../src/llm/llm-client';
import type { PhaseTask } from '../../src/task';

export const API_KEY = 'sk-test-0123456789abcdef-SECRET';

export function phaseTask(overrides: Partial<PhaseTask> = {}): PhaseTask {
  return {
    runId: 'run-1',
    phaseId: 'phase-1',
    attempt: 1,
    name: 'Add greeting',
    description: 'Add a greet(name) function to src/greet.js and export it.',
    goal: 'A friendly library',
    scope: { paths: ['src/**'], read_only_context: ['README.md'], deliverables: ['src/greet.js exports greet'], allow_mass_deletion: false, protected_paths: [] },
    ci: null,
    builder: null,
    ...overrides,
  };
}

export function buildRequest(overrides: Partial<BuildRequest> = {}): BuildRequest {
  return {
    task: phaseTask(),
    workspace: '/nonexistent/workspace',
    context: [],
    feedback: [],
    signal: new AbortController().signal,
    ...overrides,
  };
}

/** A runtime whose waits between attempts are recorded and skipped (still cancellable). */
export function instantRuntime(extra: Partial<LlmRuntime> = {}): LlmRuntime & { waits: number[] } {
  const waits: number[] = [];
  return {
    waits,
    sleep: (ms, signal) => {
      waits.push(ms);
      return signal?.aborted ? Promise.reject(signal.reason) : Promise.resolve();
    },
    random: () => 0.5,
    ...extra,
  };
}
