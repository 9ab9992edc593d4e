import { retryAfterMs, retryDelay, sleep } from '@autopack/executor-client';
import type { Logger } from '@autopack/logging';
import type { UsageRecord } from '../task';
import { anthropicDialect } from './anthropic';
import { describeErrorBody, type TokenCounts, type WireDialect } from './dialect';
import { openaiDialect } from './openai';
import { DEFAULT_RETRY_POLICY, isRetryableStatus, type RetryPolicy } from './retry';
import { oneLine } from './text';
import { DEFAULT_BASE_URLS, DEFAULT_MODELS, endpointUrl, LlmSettings, type LlmProviderKind, type LlmSettingsInput } from './settings';

export interface CompletionRequest {
  role: UsageRecord['role'];
  system: string;
  user: string;
  /** The caller's cancellation (phase cancelled, executor stopping, phase deadline). */
  signal?: AbortSignal;
  /** Per-call overrides of the settings, e.g. from a phase's builder spec. */
  model?: string;
  maxTokens?: number;
}

export interface Completion {
  text: string;
  stopReason: string | null;
  model: string;
}

/**
 * - `http`: the provider answered with an error status (retried when transient);
 * - `network`, `timeout`: no complete answer (retried); `timeout` also when the caller's signal
 *   aborted with a TimeoutError;
 * - `aborted`: the caller cancelled (not retried);
 * - `invalid_response`: a 2xx body that is not the provider's answer shape;
 * - `truncated`: the output budget ran out; `refused`: the model declined.
 */
export type LlmErrorKind = 'http' | 'network' | 'timeout' | 'aborted' | 'invalid_response' | 'truncated' | 'refused';

export interface LlmCallError {
  kind: LlmErrorKind;
  /** HTTP status of the last call, when there was one. */
  status: number | null;
  /** Names the provider, model and cause; never contains the API key. */
  message: string;
  attempts: number;
}

/** `usage` holds one record per HTTP call made, failed ones included (SPEC §4.5). */
export type CompletionOutcome =
  | { ok: true; completion: Completion; usage: UsageRecord[] }
  | { ok: false; error: LlmCallError; usage: UsageRecord[] };

/** One provider, one API key: a system + user prompt in, a complete text answer out. */
export interface LlmClient {
  provider: LlmProviderKind;
  /** Default model of this client (a request may override it). */
  model: string;
  complete(request: CompletionRequest): Promise<CompletionOutcome>;
  /** `text` with this client's API key replaced: for any message that quotes provider output. */
  redact(text: string): string;
}

/** Everything with side effects, injectable so tests neither wait nor depend on the network's timing. */
export interface LlmRuntime {
  fetch?: typeof fetch;
  /** Waits between attempts; must reject when the signal aborts. */
  sleep?: (ms: number, signal?: AbortSignal) => Promise<void>;
  /** Epoch ms, for `retry-after` given as an HTTP date. */
  now?: () => number;
  /** In [0, 1), for backoff jitter. */
  random?: () => number;
  retry?: Partial<RetryPolicy>;
  logger?: Logger;
}

type Attempt =
  | { kind: 'answer'; completion: Completion; tokens: TokenCounts }
  | { kind: 'failure'; error: Omit<LlmCallError, 'attempts'>; tokens: TokenCounts | null; retryable: boolean; retryAfterMs: number | null };

interface HttpCall {
  url: string;
  body: string;
  model: string;
  maxTokens: number;
}

const NO_TOKENS: TokenCounts = { prompt: 0, completion: 0, total: 0 };

/** Parses the settings (defaults, validation) and returns a client for their provider. */
export function createLlmClient(input: LlmSettingsInput, runtime: LlmRuntime = {}): LlmClient {
  const settings = LlmSettings.parse(input);
  const dialect = settings.provider === 'anthropic' ? anthropicDialect : openaiDialect(settings.openaiMaxTokensField);
  const model = settings.model ?? DEFAULT_MODELS[settings.provider];
  const redact = (text: string) => text.split(settings.apiKey).join('[redacted]');
  return {
    provider: settings.provider,
    model,
    complete: (request) => complete(dialect, settings, model, runtime, redact, request),
    redact,
  };
}

