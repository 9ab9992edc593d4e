export type { AuditOutcome, AuditRequest, Auditor, AuditVerdict } from './auditor/auditor';
export type { BuildFailure, BuildOutcome, BuildRequest, Builder, ProposedChange } from './builders/builder';
export type { TestDelta, TestRun } from './ci/test-delta';
export type { ContextFile } from './context/context-files';
export type { AttemptFeedback, PhaseTask, UsageRecord } from './task';
