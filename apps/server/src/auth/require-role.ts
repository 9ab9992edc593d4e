import type { RequestHandler } from 'express';
import { requestContext } from '../http/request-context';
import type { RouteAccess } from './route-roles';

/**
 * The access seam every route passes through. This build has no authentication (issue #3 adds it,
 * and the server refuses AUTOPACK_ENV=production until then): every caller is the anonymous admin
 * of a development server, and that is who events record as the actor.
 */
export function requireRole(access: RouteAccess): RequestHandler {
  return (_req, res, next) => {
    if (access !== 'public') requestContext(res).principal = { id: 'anonymous', role: 'admin' };
    next();
  };
}
