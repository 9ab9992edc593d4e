import { z } from 'zod';
import {
  ApiKey,
  ApiKeyList,
  ApiKeyPathParams,
  CreateApiKeyRequest,
  CreatedApiKey,
  CreateUserRequest,
  Jwks,
  KeyStatus,
  LoginRequest,
  Me,
  RegisterRequest,
  RotationResult,
  TokenResponse,
  User,
} from './auth';
import {
  ArtifactFileQuery,
  ArtifactIndex,
  ArtifactIndexQuery,
  UploadArtifactRequest,
  UploadArtifactResponse,
} from './artifacts';
import {
  Claim,
  ClaimRequest,
  HeartbeatRequest,
  HeartbeatResponse,
  LeasePathParams,
  ReleaseRequest,
  ReleaseResponse,
} from './claims';
import { EventListQuery, EventPage } from './events';
import {
  ApprovalFiled,
  ApprovalRequestBody,
  ApprovalPendingList,
  ApprovalRequestFiled,
  ApprovalStatusRecord,
  DecisionRequest,
  DecisionResponse,
  GovernanceDecisionRequest,
  GovernanceDecisionResponse,
  GovernancePendingList,
  GovernanceRequestBody,
  PendingQuery,
  RequestPathParams,
} from './governance';
import { Health, Readiness } from './health';
import {
  AuditorResult,
  BacklogPage,
  BacklogQuery,
  BuilderResult,
  RecordIssueRequest,
  RecordIssueResponse,
  ResultReceipt,
  UpdatePhaseStatusResponse,
  UpdateStatusRequest,
  UpdateStatusResponse,
} from './phase-writes';
import {
  PhaseListQuery,
  PhasePage,
  RunErrorList,
  RunErrorsQuery,
  RunErrorSummary,
  RunIssueIndex,
} from './run-reads';
import { RunPlan } from './run-plan';
import { ExecutionStatus, OperatorActionRequest, UsageRequest, UsageResponse } from './run-control';
import { PhasePathParams, RunDetail, RunListQuery, RunPage, RunPathParams, RunProgress, StartedRun } from './runs';
import { ImportedRun, PlanFile } from './plan-import';

export type HttpMethod = 'get' | 'post' | 'put' | 'patch' | 'delete';

export interface ResponseSpec {
  description: string;
  /** Absent for error statuses: they always answer with the ErrorEnvelope. */
  schema?: z.ZodType;
  /** A non-JSON answer (raw bytes of this media type) instead of a schema. */
  contentType?: string;
  /** An answer without a body (204). */
  empty?: true;
}

/** One operation of the API. The server mounts exactly these; the OpenAPI document is built from them. */
export interface RouteSpec {
  operationId: string;
  method: HttpMethod;
  /** OpenAPI style: `/runs/{run_id}`. */
  path: string;
  summary: string;
  tag: string;
  params?: z.ZodObject;
  query?: z.ZodType;
  body?: z.ZodType;
  /**
   * The body's fields may instead come as query parameters, without a body (the predecessor's
   * clients call these routes so): one or the other, a request with both is 400. A query value
   * for an array field may repeat (`?a=x&a=y`); booleans are `true`/`false`/`1`/`0`.
   */
  bodyFromQuery?: true;
  /**
   * An executor write about a phase (SPEC §4.3): it must carry `X-Lease-Token` matching the phase's
   * current lease (else 409 `lease_lost`, nothing written); only an operator or admin may omit it.
   */
  fenced?: true;
  responses: Readonly<Record<number, ResponseSpec>>;
  /** Callable without credentials, even in production (health, readiness, login, JWKS). */
  public?: true;
}

const badRequest = { description: 'Invalid input: `validation_failed` with details per field' };
const unauthenticated = { description: '`unauthenticated`: no or invalid credentials' };
const forbidden = { description: '`forbidden`: the role may not call this route' };
const runMissing = { description: '`run_not_found`' };
const phaseMissing = { description: '`run_not_found` or `phase_not_found`' };
const leaseConflict = '`lease_lost` (X-Lease-Token is not the current lease of the phase) or `lease_required` (an executor sent none)';
const requestMissing = { description: '`request_not_found`' };

