import type { z } from 'zod';
import type {
  ApprovalRequestBody,
  ArtifactFileQuery,
  ArtifactIndexQuery,
  AuditorResult,
  BacklogQuery,
  BuilderResult,
  Claim,
  CreateApiKeyRequest,
  CreateUserRequest,
  ClaimRequest,
  DecisionRequest,
  EventListQuery,
  GovernanceDecisionRequest,
  GovernanceRequestBody,
  LoginRequest,
  OperatorActionRequest,
  PendingQuery,
  PhaseListQuery,
  RecordIssueRequest,
  RegisterRequest,
  RouteId,
  RunErrorsQuery,
  RunListQuery,
  PlanFile,
  RunPlan,
  UpdateStatusRequest,
  UploadArtifactRequest,
  UsageRequest,
} from '@autopack/contracts';
import { Lease } from './lease';
import { Transport, type CallAnswer, type CallInput, type CallOptions, type ClientOptions } from './transport';

type In<T extends z.ZodType> = z.input<T>;
/** The answer body of a route for one status. */
type Body<Id extends RouteId, S extends number = 200> = Extract<CallAnswer<Id>, { status: S }>['body'];

/**
 * Typed client of every route of the Autopack server, on `fetch`.
 * Requests and answers are checked against `@autopack/contracts`; error statuses throw
 * `AutopackHttpError` (status, code, details, correlation id); network errors and 502/503/504 are
 * retried with jittered backoff under one Idempotency-Key; every method takes an `AbortSignal`.
 */
export class AutopackClient {
  readonly transport: Transport;

  constructor(options: ClientOptions) {
    this.transport = new Transport(options);
  }

  /** Any route of the contract, by operationId: the building block of every method below. */
  call<Id extends RouteId>(id: Id, input: CallInput<Id>, options?: CallOptions): Promise<CallAnswer<Id>> {
    return this.transport.call(id, input, options);
  }

  private async body<Id extends RouteId>(id: Id, input: CallInput<Id>, options?: CallOptions) {
    return (await this.transport.call(id, input, options)).body;
  }

  /* ------------------------------------------------------------------------------ executors */

  /**
   * Claims the next ready phase, long-polling up to `wait_seconds`. Null when none is ready. The
   * lease carries its token: its methods send X-Lease-Token for you.
   */
  async claim(request: In<typeof ClaimRequest>, options: CallOptions = {}): Promise<Lease | null> {
    const wait = request.wait_seconds ?? 0;
    const answer = await this.transport.call('claimPhase', { body: request }, { ...options, timeoutMs: (options.timeoutMs ?? 60_000) + wait * 1000 });
    return answer.status === 200 ? new Lease(this, answer.body) : null;
  }

  /** A lease object for a claim the caller kept (e.g. across a restart of its process). */
  lease(claim: Claim): Lease {
    return new Lease(this, claim);
  }

  /* ------------------------------------------------------------------------------ runs */

  startRun(plan: In<typeof RunPlan>, options?: CallOptions): Promise<Body<'startRun', 201>> {
    return this.body('startRun', { body: plan }, options) as Promise<Body<'startRun', 201>>;
  }

  /** Start the run a predecessor plan file describes (SPEC §4.2; see docs/migration.md). */
  importRun(file: In<typeof PlanFile>, options?: CallOptions): Promise<Body<'importRun', 201>> {
    return this.body('importRun', { body: file }, options) as Promise<Body<'importRun', 201>>;
  }

  listRuns(query: In<typeof RunListQuery> = {}, options?: CallOptions): Promise<Body<'listRuns'>> {
    return this.body('listRuns', { query }, options);
  }

  getRun(runId: string, options?: CallOptions): Promise<Body<'getRun'>> {
    return this.body('getRun', { params: { run_id: runId } }, options);
  }

  getRunProgress(runId: string, options?: CallOptions): Promise<Body<'getRunProgress'>> {
    return this.body('getRunProgress', { params: { run_id: runId } }, options);
  }

  listRunEvents(runId: string, query: In<typeof EventListQuery> = {}, options?: CallOptions): Promise<Body<'listRunEvents'>> {
    return this.body('listRunEvents', { params: { run_id: runId }, query }, options);
  }

  /** The run's issues by issue_key (the predecessor's RunIssueIndex). */
  getRunIssueIndex(runId: string, options?: CallOptions): Promise<Body<'getRunIssueIndex'>> {
    return this.body('getRunIssueIndex', { params: { run_id: runId } }, options);
  }

