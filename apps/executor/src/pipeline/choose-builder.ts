import type { LlmProviderKind, LlmSettingsInput } from '../llm/settings';
import { commandBuilder, type ScratchProvider } from '../builders/command-builder';
import { createLlmBuilder } from '../builders/llm-builder';
import { patchBuilder } from '../builders/patch-builder';
import type { Builder } from '../builders/builder';
import type { PhaseTask } from '../task';

export interface BuilderSettings {
  /** Provider for phases whose plan names no builder (AUTOPACK_LLM_PROVIDER). */
  defaultProvider: LlmProviderKind | undefined;
  /** How to reach each provider that has an API key. */
  providers: Partial<Record<LlmProviderKind, LlmSettingsInput>>;
}

/** The builder a phase asks for (`builder.kind`), else the executor's default LLM provider. */
export function chooseBuilder(task: PhaseTask, workspace: ScratchProvider, settings: BuilderSettings): Builder | string {
  const kind = task.builder?.kind ?? settings.defaultProvider;
  if (kind === 'patch') return patchBuilder;
  if (kind === 'command') {
    return commandBuilder(workspace, { ANTHROPIC_API_KEY: settings.providers.anthropic?.apiKey, OPENAI_API_KEY: settings.providers.openai?.apiKey });
  }
  if (kind === undefined) return 'the phase names no builder and the executor has no default (set AUTOPACK_LLM_PROVIDER)';
  const provider = settings.providers[kind];
  if (!provider) return `the phase asks for the ${kind} builder, but this executor has no key for it`;
  return createLlmBuilder(provider);
}
