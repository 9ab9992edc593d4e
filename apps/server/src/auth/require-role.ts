import type { RequestHandler } from 'express';
import { AppError } from '../http/app-error';
import { requestContext } from '../http/request-context';
import type { Authenticate } from './authenticate';
import type { RouteAccess } from './route-roles';

/** The access seam every route passes through: authenticate, then check the route's roles. */
export function requireRole(access: RouteAccess, authenticate: Authenticate): RequestHandler {
  return async (req, res, next) => {
    if (access === 'public') return next();
    const principal = await authenticate(req);
    if (!principal) throw new AppError('unauthenticated', 401, 'authentication required');
    if (!access.includes(principal.role)) {
      throw new AppError('forbidden', 403, `role ${principal.role} may not call this route (allowed: ${access.join(', ')})`);
    }
    requestContext(res).principal = principal;
    next();
  };
}