async function complete(
  dialect: WireDialect,
  settings: LlmSettings,
  defaultModel: string,
  runtime: LlmRuntime,
  scrub: (text: string) => string,
  request: CompletionRequest,
): Promise<CompletionOutcome> {
  const policy = { ...DEFAULT_RETRY_POLICY, ...runtime.retry };
  const wait = runtime.sleep ?? sleep;
  const model = request.model ?? defaultModel;
  const maxTokens = request.maxTokens ?? settings.maxTokens;
  const call: HttpCall = {
    url: endpointUrl(settings.baseUrl ?? DEFAULT_BASE_URLS[settings.provider], dialect.path),
    body: JSON.stringify(dialect.body({ model, maxTokens, system: request.system, user: request.user })),
    model,
    maxTokens,
  };
  const usage: UsageRecord[] = [];
  const record = (tokens: TokenCounts | null, succeeded: boolean) => {
    const t = tokens ?? NO_TOKENS;
    usage.push({
      provider: settings.provider,
      model,
      role: request.role,
      prompt_tokens: t.prompt,
      completion_tokens: t.completion,
      total_tokens: t.total,
      succeeded,
    });
  };
  const fail = (error: Omit<LlmCallError, 'attempts'>, attempts: number): CompletionOutcome => {
    const after = attempts > 1 ? ` (after ${attempts} attempts)` : '';
    const message = scrub(`${settings.provider} (${model}): ${error.message}${after}`);
    return { ok: false, error: { ...error, message, attempts }, usage };
  };

  // Already cancelled: no call is made, so none is recorded.
  if (request.signal?.aborted) return fail(abortedError(request.signal, null), 0);
  for (let attempt = 1; ; attempt++) {
    const result = await callOnce(dialect, settings, runtime, call, request.signal);
    if (result.kind === 'answer') {
      record(result.tokens, true);
      return { ok: true, completion: result.completion, usage };
    }
    record(result.tokens, false);
    if (!result.retryable || attempt >= settings.maxAttempts) return fail(result.error, attempt);
    const delay = retryDelay(policy, attempt, result.retryAfterMs, runtime.random ?? Math.random);
    runtime.logger?.warn('llm call failed; retrying', {
      provider: settings.provider,
      model,
      role: request.role,
      attempt,
      status: result.error.status,
      wait_ms: delay,
      error: scrub(result.error.message),
    });
    try {
      await wait(delay, request.signal);
    } catch {
      return fail(abortedError(request.signal, result.error.status), attempt);
    }
  }
}

/**
 * For a caller that got an answer but could not use it (invalid JSON, wrong shape): as far as the
 * run is concerned the call did not succeed, so its usage record says so (its tokens still count).
 */
export function markLastFailed(usage: readonly UsageRecord[]): UsageRecord[] {
  const last = usage.at(-1);
  return last === undefined ? [...usage] : [...usage.slice(0, -1), { ...last, succeeded: false }];
}

function abortedError(signal: AbortSignal | undefined, status: number | null): Omit<LlmCallError, 'attempts'> {
  const deadline = asErrorLike(signal?.reason)?.name === 'TimeoutError';
  return deadline
    ? { kind: 'timeout', status, message: "the caller's deadline passed before an answer arrived" }
    : { kind: 'aborted', status, message: 'cancelled by the caller' };
}

