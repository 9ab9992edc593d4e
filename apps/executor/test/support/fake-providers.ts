import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';

/**
 * A local stand-in for the Anthropic Messages API (`POST /v1/messages`) and OpenAI Chat
 * Completions (`POST /v1/chat/completions`), speaking their real wire shapes: bodies, `usage`,
 * error envelopes, `retry-after`, request ids. Each test scripts the answers and reads back the
 * requests. Point a client at `fake.url` (both providers share it).
 *
 * Usable from any test, including end-to-end ones that run executor processes against it
 * (`AUTOPACK_ANTHROPIC_BASE_URL=${fake.url}`).
 */

export type FakeProvider = 'anthropic' | 'openai';

export interface FakeUsage {
  input: number;
  output: number;
}

/** One scripted answer, written once and rendered in the wire format of the request it answers. */
export type FakeReply =
  /** 200 with the text; `usage` defaults to about one token per four characters. */
  | { type: 'text'; text: string; usage?: FakeUsage }
  /** 200 cut at the output limit: `stop_reason: "max_tokens"` / `finish_reason: "length"`. */
  | { type: 'truncated'; text: string; usage?: FakeUsage }
  /** 200 where the model declined: `stop_reason: "refusal"` / `message.refusal`. */
  | { type: 'refusal'; text: string; usage?: FakeUsage }
  /** 429 `rate_limit_error` / `rate_limit_exceeded`, with `retry-after` when given (seconds or HTTP date). */
  | { type: 'rate_limited'; retryAfter?: string | number }
  /** Anthropic 529 `overloaded_error`; OpenAI 503 (it has no 529). */
  | { type: 'overloaded'; retryAfter?: string | number }
  /** Any status with the provider's error envelope; `message` may be anything (e.g. a secret, to test redaction). */
  | { type: 'error'; status: number; message?: string; errorType?: string }
  /** Any status, headers and body, sent as is (a malformed body, an HTML error page, …). */
  | { type: 'raw'; status: number; body: string; headers?: Record<string, string> }
  /** `reply` after `delayMs` (for timeouts); dropped when the client goes away or the server closes. */
  | { type: 'slow'; delayMs: number; reply: FakeReply };

/** Shorthands for scripting. */
export const fakeReply = {
  text: (text: string, usage?: FakeUsage): FakeReply => ({ type: 'text', text, ...(usage && { usage }) }),
  json: (value: unknown, usage?: FakeUsage): FakeReply => fakeReply.text(JSON.stringify(value), usage),
  /** A builder answer: `{"operations": [...], "notes"?}`. */
  operations: (operations: unknown[], notes?: string, usage?: FakeUsage): FakeReply =>
    fakeReply.json(notes === undefined ? { operations } : { operations, notes }, usage),
  /** An auditor answer. */
  verdict: (
    recommendation: 'approve' | 'revise' | 'escalate',
    issues: { severity: 'minor' | 'major'; description: string; path?: string }[] = [],
    usage?: FakeUsage,
  ): FakeReply =>
    fakeReply.json({ recommendation, confidence: 'high', review_notes: `fake review: ${recommendation}`, issues_found: issues }, usage),
  truncated: (text: string, usage?: FakeUsage): FakeReply => ({ type: 'truncated', text, ...(usage && { usage }) }),
  refusal: (text: string): FakeReply => ({ type: 'refusal', text }),
  rateLimited: (retryAfter?: string | number): FakeReply => ({ type: 'rate_limited', ...(retryAfter !== undefined && { retryAfter }) }),
  overloaded: (retryAfter?: string | number): FakeReply => ({ type: 'overloaded', ...(retryAfter !== undefined && { retryAfter }) }),
  error: (status: number, message?: string): FakeReply => ({ type: 'error', status, ...(message !== undefined && { message }) }),
  raw: (status: number, body: string, headers?: Record<string, string>): FakeReply => ({ type: 'raw', status, body, ...(headers && { headers }) }),
  slow: (delayMs: number, reply: FakeReply): FakeReply => ({ type: 'slow', delayMs, reply }),
};

export interface RecordedRequest {
  /** Which API the path belongs to; null for an unknown path (answered 404). */
  provider: FakeProvider | null;
  method: string;
  path: string;
  /** Lower-case names, as received. */
  headers: Record<string, string>;
  rawBody: string;
  /** The parsed JSON body, or undefined when it was not JSON. */
  body: unknown;
  /** From `x-api-key` (Anthropic) or `Authorization: Bearer` (OpenAI). */
  apiKey: string | null;
  model: string | null;
  /** `max_tokens` or `max_completion_tokens`. */
  maxTokens: number | null;
  /** Anthropic `system`, or the OpenAI system message. */
  system: string | null;
  /** The user messages' text, joined. */
  prompt: string;
  /** Which Autopack prompt this is, from the system prompt's first words; null for any other. */
  role: 'builder' | 'auditor' | null;
}

export type FakeHandler = (request: RecordedRequest) => FakeReply;

