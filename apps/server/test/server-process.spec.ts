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

  it('refuses production without an admin key, naming the variable; starts with one made by `keys generate`', async () => {
    const secret = { AUTOPACK_ENV: 'production', AUTOPACK_DATA_DIR: dataDir, AUTOPACK_SECRET_KEY: 'server-process-secret-0123456789abcdefgh' };
    const refused = runServer(secret);
    expect(await refused.exited).toBe(1);
    expect(refused.output()).toMatch(/AUTOPACK_ENV=production needs an admin API key: set AUTOPACK_API_KEY/);

    const generate = runServer({}, ['keys', 'generate']);
    expect(await generate.exited).toBe(0);
    const key = generate.output().trim();
    expect(key).toMatch(/^apk_/);
    const server = await startServer({ ...secret, AUTOPACK_API_KEY: key });
    expect((await fetch(`${server.url}/runs`)).status).toBe(401);
    expect((await fetch(`${server.url}/runs`, { headers: { 'X-API-Key': key } })).status).toBe(200);
    expect((await fetch(`${server.url}/health`)).status).toBe(200);
    const json = { 'content-type': 'application/json' };
    const user = { username: 'erin', password: 'erins-long-password' };
    const made = await fetch(`${server.url}/api/auth/users`, { method: 'POST', headers: { ...json, 'X-API-Key': key }, body: JSON.stringify({ ...user, email: 'erin@example.com', role: 'viewer' }) });
    expect(made.status).toBe(201);
    const login = (await (await fetch(`${server.url}/api/auth/login`, { method: 'POST', headers: json, body: JSON.stringify(user) })).json()) as { access_token: string };
    server.proc.kill('SIGTERM');
    expect(await server.exited).toBe(0);
    expect(server.output()).not.toContain(key);

    // A token issued before the restart still verifies after it: the signing key is persisted.
    const restarted = await startServer({ ...secret, AUTOPACK_API_KEY: key });
    const me = await fetch(`${restarted.url}/api/auth/me`, { headers: { Authorization: `Bearer ${login.access_token}` } });
    expect(me.status).toBe(200);
    restarted.proc.kill('SIGTERM');
    await restarted.exited;
  });

  it("accepts the predecessor's free-form AUTOPACK_API_KEY as the admin key, warns how to switch, and never prints it", async () => {
    const dir = mkdtempSync(join(tmpdir(), 'autopack-legacy-'));
    const env = { AUTOPACK_ENV: 'production', AUTOPACK_DATA_DIR: dir, AUTOPACK_SECRET_KEY: 'server-process-secret-0123456789abcdefgh' };
    try {
      const short = runServer({ ...env, AUTOPACK_API_KEY: 'predecessor-key-31-characters!!' });
      expect(await short.exited).toBe(1);
      expect(short.output()).toMatch(/AUTOPACK_API_KEY: .*at least 32 characters.*keys generate/);
      expect(short.output()).not.toContain('predecessor-key-31-characters!!');

      const legacy = 'autopack_Zq3-predecessor-style_secret_0123456789';
      const server = await startServer({ ...env, AUTOPACK_API_KEY: legacy });
      expect((await fetch(`${server.url}/runs`, { headers: { 'X-API-Key': legacy } })).status).toBe(200);
      const me = (await (await fetch(`${server.url}/api/auth/me`, { headers: { 'X-API-Key': legacy } })).json()) as { role: string; kind: string };
      expect(me).toMatchObject({ kind: 'api_key', role: 'admin' });
      expect((await fetch(`${server.url}/runs`, { headers: { 'X-API-Key': `${legacy}x` } })).status).toBe(401);
      server.proc.kill('SIGTERM');
      expect(await server.exited).toBe(0);
      expect(server.output()).toMatch(/free-form key.*keys generate.*keys create/);
      expect(server.output()).not.toContain(legacy);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('refuses to serve an open development server (no credential yet) beyond loopback', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'autopack-open-'));
    try {
      const refused = runServer({ AUTOPACK_DATA_DIR: dir, AUTOPACK_HOST: '0.0.0.0' });
      expect(await refused.exited).toBe(1);
      expect(refused.output()).toMatch(/refusing to serve an open development server .* on 0\.0\.0\.0; create a key first/);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('creates an API key from the command line and prints it once', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'autopack-keys-'));
    try {
      const created = runServer({ AUTOPACK_DATA_DIR: dir }, ['keys', 'create', '--role', 'operator', '--name', 'ci']);
      expect(await created.exited).toBe(0);
      const key = /apk_\S+/.exec(created.output())![0];
      const server = await startServer({ AUTOPACK_DATA_DIR: dir });
      const me = (await (await fetch(`${server.url}/api/auth/me`, { headers: { 'X-API-Key': key } })).json()) as { role: string; name: string };
      expect(me).toMatchObject({ role: 'operator', name: 'ci' });
      expect((await fetch(`${server.url}/runs`)).status).toBe(401);
      server.proc.kill('SIGTERM');
      await server.exited;
      const bad = runServer({ AUTOPACK_DATA_DIR: dir }, ['keys', 'create', '--role', 'root', '--name', 'x']);
      expect(await bad.exited).toBe(1);
      expect(bad.output()).toMatch(/--role must be one of admin, operator, executor, viewer/);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
