import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { ROLES, type Role } from '@autopack/contracts';
import type { DatabaseHandle } from '@autopack/db';
import type { TestDialect } from '@autopack/db/testing';
import { createLogger } from '@autopack/logging';
import { createApp, createReaper, loadConfig, ManualClock, type Authenticate, type Reaper } from '@autopack/server';

/** Test-only: the role comes from `X-Test-Role`, the principal id from `X-Test-Principal`. */
const headerAuthenticate: Authenticate = (req) => {
  const role = req.get('x-test-role') ?? 'admin';
  return ROLES.includes(role as Role) ? { id: req.get('x-test-principal') ?? `test-${role}`, role: role as Role } : undefined;
};

export interface RunningServer {
  url: string;
  database: DatabaseHandle;
  clock: ManualClock;
  reaper: Reaper;
  stop(): Promise<void>;
}

/** The real server (the same createApp as `node apps/server/dist/main.js`) on a fresh database, on a free port. */
export async function startServer(dialect: TestDialect): Promise<RunningServer> {
  const database = await dialect.create();
  const config = loadConfig({ AUTOPACK_LOG_LEVEL: 'warn' });
  const logger = createLogger({ service: 'autopack-integration', level: 'warn', silent: true });
  const clock = new ManualClock();
  const app = createApp({ config, database, logger, clock, authenticate: headerAuthenticate });
  const server: Server = createServer(app);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    database,
    clock,
    reaper: createReaper({ config, database, logger, clock }),
    stop: async () => {
      server.closeAllConnections();
      await new Promise((resolve) => server.close(resolve));
      await database.close();
    },
  };
}