export interface FakeProviders {
  /** `http://127.0.0.1:<port>`: the base URL for either provider. */
  readonly url: string;
  /** Every request received, in order. */
  readonly requests: readonly RecordedRequest[];
  /** Replies for the next requests, first in first out, whichever provider they are for. */
  enqueue(...replies: FakeReply[]): void;
  /** Answers requests when the queue is empty (default: a 500 saying nothing was scripted). */
  respondWith(handler: FakeHandler): void;
  /** Empties the queue and the recorded requests; drops the handler. */
  reset(): void;
  close(): Promise<void>;
}

export interface FakeProvidersOptions {
  /** When set, requests carrying another key are answered 401 in the provider's format. */
  apiKey?: string;
  handler?: FakeHandler;
}

const PATHS: Record<string, FakeProvider> = { '/v1/messages': 'anthropic', '/v1/chat/completions': 'openai' };

const noReply: FakeHandler = () => ({ type: 'error', status: 500, message: 'fake provider: no reply was scripted for this request' });

export async function startFakeProviders(options: FakeProvidersOptions = {}): Promise<FakeProviders> {
  const requests: RecordedRequest[] = [];
  const queue: FakeReply[] = [];
  let handler = options.handler ?? noReply;
  let served = 0;
  const timers = new Set<NodeJS.Timeout>();
  const sockets = new Set<Socket>();

  const server: Server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      const request = record(req, Buffer.concat(chunks).toString('utf8'));
      requests.push(request);
      const id = ++served;
      if (request.provider === null) return send(res, { status: 404, headers: {}, body: { error: { type: 'not_found_error', message: `no route ${request.method} ${request.path}` } } });
      if (options.apiKey !== undefined && request.apiKey !== options.apiKey) {
        return send(res, render(request.provider, { type: 'error', status: 401 }, request, id));
      }
      play(res, request, queue.shift() ?? handler(request), id);
    });
  });
  server.on('connection', (socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
  });

  function play(res: ServerResponse, request: RecordedRequest, reply: FakeReply, id: number): void {
    if (reply.type !== 'slow') return send(res, render(request.provider!, reply, request, id));
    const timer = setTimeout(() => {
      timers.delete(timer);
      play(res, request, reply.reply, id);
    }, reply.delayMs);
    timers.add(timer);
  }

  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;

  return {
    url: `http://127.0.0.1:${port}`,
    requests,
    enqueue: (...replies) => void queue.push(...replies),
    respondWith: (next) => void (handler = next),
    reset() {
      queue.length = 0;
      requests.length = 0;
      handler = options.handler ?? noReply;
    },
    close() {
      for (const timer of timers) clearTimeout(timer);
      timers.clear();
      for (const socket of sockets) socket.destroy();
      return new Promise<void>((resolve, reject) => server.close((err) => (err ? reject(err) : resolve())));
    },
  };
}

interface Rendered {
  status: number;
  headers: Record<string, string>;
  /** An object is sent as JSON; a string as is. */
  body: unknown;
}

function send(res: ServerResponse, rendered: Rendered): void {
  if (res.destroyed || res.writableEnded) return;
  const text = typeof rendered.body === 'string' ? rendered.body : JSON.stringify(rendered.body);
  const type = typeof rendered.body === 'string' ? 'text/plain; charset=utf-8' : 'application/json';
  res.writeHead(rendered.status, { 'content-type': type, ...rendered.headers });
  res.end(text);
}

function record(req: IncomingMessage, rawBody: string): RecordedRequest {
  const path = (req.url ?? '/').split('?')[0]!;
  const headers: Record<string, string> = {};
  for (const [name, value] of Object.entries(req.headers)) if (value !== undefined) headers[name] = Array.isArray(value) ? value.join(', ') : value;
  let body: unknown;
  try {
    body = JSON.parse(rawBody);
  } catch {
    body = undefined;
  }
  const fields = (typeof body === 'object' && body !== null ? body : {}) as Record<string, unknown>;
  const messages = Array.isArray(fields['messages']) ? (fields['messages'] as { role?: unknown; content?: unknown }[]) : [];
  const textOf = (content: unknown): string =>
    typeof content === 'string' ? content : Array.isArray(content) ? content.map((part: { text?: unknown }) => (typeof part?.text === 'string' ? part.text : '')).join('') : '';
  const systemMessage = messages.find((m) => m.role === 'system' || m.role === 'developer');
  const bearer = /^Bearer (.+)$/i.exec(headers['authorization'] ?? '');
  const maxTokens = fields['max_tokens'] ?? fields['max_completion_tokens'];
  const system = typeof fields['system'] === 'string' ? fields['system'] : systemMessage ? textOf(systemMessage.content) : null;
  const role = /^You are the (builder|auditor) of Autopack\b/.exec(system ?? '')?.[1] as RecordedRequest['role'] | undefined;
  return {
    provider: PATHS[path] ?? null,
    method: req.method ?? 'GET',
    path,
    headers,
    rawBody,
    body,
    apiKey: headers['x-api-key'] ?? bearer?.[1] ?? null,
    model: typeof fields['model'] === 'string' ? fields['model'] : null,
    maxTokens: typeof maxTokens === 'number' ? maxTokens : null,
    system,
    prompt: messages
      .filter((m) => m.role === 'user')
      .map((m) => textOf(m.content))
      .join('\n'),
    role: role ?? null,
  };
}