  /** Failures the run recorded, oldest first. */
  listRunErrors(runId: string, query: In<typeof RunErrorsQuery> = {}, options?: CallOptions): Promise<Body<'listRunErrors'>> {
    return this.body('listRunErrors', { params: { run_id: runId }, query }, options);
  }

  getRunErrorSummary(runId: string, options?: CallOptions): Promise<Body<'getRunErrorSummary'>> {
    return this.body('getRunErrorSummary', { params: { run_id: runId } }, options);
  }

  /** Phases of every run (or one), paged the predecessor's way (page, page_size). */
  listPhases(query: In<typeof PhaseListQuery> = {}, options?: CallOptions): Promise<Body<'listPhases'>> {
    return this.body('listPhases', { query }, options);
  }

  /* ------------------------------------------------------------------ phases (operator, no lease) */

  updatePhaseStatus(runId: string, phaseId: string, body: In<typeof UpdateStatusRequest>, options?: CallOptions): Promise<Body<'updatePhaseStatus'>> {
    return this.body('updatePhaseStatus', { params: { run_id: runId, phase_id: phaseId }, body }, options);
  }

  recordBuilderResult(body: In<typeof BuilderResult>, options?: CallOptions): Promise<Body<'recordBuilderResult', 201>> {
    return this.body('recordBuilderResult', { params: { run_id: body.run_id, phase_id: body.phase_id }, body }, options) as Promise<Body<'recordBuilderResult', 201>>;
  }

  recordAuditorResult(body: In<typeof AuditorResult>, options?: CallOptions): Promise<Body<'recordAuditorResult', 201>> {
    return this.body('recordAuditorResult', { params: { run_id: body.run_id, phase_id: body.phase_id }, body }, options) as Promise<Body<'recordAuditorResult', 201>>;
  }

  recordIssue(runId: string, phaseId: string, body: In<typeof RecordIssueRequest>, options?: CallOptions): Promise<Body<'recordIssue', 200 | 201>> {
    return this.body('recordIssue', { params: { run_id: runId, phase_id: phaseId }, body }, options);
  }

  recordUsage(runId: string, body: In<typeof UsageRequest>, options?: CallOptions): Promise<Body<'recordUsage', 201>> {
    return this.body('recordUsage', { params: { run_id: runId }, body }, options);
  }

  uploadArtifact(runId: string, phaseId: string, body: In<typeof UploadArtifactRequest>, options?: CallOptions): Promise<Body<'uploadArtifact', 200 | 201>> {
    return this.body('uploadArtifact', { params: { run_id: runId, phase_id: phaseId }, body }, options);
  }

  /* --------------------------------------------------------------------------- operators */

  cancelRun(runId: string, body: In<typeof OperatorActionRequest> = {}, options?: CallOptions): Promise<Body<'cancelRun'>> {
    return this.body('cancelRun', { params: { run_id: runId }, body }, options);
  }

  retryPhase(runId: string, phaseId: string, body: In<typeof OperatorActionRequest> = {}, options?: CallOptions): Promise<Body<'retryPhase'>> {
    return this.body('retryPhase', { params: { run_id: runId, phase_id: phaseId }, body }, options);
  }

  skipPhase(runId: string, phaseId: string, body: In<typeof OperatorActionRequest> = {}, options?: CallOptions): Promise<Body<'skipPhase'>> {
    return this.body('skipPhase', { params: { run_id: runId, phase_id: phaseId }, body }, options);
  }

  pauseExecution(body: In<typeof OperatorActionRequest> = {}, options?: CallOptions): Promise<Body<'pauseExecution'>> {
    return this.body('pauseExecution', { body }, options);
  }

  resumeExecution(body: In<typeof OperatorActionRequest> = {}, options?: CallOptions): Promise<Body<'resumeExecution'>> {
    return this.body('resumeExecution', { body }, options);
  }

  getExecutionStatus(options?: CallOptions): Promise<Body<'getExecutionStatus'>> {
    return this.body('getExecutionStatus', {}, options);
  }

  /* ----------------------------------------------------------------- governance and approvals */

  createGovernanceRequest(body: In<typeof GovernanceRequestBody>, options?: CallOptions): Promise<Body<'createGovernanceRequest', 201>> {
    return this.body('createGovernanceRequest', { body }, options);
  }

  listGovernancePending(query: In<typeof PendingQuery> = {}, options?: CallOptions): Promise<Body<'listGovernancePending'>> {
    return this.body('listGovernancePending', { query }, options);
  }

