import { mkdirSync } from 'node:fs';
import { resolve } from 'node:path';
import { PGlite } from '@electric-sql/pglite';
import { Kysely, PostgresDialect, sql } from 'kysely';
import { PGliteDialect } from 'kysely-pglite-dialect';
import { Pool } from 'pg';
import type { DatabaseDialect } from '@autopack/contracts';
import { databaseIdentity } from './identity';
import type { Database } from './schema';

export interface DatabaseConfig {
  /** `postgres://…`: use PostgreSQL through a `pg` pool. Absent: embedded PGlite. */
  url?: string;
  /** PGlite data directory; `memory` keeps everything in memory (tests). */
  dataDir?: string;
  /** Start PGlite from a `dumpDataDir` snapshot instead of an empty cluster (tests). */
  pgliteSnapshot?: Blob;
  poolMax?: number;
  /** Called when an idle pooled connection fails (e.g. PostgreSQL restarted); the pool replaces it. */
  onPoolError?: (err: Error) => void;
}

export interface PingResult {
  ok: boolean;
  latency_ms: number | null;
  error?: string;
}

export interface DatabaseHandle {
  db: Kysely<Database>;
  dialect: DatabaseDialect;
  /** SHA-256 of the credential-masked location, 12 hex chars: tells deployments apart without leaking secrets. */
  identity: string;
  /** `select 1` within `timeoutMs`; never throws. */
  ping(timeoutMs: number): Promise<PingResult>;
  close(): Promise<void>;
  /** The embedded instance, when the dialect is PGlite (snapshots in tests). */
  pglite?: PGlite;
}

export const DEFAULT_DATA_DIR = '.autopack/data';

export async function createDatabase(config: DatabaseConfig): Promise<DatabaseHandle> {
  if (config.url) return createPostgres(config.url, config);
  return createPglite(config);
}

async function createPostgres(url: string, config: DatabaseConfig): Promise<DatabaseHandle> {
  const pool = new Pool({
    connectionString: url,
    max: config.poolMax ?? 10,
    connectionTimeoutMillis: 5_000,
    idleTimeoutMillis: 30_000,
  });
  // Without a listener, an idle client dying (server restart, network cut) would crash the process.
  pool.on('error', (err) => config.onPoolError?.(err));
  const db = new Kysely<Database>({ dialect: new PostgresDialect({ pool }) });
  return handle(db, 'postgres', databaseIdentity(url));
}

async function createPglite(config: DatabaseConfig): Promise<DatabaseHandle> {
  const dataDir = config.dataDir ?? DEFAULT_DATA_DIR;
  const inMemory = dataDir === 'memory';
  const location = inMemory ? 'memory://' : resolve(dataDir);
  if (!inMemory) mkdirSync(location, { recursive: true });
  const pglite = await PGlite.create({
    ...(inMemory ? {} : { dataDir: location }),
    ...(config.pgliteSnapshot ? { loadDataDir: config.pgliteSnapshot } : {}),
  });
  const db = new Kysely<Database>({ dialect: new PGliteDialect(pglite) });
  // Kysely only destroys a driver it has used; an instance left open keeps the process alive.
  const closePglite = async () => {
    if (!pglite.closed) await pglite.close();
  };
  return { ...handle(db, 'pglite', databaseIdentity(`pglite://${location}`), closePglite), pglite };
}

function handle(
  db: Kysely<Database>,
  dialect: DatabaseDialect,
  identity: string,
  afterDestroy: () => Promise<void> = async () => undefined,
): DatabaseHandle {
  let closed = false;
  return {
    db,
    dialect,
    identity,
    ping: (timeoutMs) => ping(db, timeoutMs),
    close: async () => {
      if (closed) return;
      closed = true;
      await db.destroy();
      await afterDestroy();
    },
  };
}

async function ping(db: Kysely<Database>, timeoutMs: number): Promise<PingResult> {
  const started = performance.now();
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`no answer within ${timeoutMs} ms`)), timeoutMs);
  });
  try {
    await Promise.race([sql`select 1`.execute(db), timeout]);
    return { ok: true, latency_ms: Math.round((performance.now() - started) * 100) / 100 };
  } catch (err) {
    return { ok: false, latency_ms: null, error: describeDatabaseError(err) };
  } finally {
    clearTimeout(timer);
  }
}

/** A short reason safe to show: error codes and messages of pg never carry the password. */
function describeDatabaseError(err: unknown): string {
  if (err instanceof AggregateError && err.errors.length > 0) return describeDatabaseError(err.errors[0]);
  if (err instanceof Error) {
    const code = (err as { code?: unknown }).code;
    return typeof code === 'string' && code.length > 0 ? `${code}: ${err.message}` : err.message;
  }
  return 'unknown database error';
}
