import type { Health } from '@autopack/contracts';
import { createBlankPostgresDatabase } from '@autopack/db/testing';
import { runServer, startServer } from './support/server-process';
import { TcpProxy } from './support/tcp-proxy';

const adminUrl = process.env['TEST_DATABASE_URL'];
const describePostgres = adminUrl ? describe : describe.skip;
jest.setTimeout(60_000);

describePostgres('the server process on PostgreSQL', () => {
  const drops: (() => Promise<void>)[] = [];
  async function blankDatabase(): Promise<string> {
    const blank = await createBlankPostgresDatabase(adminUrl!);
    drops.push(blank.drop);
    return blank.url;
  }
  afterAll(async () => {
    for (const drop of drops) await drop();
  });

  it('refuses a database without the schema, saying how to create it; migrate, then it starts', async () => {
    const url = await blankDatabase();
    const refused = runServer({ DATABASE_URL: url });
    expect(await refused.exited).toBe(1);
    expect(refused.output()).toMatch(/schema is missing.*npm run migrate.*AUTOPACK_DB_BOOTSTRAP=1/);

    const migrate = runServer({ DATABASE_URL: url }, ['migrate']);
    expect(await migrate.exited).toBe(0);

    const server = await startServer({ DATABASE_URL: url });
    const health = (await (await fetch(`${server.url}/health`)).json()) as Health;
    expect(health.database.dialect).toBe('postgres');
    server.proc.kill('SIGTERM');
    expect(await server.exited).toBe(0);
  });

  it('creates the schema itself with AUTOPACK_DB_BOOTSTRAP=1', async () => {
    const server = await startServer({ DATABASE_URL: await blankDatabase(), AUTOPACK_DB_BOOTSTRAP: '1' });
    expect((await fetch(`${server.url}/ready`)).status).toBe(200);
    server.proc.kill('SIGTERM');
    await server.exited;
  });

  it('answers /health 503 within 5 s while PostgreSQL is away and recovers by itself', async () => {
    const target = new URL(await blankDatabase());
    const proxy = new TcpProxy({ host: target.hostname, port: Number(target.port || 5432) });
    await proxy.start();
    const viaProxy = new URL(target);
    viaProxy.port = String(proxy.port);
    const server = await startServer({ DATABASE_URL: viaProxy.toString(), AUTOPACK_DB_BOOTSTRAP: '1' });
    try {
      expect((await fetch(`${server.url}/health`)).status).toBe(200);

      await proxy.stop();
      const started = Date.now();
      const down = await fetch(`${server.url}/health`);
      const body = await down.json();
      expect(down.status).toBe(503);
      expect(Date.now() - started).toBeLessThan(5000);
      expect(body).toMatchObject({ status: 'unhealthy', database: { ok: false, dialect: 'postgres' } });
      expect(JSON.stringify(body)).not.toContain(target.password || 'never-a-password');
      expect((await fetch(`${server.url}/ready`)).status).toBe(503);

      await proxy.start();
      let status = 0;
      for (let i = 0; i < 40 && status !== 200; i++) {
        status = (await fetch(`${server.url}/health`)).status;
        if (status !== 200) await new Promise((r) => setTimeout(r, 250));
      }
      expect(status).toBe(200);
      expect((await fetch(`${server.url}/runs`)).status).toBe(200);
    } finally {
      server.proc.kill('SIGTERM');
      await server.exited;
      await proxy.stop().catch(() => undefined);
    }
  });
});
