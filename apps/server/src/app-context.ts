import type { DatabaseHandle } from '@autopack/db';
import type { Logger } from '@autopack/logging';
import type { Clock } from './clock';
import type { ServerConfig } from './config';

/** What the composition root hands to every feature. */
export interface AppContext {
  config: ServerConfig;
  database: DatabaseHandle;
  logger: Logger;
  clock: Clock;
}