  /** Decide a governance request; `reason` may be omitted (the decision then records that none was given). */
  decideGovernance(requestId: string, body: In<typeof GovernanceDecisionRequest>, options?: CallOptions): Promise<Body<'decideGovernance'>> {
    return this.body('decideGovernance', { params: { request_id: requestId }, body }, options);
  }

  createApprovalRequest(body: In<typeof ApprovalRequestBody>, options?: CallOptions): Promise<Body<'createApprovalRequest', 201>> {
    return this.body('createApprovalRequest', { body }, options);
  }

  getApprovalStatus(requestId: string, options?: CallOptions): Promise<Body<'getApprovalStatus'>> {
    return this.body('getApprovalStatus', { params: { request_id: requestId } }, options);
  }

  listApprovalPending(query: In<typeof PendingQuery> = {}, options?: CallOptions): Promise<Body<'listApprovalPending'>> {
    return this.body('listApprovalPending', { query }, options);
  }

  decideApproval(requestId: string, body: In<typeof DecisionRequest>, options?: CallOptions): Promise<Body<'decideApproval'>> {
    return this.body('decideApproval', { params: { request_id: requestId }, body }, options);
  }

  /* ----------------------------------------------------------------------------- artifacts */

  getArtifactIndex(runId: string, query: In<typeof ArtifactIndexQuery> = {}, options?: CallOptions): Promise<Body<'getArtifactIndex'>> {
    return this.body('getArtifactIndex', { params: { run_id: runId }, query }, options);
  }

  /** The artifact's bytes, exactly as stored. */
  getArtifactFile(runId: string, query: In<typeof ArtifactFileQuery>, options?: CallOptions): Promise<Uint8Array> {
    return this.body('getArtifactFile', { params: { run_id: runId }, query }, options);
  }

  /* ---------------------------------------------------------------------------- operations */

  getIssueBacklog(query: In<typeof BacklogQuery> = {}, options?: CallOptions): Promise<Body<'getIssueBacklog'>> {
    return this.body('getIssueBacklog', { query }, options);
  }

  /** Health answers 200 or 503, both with a body: neither throws. */
  async getHealth(options?: CallOptions): Promise<CallAnswer<'getHealth'>> {
    return this.transport.call('getHealth', {}, { ...options });
  }

  async getReady(options?: CallOptions): Promise<CallAnswer<'getReady'>> {
    return this.transport.call('getReady', {}, { ...options });
  }

  getOpenApi(options?: CallOptions): Promise<Body<'getOpenApi'>> {
    return this.body('getOpenApi', {}, options);
  }

  /* ---------------------------------------------------------------------- authentication */

  /** An access token for a user; pass it as `bearerToken` to a new client. */
  login(body: In<typeof LoginRequest>, options?: CallOptions): Promise<Body<'login'>> {
    return this.body('login', { body }, options);
  }

  register(body: In<typeof RegisterRequest>, options?: CallOptions): Promise<Body<'register', 201>> {
    return this.body('register', { body }, options);
  }

  getMe(options?: CallOptions): Promise<Body<'getMe'>> {
    return this.body('getMe', {}, options);
  }

  createUser(body: In<typeof CreateUserRequest>, options?: CallOptions): Promise<Body<'createUser', 201>> {
    return this.body('createUser', { body }, options);
  }

  getJwks(options?: CallOptions): Promise<Body<'getJwks'>> {
    return this.body('getJwks', {}, options);
  }

  /** The predecessor's `{keys_loaded, source}` about the JWT signing keys, plus the active kid. */
  getKeyStatus(options?: CallOptions): Promise<Body<'getKeyStatus'>> {
    return this.body('getKeyStatus', {}, options);
  }

  /** The answer holds the key itself, this once. */
  createApiKey(body: In<typeof CreateApiKeyRequest>, options?: CallOptions): Promise<Body<'createApiKey', 201>> {
    return this.body('createApiKey', { body }, options);
  }

  /** A bare array, newest first (the predecessor's shape). */
  listApiKeys(options?: CallOptions): Promise<Body<'listApiKeys'>> {
    return this.body('listApiKeys', {}, options);
  }

  revokeApiKey(keyId: string, options?: CallOptions): Promise<Body<'revokeApiKey'>> {
    return this.body('revokeApiKey', { params: { key_id: keyId } }, options);
  }

  rotateSigningKey(options?: CallOptions): Promise<Body<'rotateSigningKey'>> {
    return this.body('rotateSigningKey', {}, options);
  }
}
