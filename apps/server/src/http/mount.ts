import type { Request, Response, Router } from 'express';
import type { z } from 'zod';
import {
  describeIssues,
  IDEMPOTENT_REPLAY_HEADER,
  toExpressPath,
  type ResponseSpec,
  type Role,
  type RouteId,
  type Routes,
  type ValidationIssue,
} from '@autopack/contracts';
import { ROUTE_ACCESS } from '@autopack/auth';
import type { Db } from '@autopack/db';
import type { AppServices } from '../app-context';
import { requireRole, type AccessGuard } from '../auth/require-role';
import type { Clock } from '../clock';
import type { Fence } from '../kernel';
import { AppError, validationError } from './app-error';
import { idempotencyKeyOf, requestFingerprint, runOnce } from './idempotency';
import { requestContext, type RequestContext } from './request-context';
import { unstorableParts } from './storable-json';

type Infer<T> = T extends z.ZodType ? z.infer<T> : undefined;

export interface RouteInput<R> {
  params: Infer<R extends { params: infer P } ? P : undefined>;
  query: Infer<R extends { query: infer Q } ? Q : undefined>;
  body: Infer<R extends { body: infer B } ? B : undefined>;
}

type Status<R> = R extends { responses: infer S } ? Extract<keyof S, number> : number;

/** A JSON answer, or raw bytes for routes whose contract names a content type. */
export type RouteResult<R> =
  | { status: Status<R>; body: unknown }
  | { status: Status<R>; raw: Buffer; contentType: string; headers?: Record<string, string> };

export interface HandlerContext<R> extends RequestContext {
  /** Aborted when the client goes away (long-polls stop waiting). */
  signal: AbortSignal;
  /** The caller's lease token and role, for fenced writes (SPEC §4.3). */
  fence: Fence;
  /**
   * Runs the write once per `Idempotency-Key` (when the request has one): inside one transaction
   * with the stored answer; a repeat gets that answer. Without a key, `fn` simply runs on the pool.
   */
  once(fn: (db: Db) => Promise<RouteResult<R> & { body: unknown }>): Promise<RouteResult<R>>;
}

export type RouteHandler<R> = (input: RouteInput<R>, ctx: HandlerContext<R>, req: Request) => Promise<RouteResult<R>>;

export interface MountOptions {
  validateResponses: boolean;
  guard: AccessGuard;
  db: Db;
  clock: Clock;
}

export function mountOptions(services: AppServices): MountOptions {
  return {
    validateResponses: services.config.validateResponses,
    guard: services.guard,
    db: services.database.db,
    clock: services.clock,
  };
}

function parsePart(schema: z.ZodType | undefined, value: unknown, location: string, issues: ValidationIssue[]) {
  if (!schema) return undefined;
  const result = schema.safeParse(value);
  if (result.success) return result.data;
  for (const issue of describeIssues(result.error.issues)) {
    issues.push({ path: issue.path ? `${location}.${issue.path}` : location, message: issue.message });
  }
  return undefined;
}

/** Checks an answer against the route's contract (outside production): a mismatch is a bug, a 500. */
function checkAnswer(id: RouteId, spec: ResponseSpec | undefined, result: RouteResult<unknown>): void {
  if (!spec) throw new Error(`route ${id} answered ${result.status}, which its contract does not list`);
  if ('raw' in result) {
    if (!spec.contentType) throw new Error(`route ${id} answered raw bytes for ${result.status}, which its contract lists as JSON`);
    return;
  }
  if (spec.empty) {
    if (result.body !== undefined) throw new Error(`route ${id} answered a body with ${result.status}, which has none`);
    return;
  }
  const checked = spec.schema?.safeParse(result.body);
  if (!checked?.success) {
    const why = checked ? JSON.stringify(describeIssues(checked.error.issues)) : 'no schema';
    throw new Error(`route ${id} answered a body that breaks its contract: ${why}`);
  }
}

/**
 * For routes whose body may come as query parameters (`bodyFromQuery`): whether this request
 * sends it so. Query parameters and a body with fields is 400: one or the other. An empty JSON
 * object counts as no body (Python's requests sends `Content-Length: 0` with a JSON type).
 */
function bodyFieldsInQuery(req: Request): boolean {
  const inQuery = Object.keys(req.query as object).length > 0;
  const body: unknown = req.body;
  const inBody = body !== undefined && !(typeof body === 'object' && body !== null && !Array.isArray(body) && Object.keys(body).length === 0);
  if (inQuery && inBody) {
    throw validationError([{ path: 'query', message: 'send the fields either as query parameters or as a JSON body, not both' }]);
  }
  return inQuery;
}

