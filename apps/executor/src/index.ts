export type { AuditOutcome, AuditRequest, Auditor, AuditVerdict } from './auditor/auditor';
export type { BuildFailure, BuildOutcome, BuildRequest, Builder, ProposedChange } from './builders/builder';
export type { TestDelta, TestRun } from './ci/test-delta';
export type { ContextFile } from './context/context-files';
export type { AttemptFeedback, PhaseTask, UsageRecord } from './task';
export { AuditorAnswer, createLlmAuditor } from './auditor/llm-auditor';
export { createAuditor, type AuditorConfig } from './auditor/create-auditor';
export { noAuditor } from './auditor/no-auditor';
export { BuilderAnswer, createLlmBuilder } from './builders/llm-builder';
export {
  createLlmClient,
  type Completion,
  type CompletionOutcome,
  type CompletionRequest,
  type LlmCallError,
  type LlmClient,
  type LlmErrorKind,
  type LlmRuntime,
} from './llm/llm-client';
export { auditorPrompt, builderPrompt, type Prompt } from './llm/prompts';
export { DEFAULT_BASE_URLS, DEFAULT_MODELS, LLM_PROVIDERS, LlmSettings, type LlmProviderKind, type LlmSettingsInput } from './llm/settings';
