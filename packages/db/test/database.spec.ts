import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { sql } from 'kysely';
import {
  createDatabase,
  databaseIdentity,
  judgeSchema,
  maskDatabaseUrl,
  migrateToLatest,
  migrations,
  schemaStatus,
  type DatabaseHandle,
} from '../src';
import { testDialects } from '../src/testing';

describe('database identity', () => {
  it('masks the password and secret query parameters but keeps the location', () => {
    expect(maskDatabaseUrl('postgres://app:s3cret@db.example:5432/autopack?sslmode=require&password=x')).toBe(
      'postgres://app:***@db.example:5432/autopack?sslmode=require&password=***',
    );
  });

  it('is 12 hex chars and does not depend on the password', () => {
    const a = databaseIdentity('postgres://app:one@db:5432/autopack');
    expect(a).toMatch(/^[0-9a-f]{12}$/);
    expect(databaseIdentity('postgres://app:two@db:5432/autopack')).toBe(a);
    expect(databaseIdentity('postgres://app:one@db:5432/other')).not.toBe(a);
  });
});

describe('migrations', () => {
  it('lists every migration file of the migrations folder, in timestamp order', () => {
    const files = readdirSync(join(__dirname, '../src/migrations'))
      .filter((f) => f !== 'index.ts')
      .map((f) => f.replace(/\.ts$/, ''));
    expect(Object.keys(migrations)).toEqual(files.sort());
    for (const name of files) expect(name).toMatch(/^\d{4}-\d{2}-\d{2}T\d{2}-\d{2}-\d{2}-[a-z0-9-]+$/);
  });
});

describe('schema guardrail', () => {
  const all = Object.keys(migrations);
  it('accepts an up-to-date schema', () => {
    expect(judgeSchema({ applied: all, pending: [], unknown: [] }, false)).toEqual({ ok: true });
  });
  it('refuses a missing schema and says how to create it', () => {
    const decision = judgeSchema({ applied: [], pending: all, unknown: [] }, false);
    expect(decision).toMatchObject({ ok: false });
    expect(!decision.ok && decision.message).toMatch(/schema is missing.*npm run migrate.*AUTOPACK_DB_BOOTSTRAP=1/);
  });
  it('refuses an outdated schema unless bootstrap is allowed', () => {
    const status = { applied: all.slice(0, 0).concat(['x']), pending: ['y'], unknown: [] };
    expect(judgeSchema(status, false)).toMatchObject({ ok: false, message: expect.stringMatching(/outdated/) });
    expect(judgeSchema(status, true)).toEqual({ ok: true });
  });
  it('refuses a schema newer than the code even with bootstrap allowed', () => {
    expect(judgeSchema({ applied: all, pending: [], unknown: ['2099-01-01T00-00-00-future'] }, true)).toMatchObject({
      ok: false,
      message: expect.stringMatching(/newer than this server.*2099/),
    });
  });
});

describe('PGlite data directory', () => {
  it('keeps data across a reopen of the same directory', async () => {
    const { mkdtempSync, rmSync } = await import('node:fs');
    const { tmpdir } = await import('node:os');
    const dir = mkdtempSync(join(tmpdir(), 'autopack-db-'));
    try {
      const first = await createDatabase({ dataDir: dir });
      expect((await schemaStatus(first.db)).pending).toEqual(Object.keys(migrations));
      await migrateToLatest(first.db);
      await first.close();
      const second = await createDatabase({ dataDir: dir });
      expect(await schemaStatus(second.db)).toEqual({ applied: Object.keys(migrations), pending: [], unknown: [] });
      expect(second.identity).toBe(first.identity);
      await second.close();
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

for (const dialect of testDialects()) {
  describe(`on ${dialect.name}`, () => {
    let handle: DatabaseHandle;
    beforeAll(async () => {
      handle = await dialect.create();
    });
    afterAll(() => handle.close());

    it('starts migrated and reports its dialect', async () => {
      expect(handle.dialect).toBe(dialect.name);
      expect(await schemaStatus(handle.db)).toEqual({ applied: Object.keys(migrations), pending: [], unknown: [] });
    });

    it('answers a ping with a latency', async () => {
      const result = await handle.ping(2000);
      expect(result.ok).toBe(true);
      expect(result.latency_ms).toBeGreaterThanOrEqual(0);
    });

    it('enforces the state check constraint of phases', async () => {
      await expect(
        sql`insert into runs (run_id, state, safety_profile, run_scope, token_cap, max_phases, max_duration_minutes,
              repo, on_phase_failure, plan, created_at, updated_at)
            values ('r', 'NOT_A_STATE', 'normal', 'multi_tier', 1, 1, 1, '{}', 'stop', '{}', now(), now())`.execute(handle.db),
      ).rejects.toThrow(/check constraint/);
    });
  });
}
