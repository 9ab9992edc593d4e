import type { Request } from 'express';
import type { Principal } from '../http/request-context';

/**
 * Who is calling: a principal, or undefined when the request carries no credential. Wrong
 * credentials throw (401). The default is AccessControl (API keys and access tokens); the
 * composition root accepts another one, e.g. for tests that act as any role.
 */
export type Authenticate = (req: Request) => Principal | undefined | Promise<Principal | undefined>;
