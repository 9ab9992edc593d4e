import { routes, type RouteSpec } from '@autopack/contracts';
import { testDialects } from '@autopack/db/testing';
import { API_DOCS_ROUTES, ROUTE_ACCESS } from '@autopack/auth';
import { headersFor, ROLES_AND_ANONYMOUS, type Caller } from './support/credentials';
import { AuthService } from '../src/auth/auth-service';
import { createKeyring } from '../src/app';
import { makePlan, startTestApp, type TestApp } from './support/test-app';

const [pglite] = testDialects();
const SECRET = 'test-secret-key-of-at-least-32-characters!';

function pathOf(spec: RouteSpec): string {
  return spec.path.replace('{run_id}', 'r1').replace('{phase_id}', 't0-p0').replace('{key_id}', 'aaaaaaaaaaaa');
}

async function call(t: TestApp, spec: RouteSpec, headers: Record<string, string>) {
  const req = t.http[spec.method](pathOf(spec)).set(headers);
  return spec.method === 'get' || spec.method === 'delete' ? req : req.send({});
}

/** What the permission table says `caller` gets on route `id`, when authentication is enforced. */
function expected(id: keyof typeof ROUTE_ACCESS, caller: Caller, publicRead: boolean, publicDocs: boolean, method: string): 'allowed' | 401 | 403 {
  const access = ROUTE_ACCESS[id];
  if (access === 'public') return 'allowed';
  if (caller === 'anonymous') {
    if (publicDocs && API_DOCS_ROUTES.has(id)) return 'allowed';
    return publicRead && method === 'get' && access.includes('viewer') ? 'allowed' : 401;
  }
  return access.includes(caller) ? 'allowed' : 403;
}

// The API documentation is public in development, and in production only when asked.
const modes = [
  { name: 'development with keys', env: {}, publicRead: false, publicDocs: true },
  { name: 'development with AUTOPACK_PUBLIC_READ=1', env: { AUTOPACK_PUBLIC_READ: '1' }, publicRead: true, publicDocs: true },
  { name: 'production', env: { AUTOPACK_ENV: 'production', AUTOPACK_SECRET_KEY: SECRET }, publicRead: false, publicDocs: false },
  {
    name: 'production with AUTOPACK_PUBLIC_API_DOCS=1',
    env: { AUTOPACK_ENV: 'production', AUTOPACK_SECRET_KEY: SECRET, AUTOPACK_PUBLIC_API_DOCS: '1' },
    publicRead: false,
    publicDocs: true,
  },
];

describe.each(modes)('every route × every role, $name', ({ env, publicRead, publicDocs }) => {
  let t: TestApp;
  const headers = new Map<Caller, Record<string, string>>();
  beforeAll(async () => {
    t = await startTestApp(pglite!, { ...env, AUTOPACK_RATE_LIMIT_LOGIN_PER_MINUTE: '1000' });
    for (const caller of ROLES_AND_ANONYMOUS) headers.set(caller, await headersFor(t, caller));
    await t.http.post('/runs/start').set(headers.get('admin')!).send(makePlan('r1')).expect(201);
  });
  afterAll(() => t.database.close());

  const cases = (Object.keys(routes) as (keyof typeof routes)[]).flatMap((id) => ROLES_AND_ANONYMOUS.map((caller) => ({ id, caller })));

  it.each(cases)('$id as $caller follows the permission table', async ({ id, caller }) => {
    const spec = routes[id] as RouteSpec;
    const res = await call(t, spec, headers.get(caller)!);
    const want = expected(id, caller, publicRead, publicDocs, spec.method);
    const code = res.body?.error?.code;
    if (want === 'allowed') {
      expect({ id, caller, code }).not.toMatchObject({ code: expect.stringMatching(/^(unauthenticated|forbidden)$/) });
      expect(res.status).toBeLessThan(500);
    } else {
      expect({ id, caller, status: res.status, code }).toEqual({
        id,
        caller,
        status: want,
        code: want === 401 ? 'unauthenticated' : 'forbidden',
      });
    }
  });
});

describe('an open development server (no key, no user yet)', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await startTestApp(pglite!);
  });
  afterAll(() => t.database.close());

  it('lets anonymous callers do everything but mint credentials, says so in /health, and closes once a key exists', async () => {
    expect((await t.http.get('/health')).body.auth.mode).toBe('open');
    await t.http.post('/runs/start').send(makePlan('open-run')).expect(201);
    const me = await t.http.get('/api/auth/me');
    expect(me.body).toEqual({ kind: 'anonymous', id: 'anonymous', role: 'admin', name: 'anonymous', actor: 'anonymous' });

    // Whoever reaches the port first must not be able to take the server over.
    const minting = [
      t.http.post('/api/auth/api-keys').send({ name: 'first', role: 'admin' }),
      t.http.post('/api/auth/api-keys').send({ name: 'first', role: 'viewer' }),
      t.http.post('/api/auth/users').send({ username: 'mallory', password: 'mallorys-long-password', role: 'admin' }),
      t.http.post('/api/auth/keys/rotate').send({}),
    ];
    for (const res of await Promise.all(minting)) {
      expect([res.status, res.body.error.code]).toEqual([403, 'forbidden']);
      expect(res.body.error.message).toContain('keys create --role admin');
    }
    expect((await t.http.get('/health')).body.auth.mode).toBe('open');

    // What `node apps/server/dist/main.js keys create` does on the host.
    const service = new AuthService(t.database.db, t.clock, createKeyring({ config: t.config, database: t.database, logger: t.logger, clock: t.clock }), t.config.auth.jwt);
    const { key } = await service.createApiKey({ name: 'ops', role: 'admin' }, 'cli');
    expect((await t.http.get('/runs')).status).toBe(401);
    expect((await t.http.get('/health')).body.auth.mode).toBe('enforced');
    expect((await t.http.get('/runs').set('X-API-Key', key)).status).toBe(200);
  });

  it('refuses registration while open: the first user would close the server with no admin', async () => {
    const open = await startTestApp(pglite!, { AUTOPACK_ALLOW_REGISTRATION: '1' });
    try {
      const res = await open.http.post('/api/auth/register').send({ username: 'first', email: 'first@example.com', password: 'a-long-enough-password' });
      expect([res.status, res.body.error.code]).toEqual([403, 'registration_closed']);
      expect((await open.http.get('/health')).body.auth.mode).toBe('open');
    } finally {
      await open.database.close();
    }
  });
});
