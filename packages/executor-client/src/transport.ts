import type { z } from 'zod';
import {
  describeIssues,
  ErrorEnvelope,
  IDEMPOTENCY_KEY_HEADER,
  LEASE_TOKEN_HEADER,
  routes,
  type ResponseSpec,
  type RouteId,
  type Routes,
  type RouteSpec,
  type ValidationIssue,
} from '@autopack/contracts';
import { AutopackHttpError, AutopackNetworkError, AutopackRequestError, AutopackResponseError } from './errors';
import { DEFAULT_RETRY, RETRYABLE_STATUSES, retryAfterMs, retryDelay, sleep, type RetryPolicy } from './retry';

type Spec<Id extends RouteId> = Routes[Id];
type In<T> = T extends z.ZodType ? z.input<T> : never;

/** What a route takes, typed from its contract: path params, query, body (as the caller writes them). */
export type CallInput<Id extends RouteId> = (Spec<Id> extends { params: infer P } ? { params: In<P> } : { params?: undefined }) &
  (Spec<Id> extends { query: infer Q } ? { query?: In<Q> } : { query?: undefined }) &
  (Spec<Id> extends { body: infer B } ? { body: In<B> } : { body?: undefined });

type Responses<Id extends RouteId> = Spec<Id>['responses'];
type BodyOf<R> = R extends { schema: infer S extends z.ZodType }
  ? z.output<S>
  : R extends { contentType: string }
    ? Uint8Array
    : undefined;
/** Statuses the contract documents as answers (with a body schema, raw bytes, or no body). */
type AnswerStatus<Id extends RouteId> = {
  [S in keyof Responses<Id>]: Responses<Id>[S] extends { schema: z.ZodType } | { empty: true } | { contentType: string } ? S : never;
}[keyof Responses<Id>];

/** A documented answer of the route, its body validated against the contract. */
export type CallAnswer<Id extends RouteId> = {
  [S in AnswerStatus<Id>]: { status: S; body: BodyOf<Responses<Id>[S]>; headers: Headers; attempts: number };
}[AnswerStatus<Id>];

export interface ClientOptions {
  /** e.g. `http://127.0.0.1:8000` */
  baseUrl: string;
  /** Sent as `X-API-Key` (machines). */
  apiKey?: string;
  /** Sent as `Authorization: Bearer …` (users). */
  bearerToken?: string;
  /** Extra headers on every request. */
  headers?: Record<string, string>;
  /** Default: the global fetch. */
  fetch?: typeof fetch;
  retry?: Partial<RetryPolicy>;
  /** Per attempt, default 60 000 ms; a long-poll claim adds its wait. */
  timeoutMs?: number;
  /** Source of jitter (tests pin it). */
  random?: () => number;
}

export interface CallOptions {
  /** Aborts the call, including a backoff wait; the promise rejects with the signal's reason. */
  signal?: AbortSignal;
  /** Writes: the key for this request; default a new UUID, reused by every retry of the call. */
  idempotencyKey?: string;
  /** Fenced writes: the lease token (the `Lease` object sets it for you). */
  leaseToken?: string;
  correlationId?: string;
  timeoutMs?: number;
}

function issuesOf(location: string, error: z.ZodError): ValidationIssue[] {
  return describeIssues(error.issues).map((i) => ({ path: i.path ? `${location}.${i.path}` : location, message: i.message }));
}

/** The contract says how to check each part; nothing invalid is ever sent. */
function prepare(id: RouteId, spec: RouteSpec, input: { params?: unknown; query?: unknown; body?: unknown }) {
  const issues: ValidationIssue[] = [];
  const check = (schema: z.ZodType | undefined, value: unknown, location: string) => {
    if (!schema) return undefined;
    const parsed = schema.safeParse(value ?? (location === 'query' ? {} : value));
    if (!parsed.success) issues.push(...issuesOf(location, parsed.error));
    return parsed.success ? parsed.data : undefined;
  };
  const params = check(spec.params, input.params, 'path') as Record<string, string> | undefined;
  const query = check(spec.query, input.query, 'query') as Record<string, unknown> | undefined;
  const body = check(spec.body, input.body, 'body');
  if (issues.length > 0) throw new AutopackRequestError(id, issues);
  const path = spec.path.replace(/\{([a-z_]+)\}/g, (_, name: string) => encodeURIComponent(String(params?.[name])));
  const search = new URLSearchParams();
  for (const [k, v] of Object.entries(query ?? {})) if (v !== undefined) search.set(k, String(v));
  const qs = search.toString();
  return { path: qs ? `${path}?${qs}` : path, body };
}

