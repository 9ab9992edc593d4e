import type { ColumnType, Insertable, Selectable, Updateable } from 'kysely';
import type {
  ApplyRiskLevel,
  ApprovalStatus,
  ArtifactKind,
  AttemptOutcome,
  FailureReason,
  PhaseState,
  RunState,
  Severity,
  TierState,
  LlmProvider,
  IntentionRefs,
  PhaseScope,
} from '@autopack/contracts';

/** pg returns int8 as string, PGlite as number: repositories convert with Number(). */
export type Int8 = ColumnType<string | number, number, number>;
export type GeneratedInt8 = ColumnType<string | number, never, never>;
/** jsonb: written as a JSON string (pg would turn JS arrays into Postgres arrays), read as parsed JSON. */
export type Json<T> = ColumnType<T, string, string>;
export type Timestamptz = ColumnType<Date, Date, Date>;

export interface RunsTable {
  run_id: string;
  state: RunState;
  safety_profile: 'normal' | 'safety_critical';
  run_scope: 'multi_tier' | 'single_tier';
  token_cap: Int8;
  max_phases: number;
  max_duration_minutes: number;
  goal_anchor: string | null;
  /** null: an externally driven run (no executor claims it). */
  repo: ColumnType<{ path?: string; url?: string; base_ref?: string } | null, string | null, string | null>;
  base_commit: ColumnType<string | null, string | null | undefined, string | null>;
  on_phase_failure: 'stop' | 'continue';
  plan: Json<unknown>;
  tokens_used: ColumnType<string | number, number | undefined, number>;
  ci_runs_used: ColumnType<number, number | undefined, number>;
  minor_issues_count: ColumnType<number, number | undefined, number>;
  major_issues_count: ColumnType<number, number | undefined, number>;
  failure_reason: string | null;
  created_at: Timestamptz;
  updated_at: Timestamptz;
  started_at: Timestamptz | null;
  completed_at: Timestamptz | null;
}

export interface TiersTable {
  run_id: string;
  tier_id: string;
  tier_index: number;
  name: string;
  description: string | null;
  state: TierState;
  minor_issues_count: ColumnType<number, number | undefined, number>;
  major_issues_count: ColumnType<number, number | undefined, number>;
  created_at: Timestamptz;
  updated_at: Timestamptz;
}

export interface PhasesTable {
  run_id: string;
  phase_id: string;
  tier_id: string;
  tier_index: number;
  phase_index: number;
  name: string;
  description: string | null;
  task_category: string | null;
  complexity: 'low' | 'medium' | 'high' | null;
  builder_mode: string | null;
  builder_kind: string | null;
  scope: Json<PhaseScope>;
  intention_refs: ColumnType<IntentionRefs | null, string | null | undefined, string | null>;
  ci: Json<unknown> | null;
  builder: Json<unknown> | null;
  max_attempts: number;
  attempt: ColumnType<number, number | undefined, number>;
  state: PhaseState;
  tokens_used: ColumnType<string | number, number | undefined, number>;
  minor_issues_count: ColumnType<number, number | undefined, number>;
  major_issues_count: ColumnType<number, number | undefined, number>;
  failure_reason: string | null;
  created_at: Timestamptz;
  updated_at: Timestamptz;
  started_at: Timestamptz | null;
  completed_at: Timestamptz | null;
}

export type { AttemptOutcome };

export interface PhaseAttemptsTable {
  run_id: string;
  phase_id: string;
  attempt: number;
  outcome: AttemptOutcome;
  failure_reason: FailureReason | null;
  started_at: Timestamptz;
  ended_at: Timestamptz | null;
  message: ColumnType<string | null, string | null | undefined, string | null>;
  /** Tests the attempt broke, as reported with its FAILED status (null: none reported). */
  newly_failing: ColumnType<string[] | null, string | null | undefined, string | null>;
}

/** Why a lease ended: how its attempt ended, or `operator` (an operator moved the phase without it). */
export type LeaseEndReason = Exclude<AttemptOutcome, 'running'> | 'operator';

export interface PhaseLeasesTable {
  lease_id: string;
  run_id: string;
  phase_id: string;
  attempt: number;
  executor_id: string;
  token_hash: string;
  created_at: Timestamptz;
  expires_at: Timestamptz;
  heartbeat_at: Timestamptz | null;
  stage: string | null;
  progress: number | null;
  cancel_requested: ColumnType<boolean, boolean | undefined, boolean>;
  ended_at: Timestamptz | null;
  end_reason: LeaseEndReason | null;
}

export interface IdempotencyKeysTable {
  principal: string;
  route: string;
  key: string;
  request_hash: string;
  status: number | null;
  body: Json<unknown> | null;
  created_at: Timestamptz;
}

export type ApprovalRequestKind = 'governance' | 'mass_deletion' | 'quality_gate' | 'other';

export interface ApprovalRequestsTable {
  request_id: string;
  kind: ApprovalRequestKind;
  run_id: string;
  phase_id: string;
  attempt: number;
  status: ApprovalStatus;
  requested_paths: Json<string[]>;
  justification: string;
  changed_lines: number;
  risk_level: ApplyRiskLevel | null;
  auto_approved: boolean;
  details: Json<Record<string, unknown>>;
  requested_by: string;
  decided_by: string | null;
  decision_reason: string | null;
  created_at: Timestamptz;
  expires_at: Timestamptz;
  decided_at: Timestamptz | null;
}

