import { generateApiKey } from '@autopack/auth';
import { findApiKey, listSigningKeys } from '@autopack/db';
import { testDialects } from '@autopack/db/testing';
import { createLogger } from '@autopack/logging';
import { createApp } from '../src/app';
import { bootstrapAuth } from '../src/auth/bootstrap';
import { loadConfig } from '../src/config';
import { StartupError } from '../src/database-startup';
import { apiKeyFor, userFor } from './support/credentials';
import { expectEnvelope, makePlan, startTestApp, type TestApp } from './support/test-app';
import request from 'supertest';

const SECRET = 'flows-secret-key-at-least-32-characters-long';

for (const dialect of testDialects()) {
  describe(`authentication flows on ${dialect.name}`, () => {
    let t: TestApp;
    let admin: string;
    beforeAll(async () => {
      t = await startTestApp(dialect, { AUTOPACK_SECRET_KEY: SECRET, AUTOPACK_ALLOW_REGISTRATION: '1', AUTOPACK_RATE_LIMIT_LOGIN_PER_MINUTE: '100' });
      admin = (await apiKeyFor(t, 'admin')).key;
    });
    afterAll(() => t.database.close());

    it('logs in with JSON or an OAuth2 password form and answers /me for the token', async () => {
      const alice = await userFor(t, 'operator', 'alice');
      const json = await t.http.post('/api/auth/login').send(alice);
      expect(json.status).toBe(200);
      expect(json.body).toEqual({ access_token: expect.any(String), token_type: 'bearer', expires_in: 3600, role: 'operator' });
      const form = await t.http.post('/api/auth/login').type('form').send({ ...alice, grant_type: 'password', username: 'ALICE' });
      expect(form.status).toBe(200);
      const me = await t.http.get('/api/auth/me').set('Authorization', `Bearer ${form.body.access_token}`);
      expect(me.body).toMatchObject({ kind: 'user', id: 'alice-id', username: 'alice', actor: 'user:alice', role: 'operator', name: 'alice' });
      const wrong = await t.http.post('/api/auth/login').send({ username: 'alice', password: 'wrong-password' });
      expect(wrong.status).toBe(401);
      expectEnvelope(wrong.body, 'invalid_credentials');
      const nobody = await t.http.post('/api/auth/login').send({ username: 'nobody', password: 'wrong-password' });
      expect(nobody.body.error.message).toBe(wrong.body.error.message);
    });

    it('records the authenticated principal as the actor of events', async () => {
      const { key, id } = await apiKeyFor(t, 'operator');
      await t.http.post('/runs/start').set('X-API-Key', key).send(makePlan('by-key')).expect(201);
      const events = (await t.http.get('/runs/by-key/events').set('X-API-Key', admin)).body.events;
      expect(events[0].actor).toBe(`key:${id}`);
    });

    it('registers viewers when registration is open, never more', async () => {
      const res = await t.http.post('/api/auth/register').send({ username: 'newbie', email: 'newbie@example.com', password: 'a-long-enough-password' });
      expect(res.status).toBe(201);
      expect(res.body).toMatchObject({ username: 'newbie', role: 'viewer', is_superuser: false });
      const escalate = await t.http
        .post('/api/auth/register')
        .send({ username: 'boss', email: 'boss@example.com', password: 'a-long-enough-password', role: 'admin' });
      expect(escalate.status).toBe(400);
      const dup = await t.http.post('/api/auth/register').send({ username: 'NEWBIE', email: 'other@example.com', password: 'a-long-enough-password' });
      expect(dup.status).toBe(409);
      expectEnvelope(dup.body, 'user_exists');
      const short = await t.http.post('/api/auth/register').send({ username: 'shorty', email: 'shorty@example.com', password: 'short' });
      expect(short.body.error.details).toEqual([
        { path: 'body.password', message: 'must be at least 12 characters (the predecessor allowed 8; Autopack keeps 12 as its minimum)' },
      ]);
    });

    it('lets an admin create users of any role', async () => {
      const res = await t.http
        .post('/api/auth/users')
        .set('X-API-Key', admin)
        .send({ username: 'ops-bob', email: 'bob@example.com', password: 'another-long-password', role: 'operator' });
      expect(res.status).toBe(201);
      expect(res.body).toMatchObject({ username: 'ops-bob', role: 'operator' });
      expect(JSON.stringify(res.body)).not.toContain('password');
    });

    it('creates API keys shown once, lists them without secrets, and revokes them', async () => {
      const created = await t.http.post('/api/auth/api-keys').set('X-API-Key', admin).send({ name: 'executor-1', role: 'executor', expires_in_days: 30 });
      expect(created.status).toBe(201);
      expect(created.body.key).toMatch(/^apk_/);
      expect(created.body.created_by).toMatch(/^key:/);
      const stored = await findApiKey(t.database.db, created.body.id);
      expect(stored!.hash).not.toContain(created.body.key);
      const list = (await t.http.get('/api/auth/api-keys').set('X-API-Key', admin)).body;
      expect(list.find((k: { id: string }) => k.id === created.body.id)).toMatchObject({ name: 'executor-1', role: 'executor', revoked_at: null });
      expect(JSON.stringify(list)).not.toContain(created.body.key);
      expect((await t.http.get('/api/auth/me').set('X-API-Key', created.body.key)).body.role).toBe('executor');
      const revoked = await t.http.delete(`/api/auth/api-keys/${created.body.id}`).set('X-API-Key', admin);
      expect(revoked.body.revoked_at).toEqual(expect.any(String));
      expect((await t.http.get('/api/auth/me').set('X-API-Key', created.body.key)).status).toBe(401);
      expect((await t.http.delete('/api/auth/api-keys/zzzzzzzzzzzz').set('X-API-Key', admin)).status).toBe(404);
    });

    it('keeps tokens valid across a restart, and a rotated key verifying until its tokens expire', async () => {
      const carol = await userFor(t, 'viewer', 'carol');
      const before = (await t.http.post('/api/auth/login').send(carol)).body.access_token as string;
      // A new app on the same database: another process, or the same one restarted.
      const config = loadConfig({ AUTOPACK_SECRET_KEY: SECRET, AUTOPACK_JWT_KEY_PUBLISH_SECONDS: '30' });
      const restarted = request(createApp({ config, database: t.database, logger: createLogger({ service: 't', silent: true }), clock: t.clock }));
      expect((await restarted.get('/api/auth/me').set('Authorization', `Bearer ${before}`)).status).toBe(200);

      const jwksBefore = (await restarted.get('/api/auth/.well-known/jwks.json')).body.keys.map((k: { kid: string }) => k.kid);
      const rotation = await restarted.post('/api/auth/keys/rotate').set('X-API-Key', admin);
      expect(rotation.status).toBe(200);
      const jwksAfter = (await restarted.get('/api/auth/.well-known/jwks.json')).body.keys.map((k: { kid: string }) => k.kid);
      expect(jwksAfter).toEqual(expect.arrayContaining([...jwksBefore, rotation.body.kid]));
      // Published, but not signing yet: tokens are still signed with the old key.
      const during = (await restarted.post('/api/auth/login').send(carol)).body.access_token as string;
      expect(JSON.parse(Buffer.from(during.split('.')[0]!, 'base64url').toString()).kid).not.toBe(rotation.body.kid);
      t.clock.advance(31_000);
      const after = (await restarted.post('/api/auth/login').send(carol)).body.access_token as string;
      expect(JSON.parse(Buffer.from(after.split('.')[0]!, 'base64url').toString()).kid).toBe(rotation.body.kid);
      expect((await restarted.get('/api/auth/me').set('Authorization', `Bearer ${during}`)).status).toBe(200);
      t.clock.advance(3600_000);
      expect((await restarted.get('/api/auth/me').set('Authorization', `Bearer ${during}`)).status).toBe(401);
      expect((await restarted.get('/api/auth/me').set('Authorization', `Bearer ${after}`)).status).toBe(401);
    });
  });
}

