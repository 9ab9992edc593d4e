import { generateKeyPairSync } from 'node:crypto';
import jwt from 'jsonwebtoken';
import { decryptPrivateKey, generateApiKey } from '@autopack/auth';
import { routes, type RouteSpec } from '@autopack/contracts';
import { listSigningKeys } from '@autopack/db';
import { testDialects } from '@autopack/db/testing';
import { ROUTE_ACCESS } from '@autopack/auth';
import { apiKeyFor, userFor } from './support/credentials';
import { expectEnvelope, startTestApp, type TestApp } from './support/test-app';

const [pglite] = testDialects();
const ISS = 'autopack';
const AUD = 'autopack-api';
const SECRET = 'attack-suite-signing-secret-0123456789abcdef';

/**
 * Every way in that must stay shut (issue #3): each case is refused with 401 or 403 and the error
 * envelope. The server runs as in production.
 */
describe('attacks on authentication and access control', () => {
  let t: TestApp;
  let admin: string;
  let user: { username: string; password: string };
  let token: string;
  let kid: string;
  let publicPem: string;
  let privatePem: string;

  beforeAll(async () => {
    t = await startTestApp(pglite!, { AUTOPACK_ENV: 'production', AUTOPACK_SECRET_KEY: SECRET, AUTOPACK_JWT_KEY_PUBLISH_SECONDS: '60' });
    admin = (await apiKeyFor(t, 'admin')).key;
    user = await userFor(t, 'admin', 'mallory-target');
    const login = await t.http.post('/api/auth/login').send(user);
    expect(login.status).toBe(200);
    token = login.body.access_token;
    const [stored] = await listSigningKeys(t.database.db);
    kid = stored!.kid;
    publicPem = stored!.public_pem;
    privatePem = stored!.private_pem;
  });
  afterAll(() => t.database.close());

  const me = (headers: Record<string, string>) => t.http.get('/api/auth/me').set(headers);
  const bearer = (value: string) => ({ Authorization: `Bearer ${value}` });
  const claims = (over: object = {}) => ({ sub: `user:${user.username}-id`, role: 'admin', ...over });
  const now = () => Math.floor(t.clock.now().getTime() / 1000);

  async function refused(headers: Record<string, string>, status: 401 | 403 = 401) {
    const res = await me(headers);
    expect(res.status).toBe(status);
    expectEnvelope(res.body, status === 401 ? 'unauthenticated' : 'forbidden');
    return res;
  }

  it('stores the signing key encrypted', () => {
    expect(privatePem).toMatch(/^enc:v1:/);
  });

  it('accepts the genuine token (the baseline of the cases below)', async () => {
    expect((await me(bearer(token))).body).toMatchObject({ kind: 'user', role: 'admin' });
  });

  it('refuses alg: none', async () => {
    const header = Buffer.from(JSON.stringify({ alg: 'none', typ: 'JWT', kid })).toString('base64url');
    const body = Buffer.from(JSON.stringify({ ...claims(), iss: ISS, aud: AUD, iat: now(), exp: now() + 600 })).toString('base64url');
    await refused(bearer(`${header}.${body}.`));
    await refused(bearer(`${header}.${body}.AAAA`));
  });

  it('refuses HS256 signed with the RS public key as the secret', async () => {
    await refused(bearer(jwt.sign(claims(), publicPem, { algorithm: 'HS256', keyid: kid, issuer: ISS, audience: AUD })));
  });

  it.each([
    ['expired', () => jwt.sign({ ...claims(), iat: now() - 7200, exp: now() - 3600 }, priv(), { algorithm: 'RS256', keyid: kid, issuer: ISS, audience: AUD })],
    ['not valid before the future', () => jwt.sign({ ...claims(), nbf: now() + 3600 }, priv(), { algorithm: 'RS256', keyid: kid, issuer: ISS, audience: AUD })],
    ['from another issuer', () => jwt.sign(claims(), priv(), { algorithm: 'RS256', keyid: kid, issuer: 'evil', audience: AUD })],
    ['for another audience', () => jwt.sign(claims(), priv(), { algorithm: 'RS256', keyid: kid, issuer: ISS, audience: 'other-api' })],
    ['signed under an unknown kid', () => jwt.sign(claims(), priv(), { algorithm: 'RS256', keyid: 'no-such-kid', issuer: ISS, audience: AUD })],
    ['signed by a stranger key under a known kid', () => jwt.sign(claims(), strangerKey(), { algorithm: 'RS256', keyid: kid, issuer: ISS, audience: AUD })],
    ['for a user that does not exist', () => jwt.sign(claims({ sub: 'user:ghost' }), priv(), { algorithm: 'RS256', keyid: kid, issuer: ISS, audience: AUD })],
  ])('refuses a token %s', async (_name, make) => {
    await refused(bearer(make()));
  });

  it('refuses a tampered payload (role raised) and a tampered signature', async () => {
    const viewer = await userFor(t, 'viewer');
    const viewerToken = (await t.http.post('/api/auth/login').send(viewer)).body.access_token as string;
    const [h, p, s] = viewerToken.split('.') as [string, string, string];
    const raised = Buffer.from(JSON.stringify({ ...JSON.parse(Buffer.from(p, 'base64url').toString()), role: 'admin' })).toString('base64url');
    await refused(bearer(`${h}.${raised}.${s}`));
    const flipped = s.slice(0, 10) + (s[10] === 'A' ? 'B' : 'A') + s.slice(11);
    await refused(bearer(`${h}.${p}.${flipped}`));
  });

  it('refuses malformed and truncated tokens and Authorization headers', async () => {
    await refused(bearer('not-a-token'));
    await refused(bearer(token.slice(0, token.length - 10)));
    await refused(bearer(token.split('.').slice(0, 2).join('.')));
    await refused({ Authorization: token });
    await refused({ Authorization: `Basic ${Buffer.from('admin:admin').toString('base64')}` });
    await refused({ Authorization: `Bearer ${token}`, 'X-API-Key': admin });
    // Two Authorization headers: Node would keep the first; the server refuses both.
    const viewer = await userFor(t, 'viewer', 'twice-viewer');
    const viewerToken = (await t.http.post('/api/auth/login').send(viewer)).body.access_token as string;
    const twice = await t.http.get('/api/auth/me').set('Authorization', [`Bearer ${viewerToken}`, `Bearer ${token}`] as unknown as string);
    expect(twice.status).toBe(401);
    expectEnvelope(twice.body, 'unauthenticated');
  });

  it('never echoes a body it cannot parse (it may be a password)', async () => {
    const res = await t.http.post('/api/auth/login').set('content-type', 'application/json').send('SuperSecretPw-123');
    expect(res.status).toBe(400);
    expectEnvelope(res.body, 'invalid_json');
    expect(res.text).not.toContain('SuperSecret');
  });

  it('counts failed and anonymous attempts against the address, like any other request', async () => {
    const limited = await startTestApp(pglite!, { AUTOPACK_ENV: 'production', AUTOPACK_SECRET_KEY: SECRET, AUTOPACK_RATE_LIMIT_WRITES_PER_MINUTE: '3' });
    try {
      const forged = generateApiKey().key; // well-formed, unknown
      const statuses: number[] = [];
      for (let i = 0; i < 3; i++) statuses.push((await limited.http.post('/runs/start').set('X-API-Key', forged).send({})).status);
      statuses.push((await limited.http.post('/runs/start').send({})).status);
      expect(statuses).toEqual([401, 401, 401, 429]);
    } finally {
      await limited.database.close();
    }
  });

  it('refuses a token signed by a retired key once its grace period is over', async () => {
    const old = (await t.http.post('/api/auth/login').send(user)).body.access_token as string;
    expect((await t.http.post('/api/auth/keys/rotate').set('X-API-Key', admin)).status).toBe(200);
    t.clock.advance(61_000);
    expect((await me(bearer(old))).status).toBe(200);
    t.clock.advance(3600_000);
    await refused(bearer(old));
    const fresh = (await t.http.post('/api/auth/login').send(user)).body.access_token as string;
    expect((await me(bearer(fresh))).status).toBe(200);
  });

  it('refuses a revoked API key on the very next request', async () => {
    const { key, id } = await apiKeyFor(t, 'operator');
    expect((await me({ 'X-API-Key': key })).status).toBe(200);
    expect((await t.http.delete(`/api/auth/api-keys/${id}`).set('X-API-Key', admin)).status).toBe(200);
    const res = await refused({ 'X-API-Key': key });
    expect(res.body.error.message).toBe('API key revoked');
  });

  it('refuses an expired API key, an unknown one, and one with a bad checksum (without a lookup)', async () => {
    const expired = await apiKeyFor(t, 'admin', { expiresAt: new Date(t.clock.now().getTime() - 1000) });
    await refused({ 'X-API-Key': expired.key });
    const { key } = await apiKeyFor(t, 'admin');
    const typo = key.slice(0, 20) + (key[20] === 'a' ? 'b' : 'a') + key.slice(21);
    const res = await refused({ 'X-API-Key': typo });
    expect(res.body.error.message).toMatch(/checksum/);
    await refused({ 'X-API-Key': 'apk_000000000000_' + 'A'.repeat(38) });
    await refused({ 'X-API-Key': 'letmein' });
  });

  const writes = (Object.keys(routes) as (keyof typeof routes)[]).filter((id) => (routes[id] as RouteSpec).method !== 'get' && ROUTE_ACCESS[id] !== 'public');

  it.each(['viewer', 'executor', 'operator'] as const)('refuses a valid %s key on every write route its role may not call', async (role) => {
    const { key } = await apiKeyFor(t, role);
    for (const id of writes) {
      const access = ROUTE_ACCESS[id];
      if (access !== 'public' && access.includes(role)) continue;
      const spec = routes[id] as RouteSpec;
      const path = spec.path.replace('{run_id}', 'r1').replace('{phase_id}', 'p1').replace('{key_id}', 'aaaaaaaaaaaa');
      const res = await t.http[spec.method](path).set('X-API-Key', key).send({});
      expect({ id, status: res.status, code: res.body.error?.code }).toEqual({ id, status: 403, code: 'forbidden' });
    }
  });

  it('refuses an executor on operator routes and a viewer on writes, naming the roles needed', async () => {
    const executor = (await apiKeyFor(t, 'executor')).key;
    const start = await t.http.post('/runs/start').set('X-API-Key', executor).send({});
    expect(start.status).toBe(403);
    expect(start.body.error.message).toBe('role executor may not call startRun; it needs admin or operator');
    const viewer = (await apiKeyFor(t, 'viewer')).key;
    expect((await t.http.post('/runs/r/phases/p/update_status').set('X-API-Key', viewer).send({ state: 'EXECUTING' })).status).toBe(403);
  });

  it('keeps registration closed and rejects anonymous writes', async () => {
    const reg = await t.http.post('/api/auth/register').send({ username: 'eve', email: 'eve@example.com', password: 'a-long-password-123' });
    expect(reg.status).toBe(403);
    expectEnvelope(reg.body, 'registration_closed');
    const anon = await t.http.post('/runs/start').send({});
    expect(anon.status).toBe(401);
    expect(anon.headers['www-authenticate']).toMatch(/Bearer/);
  });

  it('answers the 6th login attempt in a minute from one address with 429 and Retry-After', async () => {
    const limited = await startTestApp(pglite!, { AUTOPACK_ENV: 'production', AUTOPACK_SECRET_KEY: 'attack-suite-secret-key-0123456789abcdef' });
    try {
      const statuses: number[] = [];
      for (let i = 0; i < 6; i++) {
        statuses.push((await limited.http.post('/api/auth/login').send({ username: 'nobody', password: `guess-${i}` })).status);
      }
      expect(statuses).toEqual([401, 401, 401, 401, 401, 429]);
      const last = await limited.http.post('/api/auth/login').send({ username: 'nobody', password: 'again' });
      expect(last.status).toBe(429);
      expectEnvelope(last.body, 'rate_limited');
      expect(Number(last.headers['retry-after'])).toBeGreaterThan(0);
      // Through the common error handler: the correlation id of the request, and what was limited.
      expect(last.body.error.correlation_id).toBe(last.headers['x-correlation-id']);
      expect(last.body.error.details).toEqual({ limit: 'login', per_minute: 5, retry_after_seconds: Number(last.headers['retry-after']) });
    } finally {
      await limited.database.close();
    }
  });

  function priv() {
    // The stored key is encrypted with AUTOPACK_SECRET_KEY: forging with it proves only the checks after the signature.
    return decryptPrivateKey(privatePem, SECRET);
  }
  function strangerKey() {
    return generateKeyPairSync('rsa', { modulusLength: 2048 }).privateKey;
  }
});
