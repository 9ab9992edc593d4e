import { Migrator, sql, type Kysely, type MigrationProvider } from 'kysely';
import { migrations } from './migrations';
import type { Database } from './schema';

const provider: MigrationProvider = { getMigrations: async () => migrations };

function migrator(db: Kysely<Database>): Migrator {
  return new Migrator({ db, provider });
}

export interface SchemaStatus {
  applied: string[];
  pending: string[];
  /** Applied in the database but unknown to this build: the database is newer than the code. */
  unknown: string[];
}

export async function schemaStatus(db: Kysely<Database>): Promise<SchemaStatus> {
  const known = await migrator(db).getMigrations();
  const appliedKnown = known.filter((m) => m.executedAt !== undefined).map((m) => m.name);
  const pending = known.filter((m) => m.executedAt === undefined).map((m) => m.name);
  let unknown: string[] = [];
  const tracked = await sql<{ exists: boolean }>`select to_regclass('public.kysely_migration') is not null as exists`.execute(db);
  if (tracked.rows[0]?.exists) {
    const rows = await sql<{ name: string }>`select name from kysely_migration order by name`.execute(db);
    const names = new Set(known.map((m) => m.name));
    unknown = rows.rows.map((r) => r.name).filter((n) => !names.has(n));
  }
  return { applied: appliedKnown, pending, unknown };
}

/** Applies every pending migration; throws with the failing migration's name. */
export async function migrateToLatest(db: Kysely<Database>): Promise<string[]> {
  const { error, results } = await migrator(db).migrateToLatest();
  if (error) {
    const failed = results?.find((r) => r.status === 'Error')?.migrationName ?? 'unknown';
    throw new Error(`migration ${failed} failed: ${error instanceof Error ? error.message : String(error)}`, {
      cause: error,
    });
  }
  return (results ?? []).filter((r) => r.status === 'Success').map((r) => r.migrationName);
}

export type SchemaDecision = { ok: true } | { ok: false; message: string };

/**
 * SPEC §9 bootstrap guardrail for a shared PostgreSQL: a server never silently changes a schema it
 * did not create, and never runs on one it does not understand.
 */
export function judgeSchema(status: SchemaStatus, bootstrapAllowed: boolean): SchemaDecision {
  if (status.unknown.length > 0) {
    return {
      ok: false,
      message: `the database schema is newer than this server (unknown migrations: ${status.unknown.join(', ')}); upgrade the server`,
    };
  }
  if (status.pending.length === 0 || bootstrapAllowed) return { ok: true };
  const state = status.applied.length === 0 ? 'missing' : 'outdated';
  return {
    ok: false,
    message:
      `the database schema is ${state} (${status.pending.length} pending migration(s): ${status.pending.join(', ')}). ` +
      'Run `npm run migrate` (node apps/server/dist/main.js migrate) or start once with AUTOPACK_DB_BOOTSTRAP=1',
  };
}
