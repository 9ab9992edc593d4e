import { request as httpRequest } from 'node:http';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Health, RunDetail } from '@autopack/contracts';
import { makePlan } from './support/test-app';
import { runServer, startServer } from './support/server-process';

jest.setTimeout(60_000);

describe('the server process (node dist/main.js) on the embedded database', () => {
  let dataDir: string;
  beforeAll(() => {
    dataDir = mkdtempSync(join(tmpdir(), 'autopack-main-'));
  });
  afterAll(() => rmSync(dataDir, { recursive: true, force: true }));

  it('keeps its data across a restart on the same data dir and stops cleanly on SIGTERM', async () => {
    const first = await startServer({ AUTOPACK_DATA_DIR: dataDir });
    const health = (await (await fetch(`${first.url}/health`)).json()) as Health;
    expect(health.database.dialect).toBe('pglite');
    const created = await fetch(`${first.url}/runs/start`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(makePlan('survivor', { perTier: 2 })),
    });
    expect(created.status).toBe(201);
    // A long-polling claim does not hold the shutdown: it is answered 204 at once.
    const claimRun = await fetch(`${first.url}/executors/claim`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ executor_id: 'x' }) });
    expect(claimRun.status).toBe(200);
    const waiting = fetch(`${first.url}/executors/claim`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ executor_id: 'y', wait_seconds: 30 }),
    });
    await new Promise((r) => setTimeout(r, 300));
    const stopping = Date.now();
    first.proc.kill('SIGTERM');
    expect((await waiting).status).toBe(204);
    expect(await first.exited).toBe(0);
    expect(Date.now() - stopping).toBeLessThan(8000);
    expect(first.output()).toContain('"message":"stopped"');

    const second = await startServer({ AUTOPACK_DATA_DIR: dataDir });
    const run = (await (await fetch(`${second.url}/runs/survivor`)).json()) as RunDetail;
    expect(run.phases).toHaveLength(2);
    expect(((await (await fetch(`${second.url}/health`)).json()) as Health).database_identity).toBe(health.database_identity);
    second.proc.kill('SIGINT');
    expect(await second.exited).toBe(0);
  });

  it('finishes a request that is in flight when SIGTERM arrives', async () => {
    const server = await startServer({ AUTOPACK_DATA_DIR: dataDir });
    const body = JSON.stringify(makePlan('in-flight'));
    const { port } = new URL(server.url);
    const answer = new Promise<number>((resolve, reject) => {
      const req = httpRequest(
        { host: '127.0.0.1', port, path: '/runs/start', method: 'POST', headers: { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) } },
        (res) => {
          res.resume();
          resolve(res.statusCode ?? 0);
        },
      );
      req.on('error', reject);
      req.write(body.slice(0, 20));
      setTimeout(() => {
        server.proc.kill('SIGTERM');
        setTimeout(() => req.end(body.slice(20)), 300);
      }, 100);
    });
    expect(await answer).toBe(201);
    expect(await server.exited).toBe(0);
    const restarted = await startServer({ AUTOPACK_DATA_DIR: dataDir });
    expect((await fetch(`${restarted.url}/runs/in-flight`)).status).toBe(200);
    restarted.proc.kill('SIGTERM');
    await restarted.exited;
  });

  it('refuses to start on invalid configuration, naming every bad variable', async () => {
    const bad = runServer({ AUTOPACK_PORT: 'eighty', AUTOPACK_LOG_LEVEL: 'loud', DATABASE_URL: 'mysql://x' });
    expect(await bad.exited).toBe(1);
    const out = bad.output();
    expect(out).toMatch(/AUTOPACK_PORT: must be a number/);
    expect(out).toMatch(/AUTOPACK_LOG_LEVEL/);
    expect(out).toMatch(/DATABASE_URL: must start with postgres:\/\//);
  });

  it('refuses AUTOPACK_ENV=production while the build has no authentication', async () => {
    const prod = runServer({ AUTOPACK_ENV: 'production', AUTOPACK_DATA_DIR: dataDir });
    expect(await prod.exited).toBe(1);
    expect(prod.output()).toMatch(/AUTOPACK_ENV=production/);
  });
});
