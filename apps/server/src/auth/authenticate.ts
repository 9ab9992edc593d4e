import type { Request } from 'express';
import type { Principal } from '../http/request-context';

/**
 * Who is calling: a principal, or undefined for an unauthenticated caller (401 on every non-public
 * route). The composition root takes it from its context so that the auth issue can plug in real
 * credentials and tests can act as any role.
 */
export type Authenticate = (req: Request) => Principal | undefined | Promise<Principal | undefined>;

/**
 * This build has no authentication (issue #3 adds it, and the server refuses AUTOPACK_ENV=production
 * until then): every caller is the anonymous admin of a development server.
 */
export const developmentAuthenticate: Authenticate = () => ({ id: 'anonymous', role: 'admin' });