export interface ArtifactsTable {
  artifact_id: GeneratedInt8;
  run_id: string;
  phase_id: string;
  attempt: number;
  kind: ArtifactKind;
  path: string;
  media_type: string;
  size_bytes: Int8;
  sha256: string;
  redacted: boolean;
  storage: 'database' | 'directory';
  content: Uint8Array | null;
  created_at: Timestamptz;
}

export interface ServerSettingsTable {
  key: string;
  value: Json<unknown>;
  updated_at: Timestamptz;
  updated_by: string;
}

export interface ExecutorsTable {
  executor_id: string;
  actor: string;
  providers: Json<LlmProvider[]>;
  first_seen_at: Timestamptz;
  last_seen_at: Timestamptz;
}

export interface RunEventsTable {
  id: GeneratedInt8;
  run_id: string;
  tier_id: string | null;
  phase_id: string | null;
  type: string;
  actor: string;
  payload: Json<Record<string, unknown>>;
  created_at: Timestamptz;
}

export interface BuilderResultsTable {
  id: GeneratedInt8;
  run_id: string;
  phase_id: string;
  attempt: number;
  status: string;
  body: Json<Record<string, unknown>>;
  created_at: Timestamptz;
}

export interface AuditorResultsTable {
  id: GeneratedInt8;
  run_id: string;
  phase_id: string;
  attempt: number;
  recommendation: string;
  confidence: string;
  body: Json<Record<string, unknown>>;
  created_at: Timestamptz;
}

export interface PhaseIssuesTable {
  id: GeneratedInt8;
  run_id: string;
  phase_id: string;
  tier_id: string;
  issue_key: string;
  severity: Severity;
  source: string;
  category: string;
  evidence_refs: Json<string[]>;
  description: string | null;
  occurrence_count: ColumnType<number, number | undefined, number>;
  first_seen_at: Timestamptz;
  last_seen_at: Timestamptz;
}

export interface LlmUsageEventsTable {
  id: GeneratedInt8;
  run_id: string;
  phase_id: string | null;
  provider: string;
  model: string;
  role: string;
  prompt_tokens: number;
  completion_tokens: number;
  total_tokens: number;
  succeeded: boolean;
  created_at: Timestamptz;
}

export type RoleName = 'admin' | 'operator' | 'executor' | 'viewer';

export interface UsersTable {
  id: string;
  username: string;
  /** Unique regardless of case; null for users created before emails were recorded. */
  email: string | null;
  password_hash: string;
  role: RoleName;
  created_at: Timestamptz;
  last_login_at: Timestamptz | null;
  disabled_at: Timestamptz | null;
}

export interface ApiKeysTable {
  id: string;
  name: string;
  description: string | null;
  role: RoleName;
  hash: string;
  created_by: string;
  created_at: Timestamptz;
  last_used_at: Timestamptz | null;
  expires_at: Timestamptz | null;
  revoked_at: Timestamptz | null;
}

export interface SigningKeysTable {
  kid: string;
  public_pem: string;
  private_pem: string;
  created_at: Timestamptz;
  activates_at: Timestamptz;
  retired_at: Timestamptz | null;
  expires_at: Timestamptz | null;
}

export interface RateLimitHitsTable {
  key: string;
  hits: number;
  reset_at: Timestamptz;
}

export interface Database {
  runs: RunsTable;
  tiers: TiersTable;
  phases: PhasesTable;
  phase_attempts: PhaseAttemptsTable;
  run_events: RunEventsTable;
  builder_results: BuilderResultsTable;
  auditor_results: AuditorResultsTable;
  phase_issues: PhaseIssuesTable;
  llm_usage_events: LlmUsageEventsTable;
  users: UsersTable;
  api_keys: ApiKeysTable;
  signing_keys: SigningKeysTable;
  rate_limit_hits: RateLimitHitsTable;
  phase_leases: PhaseLeasesTable;
  idempotency_keys: IdempotencyKeysTable;
  approval_requests: ApprovalRequestsTable;
  artifacts: ArtifactsTable;
  server_settings: ServerSettingsTable;
  executors: ExecutorsTable;
}

export type UserRow = Selectable<UsersTable>;
export type ApiKeyRow = Selectable<ApiKeysTable>;
export type SigningKeyRow = Selectable<SigningKeysTable>;

export type RunRow = Selectable<RunsTable>;
export type TierRow = Selectable<TiersTable>;
export type PhaseRow = Selectable<PhasesTable>;
export type RunEventRow = Selectable<RunEventsTable>;
export type PhaseIssueRow = Selectable<PhaseIssuesTable>;
export type NewRun = Insertable<RunsTable>;
export type NewTier = Insertable<TiersTable>;
export type NewPhase = Insertable<PhasesTable>;
export type PhaseUpdate = Updateable<PhasesTable>;
export type LeaseRow = Selectable<PhaseLeasesTable>;
export type PhaseAttemptRow = Selectable<PhaseAttemptsTable>;
export type ApprovalRequestRow = Selectable<ApprovalRequestsTable>;
export type ArtifactRow = Selectable<ArtifactsTable>;