function route<const R extends RouteSpec>(spec: R): R {
  return spec;
}

export const routes = {
  startRun: route({
    operationId: 'startRun',
    method: 'post',
    path: '/runs/start',
    summary: "Submit a run plan (tiers of phases); the predecessor's RunStartRequest bodies are accepted. Without run.repo the run is externally driven",
    tag: 'runs',
    body: RunPlan,
    responses: {
      201: { description: 'Run created with every phase QUEUED; `warnings` lists what is kept but not interpreted', schema: StartedRun },
      400: badRequest,
      409: { description: '`run_exists`: a run with this run_id exists' },
    },
  }),
  importRun: route({
    operationId: 'importRun',
    method: 'post',
    path: '/runs/import',
    summary: "Start the run a predecessor plan file describes (run_id, goal, phases[]; one tier, indices by position)",
    tag: 'runs',
    body: PlanFile,
    responses: {
      201: { description: 'Run created; `mapping` says how each part of the file was read', schema: ImportedRun },
      400: badRequest,
      409: { description: '`run_exists`: a run with this run_id exists' },
    },
  }),
  listRuns: route({
    operationId: 'listRuns',
    method: 'get',
    path: '/runs',
    summary: 'List runs, newest first, with phase counts and the current phase',
    tag: 'runs',
    query: RunListQuery,
    responses: { 200: { description: 'One page of runs', schema: RunPage }, 400: badRequest },
  }),
  getRun: route({
    operationId: 'getRun',
    method: 'get',
    path: '/runs/{run_id}',
    summary: "A run in the predecessor's flat RunResponse shape (id, state, …, tiers[] with phases[], phases[]) plus our fields",
    tag: 'runs',
    params: RunPathParams,
    responses: { 200: { description: 'The run', schema: RunDetail }, 400: badRequest, 404: runMissing },
  }),
  getRunProgress: route({
    operationId: 'getRunProgress',
    method: 'get',
    path: '/runs/{run_id}/progress',
    summary: 'Progress of a run: counts per state, current phase, per-tier progress',
    tag: 'runs',
    params: RunPathParams,
    responses: { 200: { description: 'Progress', schema: RunProgress }, 400: badRequest, 404: runMissing },
  }),
  listRunEvents: route({
    operationId: 'listRunEvents',
    method: 'get',
    path: '/runs/{run_id}/events',
    summary: 'Events of a run, oldest first, paged by event id',
    tag: 'runs',
    params: RunPathParams,
    query: EventListQuery,
    responses: { 200: { description: 'One page of events', schema: EventPage }, 400: badRequest, 404: runMissing },
  }),
  getRunIssueIndex: route({
    operationId: 'getRunIssueIndex',
    method: 'get',
    path: '/runs/{run_id}/issues/index',
    summary: "The run's issues by issue_key (the predecessor's RunIssueIndex), built from record_issue",
    tag: 'runs',
    params: RunPathParams,
    responses: { 200: { description: 'The issue index', schema: RunIssueIndex }, 400: badRequest, 404: runMissing },
  }),
  listRunErrors: route({
    operationId: 'listRunErrors',
    method: 'get',
    path: '/runs/{run_id}/errors',
    summary: 'Failures the run recorded (failed attempts, lease expiries, governance rejections, the run failing), oldest first',
    tag: 'runs',
    params: RunPathParams,
    query: RunErrorsQuery,
    responses: { 200: { description: 'One page of failures', schema: RunErrorList }, 400: badRequest, 404: runMissing },
  }),
  getRunErrorSummary: route({
    operationId: 'getRunErrorSummary',
    method: 'get',
    path: '/runs/{run_id}/errors/summary',
    summary: "The run's failures as plain text, with counts per error_type and component",
    tag: 'runs',
    params: RunPathParams,
    responses: { 200: { description: 'The summary', schema: RunErrorSummary }, 400: badRequest, 404: runMissing },
  }),
  listPhases: route({
    operationId: 'listPhases',
    method: 'get',
    path: '/phases',
    summary: 'Phases of every run (or one run), optionally in one state, paged by page and page_size',
    tag: 'phases',
    query: PhaseListQuery,
    responses: { 200: { description: 'One page of phases', schema: PhasePage }, 400: badRequest },
  }),
  updatePhaseStatus: route({
    operationId: 'updatePhaseStatus',
    method: 'post',
    fenced: true,
    path: '/runs/{run_id}/phases/{phase_id}/update_status',
    summary:
      'Move a phase to another state (transition table enforced). An executor blocks a phase only by filing a governance or approval request and may not cancel it; FAILED → QUEUED is an operator retry (same checks as …/retry)',
    tag: 'phases',
    params: PhasePathParams,
    body: UpdateStatusRequest,
    responses: {
      200: { description: 'The phase, its tier and its run after the change', schema: UpdatePhaseStatusResponse },
      400: badRequest,
      404: phaseMissing,
      409: {
        description: `\`illegal_transition\` (names both states), \`phase_active\` (another phase of the run is active), \`budget_exhausted\` or \`run_timed_out\` (a retry that could not run), ${leaseConflict}`,
      },
    },
  }),
  recordBuilderResult: route({
    operationId: 'recordBuilderResult',
    method: 'post',
    fenced: true,
    path: '/runs/{run_id}/phases/{phase_id}/builder_result',
    summary: "Store a builder's result for the phase's current attempt",
    tag: 'phases',
    params: PhasePathParams,
    body: BuilderResult,
    responses: {
      201: { description: 'Stored', schema: ResultReceipt },
      400: { description: '`validation_failed`, also when body ids differ from the path ids' },
      404: phaseMissing,
      409: { description: leaseConflict },
    },
  }),
  recordAuditorResult: route({
    operationId: 'recordAuditorResult',
    method: 'post',
    fenced: true,
    path: '/runs/{run_id}/phases/{phase_id}/auditor_result',
    summary: "Store an auditor's verdict for the phase's current attempt",
    tag: 'phases',
    params: PhasePathParams,
    body: AuditorResult,
    responses: {
      201: { description: 'Stored', schema: ResultReceipt },
      400: { description: '`validation_failed`, also when body ids differ from the path ids' },
      404: phaseMissing,
      409: { description: leaseConflict },
    },
  }),
  recordIssue: route({
    operationId: 'recordIssue',
    method: 'post',
    fenced: true,
    path: '/runs/{run_id}/phases/{phase_id}/record_issue',
    summary: 'Record an issue found in a phase (deduplicated by issue_key per phase); a JSON body or the same fields as query parameters',
    tag: 'phases',
    params: PhasePathParams,
    body: RecordIssueRequest,
    bodyFromQuery: true,
    responses: {
      200: { description: 'Already recorded: occurrence counted', schema: RecordIssueResponse },
      201: { description: 'New issue recorded; counters of phase, tier and run raised', schema: RecordIssueResponse },
      400: badRequest,
      404: phaseMissing,
      409: { description: leaseConflict },
    },
  }),
  recordUsage: route({
    operationId: 'recordUsage',
    method: 'post',
    fenced: true,
    path: '/runs/{run_id}/usage',
    summary: "Record one LLM call's token usage; the run finishes DONE_FAILED_BUDGET_EXHAUSTED at token_cap",
    tag: 'phases',
    params: RunPathParams,
    body: UsageRequest,
    responses: {
      201: { description: 'Recorded', schema: UsageResponse },
      400: badRequest,
      404: phaseMissing,
      409: { description: leaseConflict },
    },
  }),
  claimPhase: route({
    operationId: 'claimPhase',
    method: 'post',
    path: '/executors/claim',
    summary: 'Claim the next ready phase (long-poll up to wait_seconds); 204 when none is ready',
    tag: 'executors',
    body: ClaimRequest,
    responses: {
      200: { description: 'A lease on one phase, now EXECUTING', schema: Claim },
      204: { description: 'No phase is ready (or execution is paused)', empty: true },
      400: badRequest,
    },
  }),
  heartbeatLease: route({
    operationId: 'heartbeatLease',
    method: 'post',
    path: '/executors/leases/{lease_id}/heartbeat',
    summary: 'Extend a lease; the answer says whether to stop (cancel_requested)',
    tag: 'executors',
    params: LeasePathParams,
    body: HeartbeatRequest,
    responses: {
      200: { description: 'Extended (or, with cancel_requested, ended by a cancellation)', schema: HeartbeatResponse },
      400: badRequest,
      404: { description: '`not_found`: no such lease' },
      409: { description: '`lease_lost`: expired, released or the token does not match' },
    },
  }),
  releaseLease: route({
    operationId: 'releaseLease',
    method: 'post',
    path: '/executors/leases/{lease_id}/release',
    summary: 'Give a phase back (QUEUED, attempt kept) without failing it, e.g. on shutdown',
    tag: 'executors',
    params: LeasePathParams,
    body: ReleaseRequest,
    responses: {
      200: { description: 'Released', schema: ReleaseResponse },
      400: badRequest,
      404: { description: '`not_found`: no such lease' },
      409: { description: '`lease_lost`: expired, released or the token does not match' },
    },
  }),
  cancelRun: route({
    operationId: 'cancelRun',
    method: 'post',
    path: '/runs/{run_id}/cancel',
    summary: 'Cancel a run: open phases CANCELLED, the active lease told to stop, run CANCELLED',
    tag: 'operators',
    params: RunPathParams,
    body: OperatorActionRequest,
    responses: {
      200: { description: 'The run after cancelling', schema: RunDetail },
      400: badRequest,
      404: runMissing,
      409: { description: '`run_finished`: the run has already finished' },
    },
  }),
  retryPhase: route({
    operationId: 'retryPhase',
    method: 'post',
    path: '/runs/{run_id}/phases/{phase_id}/retry',
    summary:
      'Queue a FAILED phase again (one more attempt) with the phases its failure skipped under on_phase_failure "stop"; reopens a DONE_FAILED_* run',
    tag: 'operators',
    params: PhasePathParams,
    body: OperatorActionRequest,
    responses: {
      200: { description: 'The phase, its tier and its run after the change', schema: UpdateStatusResponse },
      400: badRequest,
      404: phaseMissing,
      409: {
        description: '`illegal_transition` (only FAILED phases can be retried), `run_finished`, `budget_exhausted` (the run is at its token_cap), or `run_timed_out` (the run is past max_duration_minutes)',
      },
    },
  }),
  skipPhase: route({
    operationId: 'skipPhase',
    method: 'post',
    path: '/runs/{run_id}/phases/{phase_id}/skip',
    summary: 'Skip a QUEUED phase',
    tag: 'operators',
    params: PhasePathParams,
    body: OperatorActionRequest,
    responses: {
      200: { description: 'The phase, its tier and its run after the change', schema: UpdateStatusResponse },
      400: badRequest,
      404: phaseMissing,
      409: { description: '`illegal_transition` (only QUEUED phases can be skipped) or `run_finished`' },
    },
  }),
  pauseExecution: route({
    operationId: 'pauseExecution',
    method: 'post',
    path: '/admin/pause',
    summary: 'Stop handing out work (every server instance); running leases continue',
    tag: 'operators',
    body: OperatorActionRequest,
    responses: { 200: { description: 'Paused', schema: ExecutionStatus }, 400: badRequest },
  }),
  resumeExecution: route({
    operationId: 'resumeExecution',
    method: 'post',
    path: '/admin/resume',
    summary: 'Hand out work again',
    tag: 'operators',
    body: OperatorActionRequest,
    responses: { 200: { description: 'Running', schema: ExecutionStatus }, 400: badRequest },
  }),
  getExecutionStatus: route({
    operationId: 'getExecutionStatus',
    method: 'get',
    path: '/admin/execution',
    summary: 'Whether work is handed out (pause state)',
    tag: 'operators',
    responses: { 200: { description: 'Pause state', schema: ExecutionStatus } },
  }),
  createGovernanceRequest: route({
    operationId: 'createGovernanceRequest',
    method: 'post',
    fenced: true,
    path: '/governance/requests',
    summary: 'Ask to touch protected paths: the server rates the risk, auto-approves only low risk, else the phase is BLOCKED',
    tag: 'governance',
    body: GovernanceRequestBody,
    responses: {
      201: { description: 'Filed (pending, phase BLOCKED) or approved at once', schema: ApprovalFiled },
      400: badRequest,
      404: phaseMissing,
      409: { description: `\`illegal_transition\` (the phase is not active) or ${leaseConflict}` },
    },
  }),
  listGovernancePending: route({
    operationId: 'listGovernancePending',
    method: 'get',
    path: '/governance/pending',
    summary: 'Governance requests waiting for a decision, oldest first',
    tag: 'governance',
    query: PendingQuery,
    responses: { 200: { description: 'Pending requests', schema: GovernancePendingList }, 400: badRequest },
  }),
  decideGovernance: route({
    operationId: 'decideGovernance',
    method: 'post',
    path: '/governance/approve/{request_id}',
    summary:
      'Approve (phase QUEUED with the paths granted) or reject (phase FAILED, run DONE_FAILED_POLICY_VIOLATION); a JSON body or ?approved=true|false',
    tag: 'governance',
    params: RequestPathParams,
    body: GovernanceDecisionRequest,
    bodyFromQuery: true,
    responses: {
      200: { description: 'Decided', schema: GovernanceDecisionResponse },
      400: badRequest,
      404: requestMissing,
      409: { description: '`already_decided`' },
    },
  }),
  createApprovalRequest: route({
    operationId: 'createApprovalRequest',
    method: 'post',
    fenced: true,
    path: '/approval/request',
    summary: 'Ask an operator to approve a risky decision (mass deletion, quality gate); the phase is BLOCKED',
    tag: 'governance',
    body: ApprovalRequestBody,
    responses: {
      201: { description: 'Filed; the phase is BLOCKED', schema: ApprovalRequestFiled },
      400: badRequest,
      404: phaseMissing,
      409: { description: `\`illegal_transition\` (the phase is not active) or ${leaseConflict}` },
    },
  }),
  getApprovalStatus: route({
    operationId: 'getApprovalStatus',
    method: 'get',
    path: '/approval/status/{request_id}',
    summary: 'One approval or governance request with its decision',
    tag: 'governance',
    params: RequestPathParams,
    responses: { 200: { description: 'The request', schema: ApprovalStatusRecord }, 400: badRequest, 404: requestMissing },
  }),
  listApprovalPending: route({
    operationId: 'listApprovalPending',
    method: 'get',
    path: '/approval/pending',
    summary: 'Approval requests (not governance) waiting for a decision, oldest first',
    tag: 'governance',
    query: PendingQuery,
    responses: { 200: { description: 'Pending requests', schema: ApprovalPendingList }, 400: badRequest },
  }),
  decideApproval: route({
    operationId: 'decideApproval',
    method: 'post',
    path: '/approval/{request_id}/decide',
    summary: 'Approve (phase QUEUED) or reject (phase FAILED, run DONE_FAILED_POLICY_VIOLATION)',
    tag: 'governance',
    params: RequestPathParams,
    body: DecisionRequest,
    responses: {
      200: { description: 'Decided', schema: DecisionResponse },
      400: badRequest,
      404: requestMissing,
      409: { description: '`already_decided`' },
    },
  }),
  uploadArtifact: route({
    operationId: 'uploadArtifact',
    method: 'post',
    fenced: true,
    path: '/runs/{run_id}/phases/{phase_id}/artifacts',
    summary: "Store an artifact of the phase's current attempt (patch, apply report, test report, log)",
    tag: 'artifacts',
    params: PhasePathParams,
    body: UploadArtifactRequest,
    responses: {
      200: { description: 'The same bytes were already stored at this path', schema: UploadArtifactResponse },
      201: { description: 'Stored', schema: UploadArtifactResponse },
      400: badRequest,
      404: phaseMissing,
      409: { description: `\`artifact_exists\` (other bytes at this path) or ${leaseConflict}` },
      413: { description: '`payload_too_large`: over AUTOPACK_ARTIFACT_MAX_BYTES' },
    },
  }),
  getArtifactIndex: route({
    operationId: 'getArtifactIndex',
    method: 'get',
    path: '/runs/{run_id}/artifacts/index',
    summary: 'Artifacts of a run, oldest first',
    tag: 'artifacts',
    params: RunPathParams,
    query: ArtifactIndexQuery,
    responses: { 200: { description: 'One page of artifacts', schema: ArtifactIndex }, 400: badRequest, 404: runMissing },
  }),
  getArtifactFile: route({
    operationId: 'getArtifactFile',
    method: 'get',
    path: '/runs/{run_id}/artifacts/file',
    summary: 'The bytes of one artifact, by path or artifact_id (traversal and encoded paths are refused)',
    tag: 'artifacts',
    params: RunPathParams,
    query: ArtifactFileQuery,
    responses: {
      200: { description: 'The bytes as stored; X-Content-SHA256 carries their hash', contentType: 'application/octet-stream' },
      400: badRequest,
      404: { description: '`run_not_found` or `artifact_not_found`' },
    },
  }),
  getIssueBacklog: route({
    operationId: 'getIssueBacklog',
    method: 'get',
    path: '/project/issues/backlog',
    summary: 'Issues across all runs, grouped by issue_key',
    tag: 'project',
    query: BacklogQuery,
    responses: { 200: { description: 'One page of the backlog', schema: BacklogPage }, 400: badRequest },
  }),
  getHealth: route({
    operationId: 'getHealth',
    public: true,
    method: 'get',
    path: '/health',
    summary: 'Service and database health',
    tag: 'operations',
    responses: {
      200: { description: 'Healthy', schema: Health },
      503: { description: 'The database did not answer in time (body is still Health)', schema: Health },
    },
  }),
  getReady: route({
    operationId: 'getReady',
    public: true,
    method: 'get',
    path: '/ready',
    summary: 'Ready to serve: database reachable and every migration applied',
    tag: 'operations',
    responses: {
      200: { description: 'Ready', schema: Readiness },
      503: { description: 'Not ready', schema: Readiness },
    },
  }),
  getOpenApi: route({
    operationId: 'getOpenApi',
    method: 'get',
    path: '/openapi.json',
    summary: 'This OpenAPI 3.1 document (without credentials in development, or with AUTOPACK_PUBLIC_API_DOCS=1)',
    tag: 'operations',
    responses: { 200: { description: 'OpenAPI document', schema: z.record(z.string(), z.unknown()) }, 401: unauthenticated },
  }),
  getApiDocs: route({
    operationId: 'getApiDocs',
    method: 'get',
    path: '/docs',
    summary: 'This document, rendered for people (Redoc, served by this server; same access as /openapi.json)',
    tag: 'operations',
    responses: { 200: { description: 'An HTML page', contentType: 'text/html' }, 401: unauthenticated },
  }),
  getApiDocsScript: route({
    operationId: 'getApiDocsScript',
    method: 'get',
    path: '/docs/redoc.standalone.js',
    summary: 'The viewer script of /docs (the Redoc standalone bundle, self-hosted)',
    tag: 'operations',
    responses: { 200: { description: 'JavaScript', contentType: 'text/javascript' }, 401: unauthenticated },
  }),
  login: route({
    operationId: 'login',
    public: true,
    method: 'post',
    path: '/api/auth/login',
    summary: 'Exchange a username or email and a password (JSON or OAuth2 form) for an access token',
    tag: 'auth',
    body: LoginRequest,
    responses: {
      200: { description: 'An RS256 access token', schema: TokenResponse },
      400: badRequest,
      401: { description: '`invalid_credentials`' },
      429: { description: '`rate_limited`: too many attempts from this address; see Retry-After' },
    },
  }),
  register: route({
    operationId: 'register',
    public: true,
    method: 'post',
    path: '/api/auth/register',
    summary: 'Self-registration as a viewer, only when AUTOPACK_ALLOW_REGISTRATION=1',
    tag: 'auth',
    body: RegisterRequest,
    responses: {
      201: { description: 'The new user (role viewer)', schema: User },
      400: badRequest,
      403: { description: '`registration_closed`' },
      409: { description: '`user_exists`: the username or the email (in any case) is taken; the message says which' },
    },
  }),
  getMe: route({
    operationId: 'getMe',
    method: 'get',
    path: '/api/auth/me',
    summary: 'Who the credentials of this request belong to',
    tag: 'auth',
    responses: { 200: { description: 'The caller', schema: Me }, 401: unauthenticated },
  }),
  createUser: route({
    operationId: 'createUser',
    method: 'post',
    path: '/api/auth/users',
    summary: 'Create a user with a role (admin)',
    tag: 'auth',
    body: CreateUserRequest,
    responses: {
      201: { description: 'The user', schema: User },
      400: badRequest,
      401: unauthenticated,
      403: forbidden,
      409: { description: '`user_exists`: the username or the email (in any case) is taken; the message says which' },
    },
  }),
  getJwks: route({
    operationId: 'getJwks',
    public: true,
    method: 'get',
    path: '/api/auth/.well-known/jwks.json',
    summary: 'Public keys that verify access tokens (including the next key before it signs)',
    tag: 'auth',
    responses: { 200: { description: 'JSON Web Key Set', schema: Jwks } },
  }),
  getKeyStatus: route({
    operationId: 'getKeyStatus',
    public: true,
    method: 'get',
    path: '/api/auth/key-status',
    summary: 'Whether a JWT signing key is loaded, and where signing keys come from',
    tag: 'auth',
    responses: { 200: { description: 'Signing-key status', schema: KeyStatus } },
  }),
  createApiKey: route({
    operationId: 'createApiKey',
    method: 'post',
    path: '/api/auth/api-keys',
    summary: 'Create an API key (admin); the key is in this answer only',
    tag: 'auth',
    body: CreateApiKeyRequest,
    responses: { 201: { description: 'The key, once', schema: CreatedApiKey }, 400: badRequest, 401: unauthenticated, 403: forbidden },
  }),
  listApiKeys: route({
    operationId: 'listApiKeys',
    method: 'get',
    path: '/api/auth/api-keys',
    summary: 'API keys without their secrets (admin)',
    tag: 'auth',
    responses: { 200: { description: 'Every key, newest first, as a bare array', schema: ApiKeyList }, 401: unauthenticated, 403: forbidden },
  }),
  revokeApiKey: route({
    operationId: 'revokeApiKey',
    method: 'delete',
    path: '/api/auth/api-keys/{key_id}',
    summary: 'Revoke an API key (admin); effective on the next request',
    tag: 'auth',
    params: ApiKeyPathParams,
    responses: {
      200: { description: 'The revoked key', schema: ApiKey },
      400: badRequest,
      401: unauthenticated,
      403: forbidden,
      404: { description: '`not_found`' },
    },
  }),
  rotateSigningKey: route({
    operationId: 'rotateSigningKey',
    method: 'post',
    path: '/api/auth/keys/rotate',
    summary: 'Rotate the JWT signing key (admin): publish a new key, retire the old one with overlap',
    tag: 'auth',
    responses: { 200: { description: 'The rotation', schema: RotationResult }, 401: unauthenticated, 403: forbidden },
  }),
} as const;

export type RouteId = keyof typeof routes;
export type Routes = typeof routes;

/** `/runs/{run_id}` → `/runs/:run_id` (express path syntax). */
export function toExpressPath(path: string): string {
  return path.replace(/\{([a-z_]+)\}/g, ':$1');
}