async function readAnswer(id: RouteId, status: number, spec: ResponseSpec, res: Response): Promise<unknown> {
  if (spec.empty) return undefined;
  if (spec.contentType) return new Uint8Array(await res.arrayBuffer());
  let json: unknown;
  try {
    json = await res.json();
  } catch {
    throw new AutopackResponseError(id, status, 'the body is not JSON');
  }
  const checked = spec.schema!.safeParse(json);
  if (!checked.success) {
    throw new AutopackResponseError(id, status, `the body breaks the contract: ${JSON.stringify(describeIssues(checked.error.issues).slice(0, 5))}`);
  }
  return checked.data;
}

async function toHttpError(id: RouteId, res: Response, attempts: number): Promise<AutopackHttpError> {
  const text = await res.text().catch(() => '');
  let envelope: ErrorEnvelope | undefined;
  try {
    const parsed = ErrorEnvelope.safeParse(JSON.parse(text));
    if (parsed.success) envelope = parsed.data;
  } catch {
    // not JSON: a proxy's page
  }
  const e = envelope?.error;
  return new AutopackHttpError(
    id,
    res.status,
    e?.code ?? 'unknown',
    e?.message ?? (text.slice(0, 200) || res.statusText),
    e?.details,
    e?.correlation_id ?? res.headers.get('x-correlation-id') ?? undefined,
    attempts,
  );
}

const newKey = () => globalThis.crypto.randomUUID();

/**
 * The transport under every method: validates the input against the route's contract, sends it,
 * retries network errors and 502/503/504 with the shared backoff (`retry.ts`) (same Idempotency-Key every time),
 * validates the answer, and turns error statuses into `AutopackHttpError` with status and code.
 */
export class Transport {
  private readonly fetch: typeof fetch;
  private readonly retry: RetryPolicy;
  private readonly baseUrl: string;

  constructor(private readonly options: ClientOptions) {
    this.fetch = options.fetch ?? ((...args) => globalThis.fetch(...args));
    this.retry = { ...DEFAULT_RETRY, ...options.retry };
    this.baseUrl = options.baseUrl.replace(/\/+$/, '');
  }

  async call<Id extends RouteId>(id: Id, input: CallInput<Id>, options: CallOptions = {}): Promise<CallAnswer<Id>> {
    const spec = routes[id] as RouteSpec;
    const { path, body } = prepare(id, spec, input as { params?: unknown; query?: unknown; body?: unknown });
    const headers: Record<string, string> = { accept: 'application/json', ...this.options.headers };
    if (body !== undefined) headers['content-type'] = 'application/json';
    if (this.options.apiKey) headers['x-api-key'] = this.options.apiKey;
    if (this.options.bearerToken) headers['authorization'] = `Bearer ${this.options.bearerToken}`;
    if (spec.method !== 'get') headers[IDEMPOTENCY_KEY_HEADER.toLowerCase()] = options.idempotencyKey ?? newKey();
    if (options.leaseToken !== undefined) headers[LEASE_TOKEN_HEADER.toLowerCase()] = options.leaseToken;
    if (options.correlationId) headers['x-correlation-id'] = options.correlationId;
    const payload = body === undefined ? undefined : JSON.stringify(body);
    const timeoutMs = options.timeoutMs ?? this.options.timeoutMs ?? 60_000;

    for (let attempt = 1; ; attempt++) {
      const signals = [AbortSignal.timeout(timeoutMs), ...(options.signal ? [options.signal] : [])];
      let res: Response;
      try {
        res = await this.fetch(`${this.baseUrl}${path}`, {
          method: spec.method.toUpperCase(),
          headers,
          ...(payload !== undefined ? { body: payload } : {}),
          signal: AbortSignal.any(signals),
        });
      } catch (err) {
        if (options.signal?.aborted) throw options.signal.reason;
        if (attempt > this.retry.retries) throw new AutopackNetworkError(id, attempt, err);
        await sleep(retryDelay(this.retry, attempt, null, this.options.random), options.signal);
        continue;
      }
      const answer = spec.responses[res.status];
      if (answer && (answer.schema || answer.empty || answer.contentType)) {
        const value = await readAnswer(id, res.status, answer, res);
        return { status: res.status, body: value, headers: res.headers, attempts: attempt } as CallAnswer<Id>;
      }
      if (RETRYABLE_STATUSES.includes(res.status) && attempt <= this.retry.retries) {
        await res.body?.cancel().catch(() => undefined);
        await sleep(retryDelay(this.retry, attempt, retryAfterMs(res.headers), this.options.random), options.signal);
        continue;
      }
      if (res.status >= 400) throw await toHttpError(id, res, attempt);
      throw new AutopackResponseError(id, res.status, 'a status the contract does not list');
    }
  }
}
