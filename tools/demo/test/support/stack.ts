import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { AutopackClient } from '@autopack/executor-client';
import { createBlankPostgresDatabase } from '@autopack/db/testing';
import { createKey, startExecutor, startServer, type Child } from '../../src/processes';

export type StackDialect = 'pglite' | 'postgres';

export function stackDialects(): StackDialect[] {
  return process.env['TEST_DATABASE_URL'] ? ['pglite', 'postgres'] : ['pglite'];
}

export interface Stack {
  url: string;
  admin: AutopackClient;
  executorKey: string;
  server: Child;
  executors: Child[];
  /** Work dir of executor i (0-based). */
  workDir(i: number): string;
  addExecutor(): Child;
  stop(): Promise<void>;
}

/**
 * The real product as processes: `node apps/server/dist/main.js` on a fresh database of the dialect
 * and `node apps/executor/dist/main.js` workers, each with its own work dir, talking over HTTP.
 */
export async function startStack(dialect: StackDialect, opts: { executors?: number; serverEnv?: Record<string, string> } = {}): Promise<Stack> {
  const scratch = mkdtempSync(join(tmpdir(), 'autopack-e2e-'));
  let dropDatabase: () => Promise<void> = async () => undefined;
  let dbEnv: Record<string, string>;
  if (dialect === 'postgres') {
    const blank = await createBlankPostgresDatabase(process.env['TEST_DATABASE_URL']!);
    dropDatabase = blank.drop;
    dbEnv = { DATABASE_URL: blank.url, AUTOPACK_DB_BOOTSTRAP: '1' };
  } else {
    dbEnv = { AUTOPACK_DATA_DIR: join(scratch, 'data') };
  }
  const adminKey = await createKey(dbEnv, 'admin', 'e2e-admin');
  const executorKey = await createKey(dbEnv, 'executor', 'e2e-executor');
  const server = await startServer({ ...dbEnv, AUTOPACK_REAPER_INTERVAL_SECONDS: '0.5', ...opts.serverEnv });
  const executors: Child[] = [];
  const workDir = (i: number) => join(scratch, `work-${i}`);
  const addExecutor = () => {
    const child = startExecutor({
      AUTOPACK_SERVER_URL: server.url,
      AUTOPACK_EXECUTOR_API_KEY: executorKey,
      AUTOPACK_WORK_DIR: workDir(executors.length),
      AUTOPACK_EXECUTOR_ID: `e2e-${executors.length}`,
      AUTOPACK_EXECUTOR_GRACE_SECONDS: '5',
    });
    executors.push(child);
    return child;
  };
  for (let i = 0; i < (opts.executors ?? 1); i++) addExecutor();
  return {
    url: server.url,
    admin: new AutopackClient({ baseUrl: server.url, apiKey: adminKey }),
    executorKey,
    server,
    executors,
    workDir,
    addExecutor,
    stop: async () => {
      await Promise.all(executors.map((e) => e.stop()));
      await server.stop();
      await dropDatabase();
      rmSync(scratch, { recursive: true, force: true });
    },
  };
}
