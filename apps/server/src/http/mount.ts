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
import type { Fence } from '../phases/lease-fence';
import { AppError, validationError } from './app-error';
import { idempotencyKeyOf, requestFingerprint, runOnce } from './idempotency';
import { requestContext, type RequestContext } from './request-context';

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
  const route = spec as Routes[RouteId] & { params?: z.ZodType; query?: z.ZodType; body?: z.ZodType };
  router[route.method](toExpressPath(route.path), ...requireRole(ROUTE_ACCESS[id], id, options.guard), async (req: Request, res: Response) => {
    const issues: ValidationIssue[] = [];
    if (route.body && req.body === undefined) {
      // express.json() leaves the body undefined when there is none or it is not JSON.
      const typed = req.get('content-type') !== undefined;
      throw new AppError(
        typed ? 'unsupported_media_type' : 'validation_failed',
        typed ? 415 : 400,
        'send a JSON object body with Content-Type: application/json',
      );
    }
    const input = {
      params: parsePart(route.params, req.params, 'path', issues),
      query: parsePart(route.query, req.query, 'query', issues),
      body: parsePart(route.body, req.body, 'body', issues),
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
