import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { generateApiKey } from '@autopack/auth';
import { ROLES, type Role } from '@autopack/contracts';
import { insertApiKey, type DatabaseHandle } from '@autopack/db';
import type { TestDialect } from '@autopack/db/testing';
import { createLogger } from '@autopack/logging';
import { createApp, createReaper, loadConfig, ManualClock, type Reaper } from '@autopack/server';

export interface RunningServer {
  url: string;
  database: DatabaseHandle;
  clock: ManualClock;
  reaper: Reaper;
  /** A real API key per role (the server enforces authentication as in production). */
  keys: Record<Role, string>;
  stop(): Promise<void>;
}

/** The real server (the same createApp as `node apps/server/dist/main.js`) on a fresh database, on a free port. */
export async function startServer(dialect: TestDialect): Promise<RunningServer> {
  const database = await dialect.create();
  const config = loadConfig({ AUTOPACK_LOG_LEVEL: 'warn' });
  const logger = createLogger({ service: 'autopack-integration', level: 'warn', silent: true });
  const clock = new ManualClock();
  const keys = {} as Record<Role, string>;
  for (const role of ROLES) {
    const { key, id, hash } = generateApiKey();
    await insertApiKey(database.db, { id, name: `${role}-1`, role, hash, created_by: 'test', created_at: clock.now(), last_used_at: null, expires_at: null, revoked_at: null });
    keys[role] = key;
  }
  const app = createApp({ config, database, logger, clock });
  const server: Server = createServer(app);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    database,
    clock,
    reaper: createReaper({ config, database, logger, clock }),
    keys,
    stop: async () => {
      server.closeAllConnections();
      await new Promise((resolve) => server.close(resolve));
      await database.close();
    },
  };
}