/** The zod type under optional/default/nullable wrappers (what a query value must become). */
function baseType(schema: z.ZodType): string {
  let def = (schema as unknown as { _zod: { def: { type: string; innerType?: z.ZodType } } })._zod.def;
  while (def.innerType && ['optional', 'default', 'prefault', 'nullable'].includes(def.type)) {
    def = (def.innerType as unknown as { _zod: { def: { type: string; innerType?: z.ZodType } } })._zod.def;
  }
  return def.type;
}

/**
 * Query strings hold only strings (and arrays of them when a name repeats): give the body schema
 * what a JSON body would hold. An array field takes one value as a one-item array; a boolean
 * field takes true/false/1/0 in any case (Python's requests writes True/False). Anything else is
 * left for the schema to refuse with its usual message.
 */
function queryAsBody(schema: z.ZodType, query: Record<string, unknown>): Record<string, unknown> {
  const shape = (schema as unknown as { shape?: Record<string, z.ZodType> }).shape ?? {};
  const out: Record<string, unknown> = {};
  for (const [name, value] of Object.entries(query)) {
    const field = shape[name];
    const type = field ? baseType(field) : undefined;
    if (type === 'array' && typeof value === 'string') {
      out[name] = [value];
    } else if (type === 'boolean' && typeof value === 'string' && /^(true|false|1|0)$/i.test(value)) {
      out[name] = /^(true|1)$/i.test(value);
    } else {
      out[name] = value;
    }
  }
  return out;
}

function send(res: Response, result: RouteResult<unknown>): void {
  if ('raw' in result) {
    res.status(result.status).type(result.contentType).set(result.headers ?? {}).send(result.raw);
  } else if (result.body === undefined) {
    res.status(result.status).end();
  } else {
    res.status(result.status).json(result.body);
  }
}

/**
 * Mounts one contract route: access check, input parsed with the contract's schemas (400 with
 * every problem at once), then the handler. The router can only serve routes of the contract.
 */
export function mount<Id extends RouteId>(
  router: Router,
  id: Id,
  spec: Routes[Id],
  handler: RouteHandler<Routes[Id]>,
  options: MountOptions,
): void {
  const route = spec as Routes[RouteId] & { params?: z.ZodType; query?: z.ZodType; body?: z.ZodType; bodyFromQuery?: true };
  router[route.method](toExpressPath(route.path), ...requireRole(ROUTE_ACCESS[id], id, options.guard), async (req: Request, res: Response) => {
    const issues: ValidationIssue[] = [...unstorableParts(req.body, 'body'), ...unstorableParts(req.query, 'query')];
    if (issues.length > 0) throw validationError(issues);
    const fromQuery = route.body !== undefined && route.bodyFromQuery === true && bodyFieldsInQuery(req);
    if (route.body && req.body === undefined && !fromQuery) {
      // express.json() leaves the body undefined when there is none or it is not JSON.
      const typed = req.get('content-type') !== undefined;
      throw new AppError(
        typed ? 'unsupported_media_type' : 'validation_failed',
        typed ? 415 : 400,
        route.bodyFromQuery
          ? 'send the fields as a JSON object body (Content-Type: application/json) or as query parameters'
          : 'send a JSON object body with Content-Type: application/json',
      );
    }
    const input = {
      params: parsePart(route.params, req.params, 'path', issues),
      query: parsePart(route.query, req.query, 'query', issues),
      body: fromQuery
        ? parsePart(route.body, queryAsBody(route.body!, req.query as Record<string, unknown>), 'query', issues)
        : parsePart(route.body, req.body, 'body', issues),
    } as RouteInput<Routes[Id]>;
    const key = route.method === 'get' ? undefined : idempotencyKeyOf(req);
    if (issues.length > 0) throw validationError(issues);

    const base = requestContext(res);
    const aborted = new AbortController();
    res.on('close', () => aborted.abort());
    let replayed = false;
    const role: Role = base.principal?.role ?? 'viewer';
    const ctx: HandlerContext<Routes[Id]> = {
      ...base,
      signal: aborted.signal,
      fence: { token: req.get('x-lease-token'), role },
      once: async (fn: (db: Db) => Promise<RouteResult<Routes[Id]> & { body: unknown }>) => {
        const scope = key === undefined ? undefined : { principal: base.principal?.id ?? 'anonymous', route: id, key };
        const outcome = await runOnce(options.db, options.clock, scope, requestFingerprint(req), fn);
        replayed ||= outcome.replayed;
        return outcome.result as RouteResult<Routes[Id]>;
      },
    };
    const result = await handler(input, ctx, req);
    if (options.validateResponses) {
      checkAnswer(id, (route.responses as Record<number, ResponseSpec>)[result.status], result as RouteResult<unknown>);
    }
    if (replayed) res.setHeader(IDEMPOTENT_REPLAY_HEADER, 'true');
    send(res, result as RouteResult<unknown>);
  });
}
