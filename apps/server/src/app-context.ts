import type { DatabaseHandle } from '@autopack/db';
import type { Logger } from '@autopack/logging';
import type { AuthService } from './auth/auth-service';
import type { Authenticate } from './auth/authenticate';
import type { Keyring } from './auth/keyring';
import type { AccessGuard } from './auth/require-role';
import type { WorkSignal } from './claims/work-signal';
import type { Clock } from './clock';
import type { ServerConfig } from './config';

/** What the composition root hands to every feature. */
export interface AppContext {
  config: ServerConfig;
  database: DatabaseHandle;
  logger: Logger;
  clock: Clock;
  /** An extra way to tell who is calling, asked before API keys and access tokens (auth/access-control.ts). */
  authenticate?: Authenticate;
  /** Wakes long-polling claims when work appears; default: one made from `database`. */
  work?: WorkSignal;
}

/** The context with its defaults filled in, and the auth services: what features receive. */
export type AppServices = Required<AppContext> & {
  keyring: Keyring;
  auth: AuthService;
  guard: AccessGuard;
};
