import type { Express, Request, RequestHandler } from 'express';
import { AppError } from '../http/app-error';
import { requestContext } from '../http/request-context';
import type { AccessControl } from './access-control';
import type { RateLimiters } from './rate-limits';
import type { RouteAccess } from '@autopack/auth';

export interface AuthServices {
  access: AccessControl;
  limits: RateLimiters;
  publicRead: boolean;
}

/** createApp registers the app's access services here; every route's guard finds them. */
export function registerAuthServices(app: Express, services: AuthServices): void {
  app.locals['auth'] = services;
}

function services(req: Request): AuthServices {
  return req.app.locals['auth'] as AuthServices;
}

const ANONYMOUS_ADMIN = { kind: 'anonymous', id: 'anonymous', role: 'admin', name: 'anonymous' } as const;
const ANONYMOUS_VIEWER = { kind: 'anonymous', id: 'anonymous', role: 'viewer', name: 'anonymous' } as const;

/**
 * The guard of every route (SPEC §7): who is calling, may their role call this route, and within
 * which rate limit. Public routes skip credentials altogether.
 */
export function requireRole(access: RouteAccess, routeId: string): RequestHandler[] {
  const authorize: RequestHandler = async (req, res, next) => {
    if (access === 'public') return next();
    const { access: control, publicRead } = services(req);
    const ctx = requestContext(res);
    let principal = await control.authenticate(req);
    if (!principal && (await control.isOpen())) principal = ANONYMOUS_ADMIN;
    if (!principal && publicRead && req.method === 'GET' && access.includes('viewer')) principal = ANONYMOUS_VIEWER;
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
    const { limits } = services(req);
    const limiter = routeId === 'login' ? limits.login : req.method === 'GET' ? limits.reads : limits.writes;
    return limiter(req, res, next);
  };
  return [authorize, limit];
}
