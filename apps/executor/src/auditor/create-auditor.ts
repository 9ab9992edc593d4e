import type { LlmRuntime } from '../llm/llm-client';
import type { LlmSettingsInput } from '../llm/settings';
import type { Auditor } from './auditor';
import { createLlmAuditor } from './llm-auditor';
import { noAuditor } from './no-auditor';

/** Which auditor the executor runs (SPEC §5 step 7). */
export type AuditorConfig = { kind: 'none' } | { kind: 'llm'; llm: LlmSettingsInput };

export function createAuditor(config: AuditorConfig, runtime?: LlmRuntime): Auditor {
  return config.kind === 'none' ? noAuditor : createLlmAuditor(config.llm, runtime);
}