describe('rate limits', () => {
  const [pglite] = testDialects();

  it('limit writes per principal, not per address', async () => {
    const t = await startTestApp(pglite!, { AUTOPACK_RATE_LIMIT_WRITES_PER_MINUTE: '3' });
    try {
      const a = (await apiKeyFor(t, 'operator')).key;
      const b = (await apiKeyFor(t, 'operator')).key;
      const statuses = [];
      for (let i = 0; i < 4; i++) statuses.push((await t.http.post('/runs/start').set('X-API-Key', a).send(makePlan(`w${i}`))).status);
      expect(statuses).toEqual([201, 201, 201, 429]);
      expect((await t.http.post('/runs/start').set('X-API-Key', b).send(makePlan('other'))).status).toBe(201);
      expect((await t.http.get('/runs').set('X-API-Key', a)).status).toBe(200);
    } finally {
      await t.database.close();
    }
  });

  it('believe X-Forwarded-For only from trusted proxies', async () => {
    const untrusted = await startTestApp(pglite!, { AUTOPACK_RATE_LIMIT_LOGIN_PER_MINUTE: '2' });
    const trusted = await startTestApp(pglite!, { AUTOPACK_RATE_LIMIT_LOGIN_PER_MINUTE: '2', AUTOPACK_TRUSTED_PROXIES: 'loopback' });
    try {
      const attempt = (t: TestApp, ip: string) => t.http.post('/api/auth/login').set('X-Forwarded-For', ip).send({ username: 'x', password: 'y' });
      // Untrusted: spoofing a new address per attempt does not reset the budget of the real one.
      const spoofed = [];
      for (const ip of ['1.1.1.1', '2.2.2.2', '3.3.3.3']) spoofed.push((await attempt(untrusted, ip)).status);
      expect(spoofed).toEqual([401, 401, 429]);
      // Behind a trusted proxy: each client address has its own budget.
      const proxied = [];
      for (const ip of ['1.1.1.1', '1.1.1.1', '1.1.1.1', '2.2.2.2']) proxied.push((await attempt(trusted, ip)).status);
      expect(proxied).toEqual([401, 401, 429, 401]);
    } finally {
      await untrusted.database.close();
      await trusted.database.close();
    }
  });

  it('share one budget between instances with the database store', async () => {
    const t = await startTestApp(pglite!, { AUTOPACK_RATE_LIMIT_LOGIN_PER_MINUTE: '3', AUTOPACK_RATE_LIMIT_STORE: 'database' });
    try {
      const config = loadConfig({ AUTOPACK_RATE_LIMIT_LOGIN_PER_MINUTE: '3', AUTOPACK_RATE_LIMIT_STORE: 'database' });
      const second = request(createApp({ config, database: t.database, logger: createLogger({ service: 't', silent: true }), clock: t.clock }));
      const login = (http: typeof second) => http.post('/api/auth/login').send({ username: 'x', password: 'y' });
      const statuses = [(await login(t.http)).status, (await login(second)).status, (await login(t.http)).status, (await login(second)).status];
      expect(statuses).toEqual([401, 401, 401, 429]);
    } finally {
      await t.database.close();
    }
  });
});

