import type { RequestHandler } from 'express';
import type { RouteAccess } from '@autopack/auth';
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
}

const ANONYMOUS_ADMIN = { kind: 'anonymous', id: 'anonymous', role: 'admin', name: 'anonymous' } as const;
const ANONYMOUS_VIEWER = { kind: 'anonymous', id: 'anonymous', role: 'viewer', name: 'anonymous' } as const;

/**
 * The guard of every route (SPEC §7): who is calling, may their role call this route, and within
 * which rate limit. Public routes skip credentials altogether.
 */
export function requireRole(access: RouteAccess, routeId: string, guard: AccessGuard): RequestHandler[] {
  const authorize: RequestHandler = async (req, res, next) => {
    if (access === 'public') return next();
    const ctx = requestContext(res);
    let principal = await guard.authenticate(req);
    if (!principal && (await guard.isOpen())) principal = ANONYMOUS_ADMIN;
    if (!principal && guard.publicRead && req.method === 'GET' && access.includes('viewer')) principal = ANONYMOUS_VIEWER;
    if (!principal) {
      res.setHeader('WWW-Authenticate', 'Bearer realm="autopack", X-API-Key');
      throw new AppError('unauthenticated', 401, 'authentication required: send X-API-Key or Authorization: Bearer <token>');
    }
    ctx.principal = principal;
    if (!access.includes(principal.role)) {
      throw new AppError('forbidden', 403, `role ${principal.role} may not call ${routeId}; it needs ${access.join(' or ')}`);
    }
    next();
  };
  const limit: RequestHandler = (req, res, next) => {
    const limiter = routeId === 'login' ? guard.limits.login : req.method === 'GET' ? guard.limits.reads : guard.limits.writes;
    return limiter(req, res, next);
  };
  return [authorize, limit];
}
