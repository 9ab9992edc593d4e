import type { RequestHandler } from 'express';
import { API_DOCS_ROUTES, type RouteAccess } from '@autopack/auth';
import type { RouteId } from '@autopack/contracts';
import { AppError } from '../http/app-error';
import { requestContext } from '../http/request-context';
import type { Authenticate } from './authenticate';
import type { RateLimiters } from './rate-limits';

/** What the guard of every route needs: who is calling, whether the server is open, the limits. */
export interface AccessGuard {
  authenticate: Authenticate;
  /** Development with no key and no user yet: every caller is the anonymous admin. */
  isOpen(): Promise<boolean>;
  limits: RateLimiters;
  publicRead: boolean;
  /** Anonymous callers may read the API documentation (development, or AUTOPACK_PUBLIC_API_DOCS=1). */
  publicApiDocs: boolean;
}

const ANONYMOUS_ADMIN = { kind: 'anonymous', id: 'anonymous', role: 'admin', name: 'anonymous' } as const;

/**
 * What the anonymous admin of an open server may not do: mint credentials. Otherwise whoever
 * reaches the port first owns the server and locks its operator out (SPEC §7: the first admin key
 * comes from the environment or the CLI, never from an open endpoint).
 */
const CREDENTIAL_ROUTES: ReadonlySet<string> = new Set(['createApiKey', 'createUser', 'rotateSigningKey']);
export const FIRST_KEY_HINT =
  'this server has no credential yet: create the first admin key on its host with `node apps/server/dist/main.js keys create --role admin --name <you>` (or set AUTOPACK_API_KEY)';
const ANONYMOUS_VIEWER = { kind: 'anonymous', id: 'anonymous', role: 'viewer', name: 'anonymous' } as const;

/**
 * The guard of every route (SPEC §7): who is calling, within which rate limit, and may their role
 * call this route. The limit comes before the verdict, so that failed and anonymous attempts are
 * counted (by address) like any other. Public routes skip credentials altogether.
 */
export function requireRole(access: RouteAccess, routeId: RouteId, guard: AccessGuard): RequestHandler[] {
  const failures = new WeakMap<object, unknown>();
  const identify: RequestHandler = async (req, res, next) => {
    if (access === 'public') return next();
    const ctx = requestContext(res);
    let principal;
    try {
      principal = await guard.authenticate(req);
    } catch (err) {
      // Refused after the limiter has counted the attempt against the caller's address.
      failures.set(req, err);
      return next();
    }
    if (!principal && (await guard.isOpen())) {
      if (CREDENTIAL_ROUTES.has(routeId)) throw new AppError('forbidden', 403, FIRST_KEY_HINT);
      principal = ANONYMOUS_ADMIN;
    }
    if (!principal && guard.publicRead && req.method === 'GET' && access.includes('viewer')) principal = ANONYMOUS_VIEWER;
    if (!principal && guard.publicApiDocs && API_DOCS_ROUTES.has(routeId)) principal = ANONYMOUS_VIEWER;
    if (principal) ctx.principal = principal;
    next();
  };
  const limit: RequestHandler = (req, res, next) => {
    const limiter = routeId === 'login' ? guard.limits.login : req.method === 'GET' ? guard.limits.reads : guard.limits.writes;
    return limiter(req, res, next);
  };
  const authorize: RequestHandler = (req, res, next) => {
    if (access === 'public') return next();
    if (failures.has(req)) throw failures.get(req);
    const principal = requestContext(res).principal;
    if (!principal) {
      res.setHeader('WWW-Authenticate', 'Bearer realm="autopack", X-API-Key');
      throw new AppError('unauthenticated', 401, 'authentication required: send X-API-Key or Authorization: Bearer <token>');
    }
    if (!access.includes(principal.role)) {
      throw new AppError('forbidden', 403, `role ${principal.role} may not call ${routeId}; it needs ${access.join(' or ')}`);
    }
    next();
  };
  return [identify, limit, authorize];
}
