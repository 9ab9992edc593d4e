import type { DatabaseHandle } from '@autopack/db';
import type { Logger } from '@autopack/logging';
import type { Authenticate } from './auth/authenticate';
import type { WorkSignal } from './claims/work-signal';
import type { Clock } from './clock';
import type { ServerConfig } from './config';

/** What the composition root hands to every feature. */
export interface AppContext {
  config: ServerConfig;
  database: DatabaseHandle;
  logger: Logger;
  clock: Clock;
  /** Who is calling; default: the anonymous admin of a development server (see auth/authenticate.ts). */
  authenticate?: Authenticate;
  /** Wakes long-polling claims when work appears; default: one made from `database`. */
  work?: WorkSignal;
}

/** The context with its defaults filled in: what features receive. */
export type AppServices = Required<AppContext>;