async function callOnce(
  dialect: WireDialect,
  settings: LlmSettings,
  runtime: LlmRuntime,
  call: HttpCall,
  callerSignal: AbortSignal | undefined,
): Promise<Attempt> {
  const timeout = AbortSignal.timeout(settings.timeoutMs);
  const signal = callerSignal ? AbortSignal.any([callerSignal, timeout]) : timeout;
  const failure = (
    kind: LlmErrorKind,
    message: string,
    extra: { status?: number; tokens?: TokenCounts | null; retryable?: boolean; retryAfterMs?: number | null } = {},
  ): Attempt => ({
    kind: 'failure',
    error: { kind, status: extra.status ?? null, message },
    tokens: extra.tokens ?? null,
    retryable: extra.retryable ?? false,
    retryAfterMs: extra.retryAfterMs ?? null,
  });

  let response: Response;
  let text: string;
  try {
    response = await (runtime.fetch ?? fetch)(call.url, {
      method: 'POST',
      headers: { 'content-type': 'application/json', accept: 'application/json', ...dialect.headers(settings.apiKey) },
      body: call.body,
      signal,
    });
    // The body is read under the same signal: a stalled stream times out like a stalled connection.
    text = await response.text();
  } catch (err) {
    if (callerSignal?.aborted) {
      const { kind, message } = abortedError(callerSignal, null);
      return failure(kind, message);
    }
    if (timeout.aborted) return failure('timeout', `no complete answer within ${settings.timeoutMs} ms`, { retryable: true });
    return failure('network', `network error: ${networkCause(err)}`, { retryable: true });
  }

  const status = response.status;
  const json = parseJson(text);
  const requestId = response.headers.get('request-id') ?? response.headers.get('x-request-id');
  const ref = requestId ? `; request id ${requestId}` : '';
  if (!response.ok) {
    const detail = describeErrorBody(json) ?? oneLine(text, 200);
    return failure('http', `HTTP ${status}${detail ? ` ${detail}` : ''}${ref}`, {
      status,
      tokens: dialect.readTokens(json),
      retryable: isRetryableStatus(status),
      retryAfterMs: retryAfterMs(response.headers, (runtime.now ?? Date.now)()),
    });
  }
  if (json === undefined) return failure('invalid_response', `HTTP ${status} with a body that is not JSON: ${oneLine(text, 200) || '(empty)'}${ref}`, { status });
  const read = dialect.readAnswer(json);
  if (!read.ok) {
    // Some proxies answer an error envelope with status 200.
    const detail = describeErrorBody(json);
    return failure('invalid_response', `HTTP ${status}: ${detail === null ? read.message : `error body: ${detail}`}${ref}`, {
      status,
      tokens: dialect.readTokens(json),
    });
  }
  const { answer } = read;
  if (answer.refusal !== null) return failure('refused', answer.refusal, { status, tokens: answer.tokens });
  if (answer.truncated) {
    return failure('truncated', `the answer was cut off at the output limit (max tokens ${call.maxTokens}, stop reason "${answer.stopReason}")`, {
      status,
      tokens: answer.tokens,
    });
  }
  return { kind: 'answer', completion: { text: answer.text, stopReason: answer.stopReason, model: call.model }, tokens: answer.tokens };
}

function parseJson(text: string): unknown {
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return undefined;
  }
}

interface ErrorLike {
  name?: unknown;
  message?: unknown;
  code?: unknown;
  cause?: unknown;
}

// Duck-typed: errors from fetch and AbortSignal may come from another realm (jest's sandbox), where
// `instanceof Error` is false.
const asErrorLike = (value: unknown): ErrorLike | null => (typeof value === 'object' && value !== null ? (value as ErrorLike) : null);

/** undici reports "fetch failed" and keeps the useful part (ECONNREFUSED, ENOTFOUND, …) in `cause`. */
function networkCause(err: unknown): string {
  const error = asErrorLike(err);
  if (error === null) return String(err);
  const cause = asErrorLike(error.cause);
  const detail = cause === null ? null : [cause.code, cause.message].filter((part) => typeof part === 'string' && part !== '').join(' ');
  return [error.message, detail].filter((part) => typeof part === 'string' && part !== '').join(': ');
}
