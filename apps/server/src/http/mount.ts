import type { Request, Response, Router } from 'express';
import type { z } from 'zod';
import { describeIssues, toExpressPath, type RouteId, type Routes, type ValidationIssue } from '@autopack/contracts';
import { requireRole } from '../auth/require-role';
import { ROUTE_ACCESS } from '@autopack/auth';
import { AppError, validationError } from './app-error';
import { requestContext, type RequestContext } from './request-context';

type Infer<T> = T extends z.ZodType ? z.infer<T> : undefined;

export interface RouteInput<R> {
  params: Infer<R extends { params: infer P } ? P : undefined>;
  query: Infer<R extends { query: infer Q } ? Q : undefined>;
  body: Infer<R extends { body: infer B } ? B : undefined>;
}

export interface RouteResult<R> {
  status: R extends { responses: infer S } ? Extract<keyof S, number> : number;
  body: unknown;
}

export type RouteHandler<R> = (input: RouteInput<R>, ctx: RequestContext, req: Request) => Promise<RouteResult<R>>;

function parsePart(schema: z.ZodType | undefined, value: unknown, location: string, issues: ValidationIssue[]) {
  if (!schema) return undefined;
  const result = schema.safeParse(value);
  if (result.success) return result.data;
  for (const issue of describeIssues(result.error.issues)) {
    issues.push({ path: issue.path ? `${location}.${issue.path}` : location, message: issue.message });
  }
  return undefined;
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
  options: { validateResponses: boolean },
): void {
  const route = spec as Routes[RouteId] & { params?: z.ZodType; query?: z.ZodType; body?: z.ZodType };
  router[route.method](toExpressPath(route.path), ...requireRole(ROUTE_ACCESS[id], id), async (req: Request, res: Response) => {
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
    if (issues.length > 0) throw validationError(issues);
    const ctx = requestContext(res);
    const result = await handler(input, ctx, req);
    const schema = (route.responses as Record<number, { schema?: z.ZodType }>)[result.status]?.schema;
    if (options.validateResponses) {
      if (!schema) throw new Error(`route ${id} answered ${result.status}, which its contract does not list`);
      const checked = schema.safeParse(result.body);
      if (!checked.success) {
        throw new Error(`route ${id} answered a body that breaks its contract: ${JSON.stringify(describeIssues(checked.error.issues))}`);
      }
    }
    res.status(result.status).json(result.body);
  });
}
