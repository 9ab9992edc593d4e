import { mkdirSync } from 'node:fs';
import { resolve } from 'node:path';
import { PGlite } from '@electric-sql/pglite';
import { Kysely, PostgresDialect, sql } from 'kysely';
import { PGliteDialect } from 'kysely-pglite-dialect';
import { Client, Pool } from 'pg';
import type { DatabaseDialect } from '@autopack/contracts';
import { databaseIdentity } from './identity';
import type { Database } from './schema';
import { WORK_CHANNEL, type WorkListener } from './work-channel';

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
  /**
   * Subscribes to work announcements (`announceWork`): a dedicated LISTEN connection on PostgreSQL,
   * PGlite's in-process notifications on the embedded database. Resolves to an unsubscribe function.
   */
  onWork(listener: WorkListener): Promise<() => void>;
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
  const work = postgresWorkListener(url, config.onPoolError);
  return handle(db, 'postgres', databaseIdentity(url), work.subscribe, work.close);
}

/**
 * One LISTEN connection per handle, shared by its subscribers. A lost connection is re-opened after
 * a second; subscribers are then woken once, since announcements may have been missed meanwhile.
 */
function postgresWorkListener(url: string, onError?: (err: Error) => void) {
  const listeners = new Set<WorkListener>();
  const wakeAll = () => listeners.forEach((l) => l());
  let client: Client | undefined;
  let connecting: Promise<void> | undefined;
  let retry: NodeJS.Timeout | undefined;
  let closed = false;

  const lost = (c: Client) => {
    if (client !== c || closed) return;
    client = undefined;
    void c.end().catch(() => undefined);
    retry ??= setTimeout(() => {
      retry = undefined;
      void connect().catch(() => undefined);
    }, 1000);
    retry.unref();
  };
  const connect = (): Promise<void> => {
    connecting ??= (async () => {
      const c = new Client({ connectionString: url });
      c.on('notification', wakeAll);
      c.on('error', (err) => {
        onError?.(err);
        lost(c);
      });
      c.on('end', () => lost(c));
      try {
        await c.connect();
        await c.query(`LISTEN ${WORK_CHANNEL}`);
      } catch (err) {
        client = c;
        lost(c);
        throw err;
      }
      if (closed) {
        await c.end();
        return;
      }
      client = c;
      wakeAll();
    })().finally(() => {
      connecting = undefined;
    });
    return connecting;
  };
  return {
    subscribe: async (listener: WorkListener) => {
      listeners.add(listener);
      if (!client) await connect().catch((err: Error) => onError?.(err));
      return () => {
        listeners.delete(listener);
      };
    },
    close: async () => {
      closed = true;
      clearTimeout(retry);
      listeners.clear();
      await connecting?.catch(() => undefined);
      const c = client;
      client = undefined;
      await c?.end().catch(() => undefined);
    },
  };
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
  const listeners = new Set<WorkListener>();
  let listening: Promise<unknown> | undefined;
  pglite.onNotification((channel) => {
    if (channel === WORK_CHANNEL) listeners.forEach((l) => l());
  });
  const subscribe = async (listener: WorkListener) => {
    listeners.add(listener);
    // Through Kysely, which owns the single connection: a LISTEN sent straight to PGlite could land
    // inside another request's transaction and vanish with its rollback.
    listening ??= sql.raw(`LISTEN ${WORK_CHANNEL}`).execute(db);
    await listening;
    return () => {
      listeners.delete(listener);
    };
  };
  // Kysely only destroys a driver it has used; an instance left open keeps the process alive.
  const closePglite = async () => {
    listeners.clear();
    if (!pglite.closed) await pglite.close();
  };
  return { ...handle(db, 'pglite', databaseIdentity(`pglite://${location}`), subscribe, async () => undefined, closePglite), pglite };
}

function handle(
  db: Kysely<Database>,
  dialect: DatabaseDialect,
  identity: string,
  onWork: DatabaseHandle['onWork'],
  beforeDestroy: () => Promise<void>,
  afterDestroy: () => Promise<void> = async () => undefined,
): DatabaseHandle {
  let closed = false;
  return {
    db,
    dialect,
    identity,
    ping: (timeoutMs) => ping(db, timeoutMs),
    onWork,
    close: async () => {
      if (closed) return;
      closed = true;
      await beforeDestroy();
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