const estimate = (text: string) => Math.ceil(text.length / 4);

function usageOf(reply: { text: string; usage?: FakeUsage }, request: RecordedRequest): FakeUsage {
  return reply.usage ?? { input: estimate(`${request.system ?? ''}${request.prompt}`), output: estimate(reply.text) };
}

const ANTHROPIC_ERRORS: Record<number, [string, string]> = {
  400: ['invalid_request_error', 'There was an issue with the format or content of your request.'],
  401: ['authentication_error', 'invalid x-api-key'],
  403: ['permission_error', 'Your API key does not have permission to use the specified resource.'],
  404: ['not_found_error', 'The requested resource could not be found.'],
  413: ['request_too_large', 'Request exceeds the maximum allowed number of bytes.'],
  429: ['rate_limit_error', 'Number of request tokens has exceeded your per-minute rate limit'],
  500: ['api_error', 'Internal server error'],
  529: ['overloaded_error', 'Overloaded'],
};

const OPENAI_ERRORS: Record<number, [string, string | null, string]> = {
  400: ['invalid_request_error', null, 'Invalid request.'],
  401: ['invalid_request_error', 'invalid_api_key', 'Incorrect API key provided.'],
  404: ['invalid_request_error', 'model_not_found', 'The model does not exist or you do not have access to it.'],
  429: ['requests', 'rate_limit_exceeded', 'Rate limit reached for requests. Please try again later.'],
  500: ['server_error', null, 'The server had an error while processing your request. Sorry about that!'],
  503: ['server_error', null, 'The engine is currently overloaded, please try again later'],
};

function retryHeaders(retryAfter: string | number | undefined): Record<string, string> {
  return retryAfter === undefined ? {} : { 'retry-after': String(retryAfter) };
}

function render(provider: FakeProvider, reply: Exclude<FakeReply, { type: 'slow' }>, request: RecordedRequest, id: number): Rendered {
  const requestId: Record<string, string> = { [provider === 'anthropic' ? 'request-id' : 'x-request-id']: `req_fake_${id}` };
  const model = request.model ?? 'fake-model';
  switch (reply.type) {
    case 'text':
    case 'truncated':
    case 'refusal': {
      const usage = usageOf(reply, request);
      const body = provider === 'anthropic' ? anthropicMessage(reply.type, reply.text, usage, model, id) : openaiCompletion(reply.type, reply.text, usage, model, id);
      return { status: 200, headers: requestId, body };
    }
    case 'rate_limited':
      return errorReply(provider, 429, undefined, { ...requestId, ...retryHeaders(reply.retryAfter) });
    case 'overloaded':
      return errorReply(provider, provider === 'anthropic' ? 529 : 503, undefined, { ...requestId, ...retryHeaders(reply.retryAfter) });
    case 'error':
      return errorReply(provider, reply.status, reply, requestId);
    case 'raw':
      return { status: reply.status, headers: { ...requestId, ...reply.headers }, body: reply.body };
  }
}

function errorReply(provider: FakeProvider, status: number, custom: { message?: string; errorType?: string } | undefined, headers: Record<string, string>): Rendered {
  if (provider === 'anthropic') {
    const [type, message] = ANTHROPIC_ERRORS[status] ?? ['api_error', `HTTP ${status}`];
    return { status, headers, body: { type: 'error', error: { type: custom?.errorType ?? type, message: custom?.message ?? message } } };
  }
  const [type, code, message] = OPENAI_ERRORS[status] ?? ['server_error', null, `HTTP ${status}`];
  return { status, headers, body: { error: { message: custom?.message ?? message, type: custom?.errorType ?? type, param: null, code } } };
}

function anthropicMessage(kind: 'text' | 'truncated' | 'refusal', text: string, usage: FakeUsage, model: string, id: number): unknown {
  const stopReason = { text: 'end_turn', truncated: 'max_tokens', refusal: 'refusal' }[kind];
  return {
    id: `msg_fake_${id}`,
    type: 'message',
    role: 'assistant',
    model,
    content: text === '' ? [] : [{ type: 'text', text }],
    stop_reason: stopReason,
    stop_sequence: null,
    usage: { input_tokens: usage.input, output_tokens: usage.output, cache_creation_input_tokens: 0, cache_read_input_tokens: 0 },
  };
}

function openaiCompletion(kind: 'text' | 'truncated' | 'refusal', text: string, usage: FakeUsage, model: string, id: number): unknown {
  const message = kind === 'refusal' ? { role: 'assistant', content: null, refusal: text } : { role: 'assistant', content: text, refusal: null };
  return {
    id: `chatcmpl-fake-${id}`,
    object: 'chat.completion',
    created: 1_700_000_000 + id,
    model,
    choices: [{ index: 0, message, finish_reason: kind === 'truncated' ? 'length' : 'stop', logprobs: null }],
    usage: { prompt_tokens: usage.input, completion_tokens: usage.output, total_tokens: usage.input + usage.output },
  };
}
