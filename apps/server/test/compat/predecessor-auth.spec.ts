import { hashApiKey } from '@autopack/auth';
import { buildOpenApi } from '@autopack/contracts';
import { findApiKeyByHash, listApiKeys } from '@autopack/db';
import { testDialects } from '@autopack/db/testing';
import { bootstrapAuth } from '../../src/auth/bootstrap';
import { loadConfig } from '../../src/config';
import { apiKeyFor, userFor } from '../support/credentials';
import { expectEnvelope, startTestApp, type TestApp } from '../support/test-app';

/**
 * The predecessor's auth surface, as its clients call it (bodies written from its schemas):
 * `UserCreate`, `UserResponse`, login by username or email, the API-key list, key status, and its
 * free-form AUTOPACK_API_KEY.
 */
const SECRET = 'predecessor-auth-secret-0123456789abcdefgh';
const USER_RESPONSE_FIELDS = ['id', 'username', 'email', 'is_active', 'is_superuser', 'created_at', 'updated_at'];
const API_KEY_RESPONSE_FIELDS = ['id', 'name', 'description', 'is_active', 'created_at', 'last_used_at'];

for (const dialect of testDialects()) {
  describe(`the predecessor's auth calls on ${dialect.name}`, () => {
    let t: TestApp;
    let admin: string;
    beforeAll(async () => {
      t = await startTestApp(dialect, { AUTOPACK_SECRET_KEY: SECRET, AUTOPACK_ALLOW_REGISTRATION: '1', AUTOPACK_RATE_LIMIT_LOGIN_PER_MINUTE: '1000' });
      admin = (await apiKeyFor(t, 'admin')).key;
    });
    afterAll(() => t.database.close());

    const login = (username: string, password: string) => t.http.post('/api/auth/login').send({ username, password });

    it('registers with its UserCreate body and answers its UserResponse, our role beside it', async () => {
      const res = await t.http.post('/api/auth/register').send({ username: 'pat', email: 'Pat@Example.com', password: 'pats-long-password' });
      expect(res.status).toBe(201);
      expect(Object.keys(res.body)).toEqual(expect.arrayContaining([...USER_RESPONSE_FIELDS, 'role']));
      expect(res.body).toMatchObject({ username: 'pat', email: 'Pat@Example.com', is_active: true, is_superuser: false, role: 'viewer' });
      expect(res.body.updated_at).toBe(res.body.created_at);
      expect(typeof res.body.id).toBe('string');
    });

    it('logs in by username or by email in any case, with JSON or the OAuth2 form', async () => {
      await t.http.post('/api/auth/register').send({ username: 'quinn', email: 'quinn@example.com', password: 'quinns-long-password' }).expect(201);
      for (const name of ['quinn', 'QUINN', 'quinn@example.com', 'Quinn@EXAMPLE.com']) {
        const res = await login(name, 'quinns-long-password');
        expect([name, res.status]).toEqual([name, 200]);
      }
      const form = await t.http.post('/api/auth/login').type('form').send({ grant_type: 'password', username: 'quinn@example.com', password: 'quinns-long-password' });
      expect(form.status).toBe(200);
      const me = await t.http.get('/api/auth/me').set('Authorization', `Bearer ${form.body.access_token}`);
      expect(me.body).toMatchObject({ kind: 'user', username: 'quinn', email: 'quinn@example.com', is_active: true, is_superuser: false, name: 'quinn', actor: 'user:quinn' });
      expect(Object.keys(me.body)).toEqual(expect.arrayContaining(USER_RESPONSE_FIELDS));
    });

    it('answers an unknown user, an unknown email and a wrong password alike', async () => {
      await t.http.post('/api/auth/register').send({ username: 'remy', email: 'remy@example.com', password: 'remys-long-password' }).expect(201);
      const answers = await Promise.all([
        login('nobody-here', 'remys-long-password'),
        login('nobody@example.com', 'remys-long-password'),
        login('remy', 'not-remys-password'),
        login('remy@example.com', 'not-remys-password'),
      ]);
      for (const res of answers) {
        expect(res.status).toBe(401);
        expectEnvelope(res.body, 'invalid_credentials');
      }
      expect(new Set(answers.map((r) => r.body.error.message))).toEqual(new Set(['wrong username, email or password']));
    });

    it('refuses a taken email in another case with 409 user_exists, saying which field', async () => {
      await t.http.post('/api/auth/register').send({ username: 'sam', email: 'sam@example.com', password: 'sams-long-password' }).expect(201);
      const email = await t.http.post('/api/auth/register').send({ username: 'sam2', email: 'SAM@example.COM', password: 'sams-long-password' });
      expect(email.status).toBe(409);
      expectEnvelope(email.body, 'user_exists');
      expect(email.body.error.message).toBe('a user with this email already exists');
      const name = await t.http.post('/api/auth/register').send({ username: 'Sam', email: 'sam.other@example.com', password: 'sams-long-password' });
      expect([name.status, name.body.error.message]).toEqual([409, 'a user named "Sam" already exists']);
      // A login names one person: a username may not be someone else's email, nor the reverse.
      const cross = await t.http
        .post('/api/auth/users')
        .set('X-API-Key', admin)
        .send({ username: 'sam@example.com', email: 'sam3@example.com', password: 'sams-long-password', role: 'viewer' });
      expect([cross.status, cross.body.error.code]).toEqual([409, 'user_exists']);
      expect(cross.body.error.message).toMatch(/another user's email/);
    });

    it("refuses the predecessor's shorter passwords and a missing email with 400 naming the field", async () => {
      const short = await t.http.post('/api/auth/register').send({ username: 'tess', email: 'tess@example.com', password: 'eight-ch' });
      expect(short.status).toBe(400);
      expect(short.body.error.details).toEqual([{ path: 'body.password', message: expect.stringMatching(/at least 12 characters/) }]);
      const noEmail = await t.http.post('/api/auth/users').set('X-API-Key', admin).send({ username: 'tess', password: 'tess-long-password', role: 'viewer' });
      expect(noEmail.status).toBe(400);
      expect(noEmail.body.error.details).toEqual([{ path: 'body.email', message: expect.any(String) }]);
      const badEmail = await t.http.post('/api/auth/register').send({ username: 'tess', email: 'not-an-email', password: 'tess-long-password' });
      expect(badEmail.body.error.details).toEqual([{ path: 'body.email', message: 'must be an email address' }]);
    });

    it('lets an admin create a user with an email; an admin user is a superuser', async () => {
      const res = await t.http
        .post('/api/auth/users')
        .set('X-API-Key', admin)
        .send({ username: 'uma', email: 'uma@example.com', password: 'umas-long-password', role: 'admin' });
      expect(res.status).toBe(201);
      expect(res.body).toMatchObject({ username: 'uma', email: 'uma@example.com', is_superuser: true, role: 'admin' });
    });

    it('keeps users made before emails existed working: email null, login by username', async () => {
      const old = await userFor(t, 'operator', 'old-timer');
      const token = (await login(old.username, old.password).expect(200)).body.access_token;
      const me = await t.http.get('/api/auth/me').set('Authorization', `Bearer ${token}`);
      expect(me.body).toMatchObject({ kind: 'user', username: 'old-timer', email: null, role: 'operator' });
    });

    it("lists API keys as the predecessor's bare array, with its fields and ours", async () => {
      const made = await t.http.post('/api/auth/api-keys').set('X-API-Key', admin).send({ name: 'laptop', description: 'my second machine', role: 'operator' });
      expect(made.status).toBe(201);
      expect(made.body).toMatchObject({ name: 'laptop', description: 'my second machine', is_active: true, key: expect.stringMatching(/^apk_/) });
      const plain = await t.http.post('/api/auth/api-keys').set('X-API-Key', admin).send({ name: 'plain', role: 'viewer' });
      expect(plain.body.description).toBeNull();
      await t.http.delete(`/api/auth/api-keys/${plain.body.id}`).set('X-API-Key', admin).expect(200);

      const list = await t.http.get('/api/auth/api-keys').set('X-API-Key', admin);
      expect(list.status).toBe(200);
      expect(Array.isArray(list.body)).toBe(true);
      for (const item of list.body) expect(Object.keys(item)).toEqual(expect.arrayContaining([...API_KEY_RESPONSE_FIELDS, 'role', 'created_by', 'expires_at', 'revoked_at']));
      const byId = new Map(list.body.map((k: { id: string }) => [k.id, k]));
      expect(byId.get(made.body.id)).toMatchObject({ description: 'my second machine', is_active: true });
      expect(byId.get(plain.body.id)).toMatchObject({ is_active: false, revoked_at: expect.any(String) });
      expect(JSON.stringify(list.body)).not.toContain(made.body.key);

      const long = await t.http.post('/api/auth/api-keys').set('X-API-Key', admin).send({ name: 'x', description: 'd'.repeat(501), role: 'viewer' });
      expect(long.status).toBe(400);
    });

    it('accepts a free-form AUTOPACK_API_KEY as an admin X-API-Key, stored only as a hash', async () => {
      const legacy = 'predecessor_free_form_key_0123456789-ABCDEFGHIJ';
      await bootstrapAuth({ config: loadConfig({ AUTOPACK_SECRET_KEY: SECRET, AUTOPACK_API_KEY: legacy }), database: t.database, logger: t.logger, clock: t.clock });
      // A second start finds it again by its hash rather than storing it twice.
      await bootstrapAuth({ config: loadConfig({ AUTOPACK_SECRET_KEY: SECRET, AUTOPACK_API_KEY: legacy }), database: t.database, logger: t.logger, clock: t.clock });
      const rows = (await listApiKeys(t.database.db)).filter((k) => k.hash === hashApiKey(legacy));
      expect(rows).toHaveLength(1);
      expect(rows[0]).toMatchObject({ role: 'admin', created_by: 'environment', id: expect.stringMatching(/^[0-9a-z]{12}$/) });
      expect(JSON.stringify(await listApiKeys(t.database.db))).not.toContain(legacy);

      const me = await t.http.get('/api/auth/me').set('X-API-Key', legacy);
      expect(me.body).toMatchObject({ kind: 'api_key', role: 'admin', actor: `key:${rows[0]!.id}` });
      await t.http.post('/api/auth/api-keys').set('X-API-Key', legacy).send({ name: 'made-by-legacy', role: 'viewer' }).expect(201);
      // Near misses are refused, and so is the key as a bearer token (the predecessor sent X-API-Key).
      for (const wrong of [`${legacy.slice(0, -1)}K`, legacy.slice(0, 31)]) {
        expectEnvelope((await t.http.get('/api/auth/me').set('X-API-Key', wrong).expect(401)).body, 'unauthenticated');
      }
      await t.http.get('/api/auth/me').set('Authorization', `Bearer ${legacy}`).expect(401);

      const warnings = t.logs.filter((l) => l.includes('free-form key'));
      expect(warnings.length).toBeGreaterThan(0);
      expect(warnings[0]).toMatch(/keys generate/);
      expect(t.logs.join('\n')).not.toContain(legacy);

      await t.http.delete(`/api/auth/api-keys/${rows[0]!.id}`).set('X-API-Key', admin).expect(200);
      await t.http.get('/api/auth/me').set('X-API-Key', legacy).expect(401);
      expect((await findApiKeyByHash(t.database.db, hashApiKey(legacy)))!.revoked_at).not.toBeNull();
    });

    it('revokes the earlier free-form key when AUTOPACK_API_KEY changes, as the predecessor stopped accepting it', async () => {
      const start = (key: string) =>
        bootstrapAuth({ config: loadConfig({ AUTOPACK_SECRET_KEY: SECRET, AUTOPACK_API_KEY: key }), database: t.database, logger: t.logger, clock: t.clock });
      const first = 'first_free_form_key_0123456789_ABCDEFGHIJKL';
      const second = 'second_free_form_key_0123456789_ABCDEFGHIJK';
      // Two instances starting at once store the key once.
      await Promise.all([start(first), start(first)]);
      expect((await listApiKeys(t.database.db)).filter((k) => k.hash === hashApiKey(first))).toHaveLength(1);
      await t.http.get('/api/auth/me').set('X-API-Key', first).expect(200);
      await start(second);
      await t.http.get('/api/auth/me').set('X-API-Key', first).expect(401);
      await t.http.get('/api/auth/me').set('X-API-Key', second).expect(200);
      expect(t.logs.some((l) => l.includes('earlier free-form AUTOPACK_API_KEY values revoked'))).toBe(true);
      // Switching to an apk_ key retires the free-form one too; the admin key of the test stays.
      await start(admin);
      await t.http.get('/api/auth/me').set('X-API-Key', second).expect(401);
      await t.http.get('/api/auth/me').set('X-API-Key', admin).expect(200);
    });
  });
}

describe('key status and API documentation', () => {
  const [pglite] = testDialects();
  const production = { AUTOPACK_ENV: 'production', AUTOPACK_SECRET_KEY: SECRET };

  it("answers the predecessor's key status without credentials, even in production, revealing only what JWKS shows", async () => {
    const t = await startTestApp(pglite!, production);
    try {
      await bootstrapAuth({ config: t.config, database: t.database, logger: t.logger, clock: t.clock }).catch(() => undefined);
      const status = await t.http.get('/api/auth/key-status');
      expect(status.status).toBe(200);
      const jwks = (await t.http.get('/api/auth/.well-known/jwks.json')).body.keys as { kid: string }[];
      expect(status.body).toEqual({ keys_loaded: true, source: 'generated', active_kid: jwks[0]!.kid, keys: jwks.length });
    } finally {
      await t.database.close();
    }
  });

  it('serves /openapi.json and /docs without credentials in development, with a CSP relaxed for /docs only', async () => {
    const t = await startTestApp(pglite!);
    try {
      await apiKeyFor(t, 'admin'); // enforced, not an open server
      const doc = await t.http.get('/openapi.json');
      expect(doc.status).toBe(200);
      expect(Object.keys(doc.body.paths)).toEqual(expect.arrayContaining(['/api/auth/key-status', '/docs']));

      const page = await t.http.get('/docs');
      expect(page.status).toBe(200);
      expect(page.headers['content-type']).toMatch(/^text\/html/);
      expect(page.text).toContain('<redoc spec-url="/openapi.json"></redoc>');
      expect(page.text).toContain('<script src="/docs/redoc.standalone.js"></script>');
      // No inline script, no other origin: the page's scripts are exactly the self-hosted bundle.
      expect(page.text.match(/<script/g)).toHaveLength(1);
      expect(page.text).not.toMatch(/https?:\/\//);
      const csp = page.headers['content-security-policy'];
      expect(csp).toContain("script-src 'self'");
      expect(csp).not.toMatch(/unsafe-eval|script-src[^;]*unsafe-inline|https?:/);
      expect(csp).toContain("frame-ancestors 'none'");

      const script = await t.http.get('/docs/redoc.standalone.js');
      expect(script.status).toBe(200);
      expect(script.headers['content-type']).toMatch(/^text\/javascript/);
      expect(script.text.length).toBeGreaterThan(100_000);
      // Every other answer keeps the API's policy.
      expect(doc.headers['content-security-policy']).toBe("default-src 'none';frame-ancestors 'none'");
    } finally {
      await t.database.close();
    }
  });

  it('hides the documentation in production unless AUTOPACK_PUBLIC_API_DOCS=1', async () => {
    const hidden = await startTestApp(pglite!, production);
    try {
      for (const path of ['/openapi.json', '/docs', '/docs/redoc.standalone.js']) {
        expectEnvelope((await hidden.http.get(path).expect(401)).body, 'unauthenticated');
      }
      const key = (await apiKeyFor(hidden, 'viewer')).key;
      await hidden.http.get('/openapi.json').set('X-API-Key', key).expect(200);
    } finally {
      await hidden.database.close();
    }
    const shown = await startTestApp(pglite!, { ...production, AUTOPACK_PUBLIC_API_DOCS: '1' });
    try {
      for (const path of ['/openapi.json', '/docs', '/docs/redoc.standalone.js']) await shown.http.get(path).expect(200);
      // Only the documentation: other reads still need a credential.
      await shown.http.get('/runs').expect(401);
      // A credential that is present but wrong is still refused.
      await shown.http.get('/openapi.json').set('X-API-Key', 'apk_wrong').expect(401);
    } finally {
      await shown.database.close();
    }
  });

  it('documents the new route in the OpenAPI document built from the contract', () => {
    const doc = buildOpenApi();
    expect(doc.paths['/api/auth/key-status']).toBeDefined();
    expect(doc.paths['/docs/redoc.standalone.js']).toBeDefined();
  });
});
