import { createHash, randomBytes } from 'node:crypto';
import { existsSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Client } from 'pg';
import { createDatabase, type DatabaseHandle } from '../create-database';
import { maskDatabaseUrl } from '../identity';
import { migrateToLatest } from '../migrate';
import { migrations } from '../migrations';

/**
 * Databases for tests, one per suite so suites run in parallel: PGlite always, PostgreSQL too when
 * TEST_DATABASE_URL is set (Kysely's own suite loops over dialects the same way).
 */
export interface TestDialect {
  name: 'pglite' | 'postgres';
  /** A fresh, migrated, empty database; `close()` also drops it. */
  create(): Promise<DatabaseHandle>;
}

export function testDialects(env: NodeJS.ProcessEnv = process.env): TestDialect[] {
  const dialects: TestDialect[] = [{ name: 'pglite', create: createPgliteTestDatabase }];
  const url = env['TEST_DATABASE_URL'];
  if (url) dialects.push({ name: 'postgres', create: () => createPostgresTestDatabase(url) });
  return dialects;
}

/** Changes whenever a migration changes, so cached snapshots and templates never go stale. */
const schemaFingerprint = createHash('sha256')
  .update(
    Object.entries(migrations)
      .map(([name, m]) => `${name}\n${m.up.toString()}`)
      .join('\n'),
  )
  .digest('hex')
  .slice(0, 16);

/**
 * A new PGlite costs ~3 s and ~800 MB (initdb); loading a migrated snapshot costs ~0.6 s.
 * The snapshot is built once per schema and shared by every suite through the temp dir.
 */
async function createPgliteTestDatabase(): Promise<DatabaseHandle> {
  const file = join(tmpdir(), `autopack-pglite-${schemaFingerprint}.tar`);
  if (!existsSync(file)) {
    const fresh = await createDatabase({ dataDir: 'memory' });
    await migrateToLatest(fresh.db);
    const dump = await fresh.pglite!.dumpDataDir('none');
    await fresh.close();
    // Write then rename: suites starting together never read a half-written snapshot.
    const partial = `${file}.${process.pid}.${randomBytes(4).toString('hex')}`;
    writeFileSync(partial, Buffer.from(await dump.arrayBuffer()));
    renameSync(partial, file);
  }
  return createDatabase({ dataDir: 'memory', pgliteSnapshot: new Blob([readFileSync(file)]) });
}

/** Each suite gets its own database, copied from a migrated template (CREATE DATABASE … TEMPLATE). */
async function createPostgresTestDatabase(adminUrl: string): Promise<DatabaseHandle> {
  const template = `autopack_tpl_${schemaFingerprint}`;
  const name = `autopack_t_${randomBytes(6).toString('hex')}`;
  await withAdmin(adminUrl, async (admin) => {
    // One suite builds the template; the others wait on the advisory lock, then find it built.
    await admin.query('select pg_advisory_lock(hashtext($1))', [template]);
    try {
      const exists = await admin.query('select 1 from pg_database where datname = $1', [template]);
      if (exists.rowCount === 0) {
        await admin.query(`create database ${template}`);
        const built = await createDatabase({ url: withDatabase(adminUrl, template), poolMax: 1 });
        try {
          await migrateToLatest(built.db);
        } catch (err) {
          await built.close();
          await admin.query(`drop database if exists ${template}`);
          throw err;
        }
        await built.close();
      }
      await admin.query(`create database ${name} template ${template}`);
    } finally {
      await admin.query('select pg_advisory_unlock(hashtext($1))', [template]);
    }
  });
  const handle = await createDatabase({ url: withDatabase(adminUrl, name), poolMax: 20 });
  return {
    ...handle,
    close: async () => {
      await handle.close();
      await withAdmin(adminUrl, (admin) => admin.query(`drop database if exists ${name} with (force)`));
    },
  };
}

async function withAdmin<T>(url: string, fn: (client: Client) => Promise<T>): Promise<T> {
  const client = new Client({ connectionString: url });
  try {
    await client.connect();
  } catch (err) {
    throw new Error(`TEST_DATABASE_URL (${maskDatabaseUrl(url)}) is not reachable: ${(err as Error).message}`);
  }
  try {
    return await fn(client);
  } finally {
    await client.end();
  }
}

export function withDatabase(url: string, database: string): string {
  const parsed = new URL(url);
  parsed.pathname = `/${database}`;
  return parsed.toString();
}

/** An empty database (no schema) on the PostgreSQL of `adminUrl`, for tests of the schema guardrail. */
export async function createBlankPostgresDatabase(adminUrl: string): Promise<{ url: string; drop: () => Promise<void> }> {
  const name = `autopack_blank_${randomBytes(6).toString('hex')}`;
  await withAdmin(adminUrl, (admin) => admin.query(`create database ${name}`));
  return {
    url: withDatabase(adminUrl, name),
    drop: async () => {
      await withAdmin(adminUrl, (admin) => admin.query(`drop database if exists ${name} with (force)`));
    },
  };
}
