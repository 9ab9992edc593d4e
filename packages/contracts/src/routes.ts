import { z } from 'zod';
import {
  ApiKey,
  ApiKeyList,
  ApiKeyPathParams,
  CreateApiKeyRequest,
  CreatedApiKey,
  CreateUserRequest,
  Jwks,
  LoginRequest,
  Me,
  RegisterRequest,
  RotationResult,
  TokenResponse,
  User,
} from './auth';
import { EventListQuery, EventPage } from './events';
import { Health, Readiness } from './health';
import {
  AuditorResult,
  BacklogPage,
  BacklogQuery,
  BuilderResult,
  RecordIssueRequest,
  RecordIssueResponse,
  ResultReceipt,
  UpdateStatusRequest,
  UpdateStatusResponse,
} from './phase-writes';
import { RunPlan } from './run-plan';
import { PhasePathParams, RunDetail, RunListQuery, RunPage, RunPathParams, RunProgress } from './runs';

export type HttpMethod = 'get' | 'post' | 'put' | 'patch' | 'delete';

export interface ResponseSpec {
  description: string;
  /** Absent for error statuses: they always answer with the ErrorEnvelope. */
  schema?: z.ZodType;
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
  responses: Readonly<Record<number, ResponseSpec>>;
  /** Callable without credentials, even in production (health, readiness, login, JWKS). */
  public?: true;
}

const badRequest = { description: 'Invalid input: `validation_failed` with details per field' };
const unauthenticated = { description: '`unauthenticated`: no or invalid credentials' };
const forbidden = { description: '`forbidden`: the role may not call this route' };
const runMissing = { description: '`run_not_found`' };
const phaseMissing = { description: '`run_not_found` or `phase_not_found`' };

function route<const R extends RouteSpec>(spec: R): R {
  return spec;
}

export const routes = {
  startRun: route({
    operationId: 'startRun',
    method: 'post',
    path: '/runs/start',
    summary: 'Submit a run plan (tiers of phases)',
    tag: 'runs',
    body: RunPlan,
    responses: {
      201: { description: 'Run created with every phase QUEUED', schema: RunDetail },
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
    summary: 'A run with its tiers (phases nested) and all phases in order',
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
  updatePhaseStatus: route({
    operationId: 'updatePhaseStatus',
    method: 'post',
    path: '/runs/{run_id}/phases/{phase_id}/update_status',
    summary: 'Move a phase to another state (transition table enforced)',
    tag: 'phases',
    params: PhasePathParams,
    body: UpdateStatusRequest,
    responses: {
      200: { description: 'The phase, its tier and its run after the change', schema: UpdateStatusResponse },
      400: badRequest,
      404: phaseMissing,
      409: { description: '`illegal_transition` (names both states) or `phase_active` (another phase of the run is active)' },
    },
  }),
  recordBuilderResult: route({
    operationId: 'recordBuilderResult',
    method: 'post',
    path: '/runs/{run_id}/phases/{phase_id}/builder_result',
    summary: "Store a builder's result for the phase's current attempt",
    tag: 'phases',
    params: PhasePathParams,
    body: BuilderResult,
    responses: {
      201: { description: 'Stored', schema: ResultReceipt },
      400: { description: '`validation_failed`, also when body ids differ from the path ids' },
      404: phaseMissing,
    },
  }),
  recordAuditorResult: route({
    operationId: 'recordAuditorResult',
    method: 'post',
    path: '/runs/{run_id}/phases/{phase_id}/auditor_result',
    summary: "Store an auditor's verdict for the phase's current attempt",
    tag: 'phases',
    params: PhasePathParams,
    body: AuditorResult,
    responses: {
      201: { description: 'Stored', schema: ResultReceipt },
      400: { description: '`validation_failed`, also when body ids differ from the path ids' },
      404: phaseMissing,
    },
  }),
  recordIssue: route({
    operationId: 'recordIssue',
    method: 'post',
    path: '/runs/{run_id}/phases/{phase_id}/record_issue',
    summary: 'Record an issue found in a phase (deduplicated by issue_key per phase)',
    tag: 'phases',
    params: PhasePathParams,
    body: RecordIssueRequest,
    responses: {
      200: { description: 'Already recorded: occurrence counted', schema: RecordIssueResponse },
      201: { description: 'New issue recorded; counters of phase, tier and run raised', schema: RecordIssueResponse },
      400: badRequest,
      404: phaseMissing,
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
    summary: 'This OpenAPI 3.1 document',
    tag: 'operations',
    responses: { 200: { description: 'OpenAPI document', schema: z.record(z.string(), z.unknown()) } },
  }),
  login: route({
    operationId: 'login',
    public: true,
    method: 'post',
    path: '/api/auth/login',
    summary: 'Exchange a username and password (JSON or OAuth2 form) for an access token',
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
      409: { description: '`user_exists`' },
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
      409: { description: '`user_exists`' },
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
    responses: { 200: { description: 'Every key, newest first', schema: ApiKeyList }, 401: unauthenticated, 403: forbidden },
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