describe('start-up posture', () => {
  const [pglite] = testDialects();
  const logger = createLogger({ service: 't', silent: true });

  it('stores the environment admin key hashed, and it works', async () => {
    const t = await startTestApp(pglite!);
    try {
      const { key, id } = generateApiKey();
      const config = loadConfig({ AUTOPACK_API_KEY: key });
      await bootstrapAuth({ config, database: t.database, logger, clock: t.clock });
      await bootstrapAuth({ config, database: t.database, logger, clock: t.clock });
      const row = await findApiKey(t.database.db, id);
      expect(row).toMatchObject({ role: 'admin', created_by: 'environment' });
      expect(row!.hash).not.toContain(key.slice(17));
      expect((await t.http.get('/api/auth/me').set('X-API-Key', key)).body.role).toBe('admin');
    } finally {
      await t.database.close();
    }
  });

  it('refuses production without an admin key, naming the variable', async () => {
    const t = await startTestApp(pglite!);
    try {
      const config = loadConfig({ AUTOPACK_ENV: 'production', AUTOPACK_SECRET_KEY: SECRET });
      await expect(bootstrapAuth({ config, database: t.database, logger, clock: t.clock })).rejects.toThrow(StartupError);
      await expect(bootstrapAuth({ config, database: t.database, logger, clock: t.clock })).rejects.toThrow(/AUTOPACK_API_KEY/);
      await apiKeyFor(t, 'admin');
      await expect(bootstrapAuth({ config, database: t.database, logger, clock: t.clock })).resolves.toBeUndefined();
    } finally {
      await t.database.close();
    }
  });

  it('encrypts the signing keys a start without a secret stored in plain text, once a secret is set', async () => {
    const t = await startTestApp(pglite!);
    try {
      await bootstrapAuth({ config: loadConfig({}), database: t.database, logger, clock: t.clock });
      const plain = await listSigningKeys(t.database.db);
      expect(plain.map((k) => k.private_pem.slice(0, 11))).toEqual(['-----BEGIN ']);
      const before = await userFor(t, 'viewer', 'vera');
      const token = (await t.http.post('/api/auth/login').send(before)).body.access_token;

      await bootstrapAuth({ config: loadConfig({ AUTOPACK_SECRET_KEY: SECRET }), database: t.database, logger, clock: t.clock });
      const stored = await listSigningKeys(t.database.db);
      expect(stored.map((k) => [k.kid, k.private_pem.slice(0, 7)])).toEqual([[plain[0]!.kid, 'enc:v1:']]);
      // The same key, so tokens it signed keep verifying; and the secret now matters.
      expect((await t.http.get('/api/auth/me').set('Authorization', `Bearer ${token}`)).status).toBe(200);
      const other = loadConfig({ AUTOPACK_SECRET_KEY: 'a-different-secret-that-is-also-long-enough' });
      await expect(bootstrapAuth({ config: other, database: t.database, logger, clock: t.clock })).rejects.toThrow(/not the one they were stored with/);
    } finally {
      await t.database.close();
    }
  });

  it('refuses to open signing keys with another secret', async () => {
    const t = await startTestApp(pglite!);
    try {
      await bootstrapAuth({ config: loadConfig({ AUTOPACK_SECRET_KEY: SECRET }), database: t.database, logger, clock: t.clock });
      const other = loadConfig({ AUTOPACK_SECRET_KEY: 'a-different-secret-that-is-also-long-enough' });
      await expect(bootstrapAuth({ config: other, database: t.database, logger, clock: t.clock })).rejects.toThrow(/not the one they were stored with/);
    } finally {
      await t.database.close();
    }
  });

  it.each([
    [{ AUTOPACK_ENV: 'production', AUTOPACK_SECRET_KEY: SECRET, AUTOPACK_PUBLIC_READ: '1' }, /AUTOPACK_PUBLIC_READ=1/],
    [{ AUTOPACK_ENV: 'production', AUTOPACK_SECRET_KEY: SECRET, AUTOPACK_ALLOW_REGISTRATION: '1' }, /AUTOPACK_ALLOW_REGISTRATION=1/],
    [{ AUTOPACK_ENV: 'production' }, /AUTOPACK_SECRET_KEY is required in production/],
    [{ AUTOPACK_API_KEY: 'my-password' }, /AUTOPACK_API_KEY: not a valid Autopack API key/],
    [{ AUTOPACK_API_KEY: 'x'.repeat(31) }, /at least 32 characters.*keys generate/],
    [{ AUTOPACK_API_KEY: `apk_${'x'.repeat(40)}` }, /AUTOPACK_API_KEY: not a valid Autopack API key \(apk_/],
    [{ AUTOPACK_SECRET_KEY: 'short' }, /AUTOPACK_SECRET_KEY: must be at least 32 characters/],
    [{ AUTOPACK_SECRET_KEY: ' '.repeat(34) }, /AUTOPACK_SECRET_KEY: must be random/],
    [{ AUTOPACK_SECRET_KEY: 'ab'.repeat(20) }, /AUTOPACK_SECRET_KEY: must be random/],
    [{ AUTOPACK_TRUSTED_PROXIES: 'everyone' }, /AUTOPACK_TRUSTED_PROXIES/],
  ])('refuses the configuration %j', (env, message) => {
    expect(() => loadConfig(env)).toThrow(message);
  });
});
