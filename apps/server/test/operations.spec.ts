import { buildOpenApi, routes, toExpressPath } from '@autopack/contracts';
import { migrations } from '@autopack/db';
import { testDialects } from '@autopack/db/testing';
import { expectEnvelope, makePlan, startTestApp, type TestApp } from './support/test-app';

interface Layer {
  route?: { path: string; methods: Record<string, boolean> };
  handle?: { stack?: Layer[] };
}

/** Every method + path the express app actually serves, read from its router stack. */
function servedRoutes(t: TestApp): string[] {
  const out: string[] = [];
  const walk = (stack: Layer[]) => {
    for (const layer of stack) {
      if (layer.route) {
        for (const method of Object.keys(layer.route.methods)) out.push(`${method.toUpperCase()} ${layer.route.path}`);
      } else if (layer.handle?.stack) walk(layer.handle.stack);
    }
  };
  walk((t.app as unknown as { router: { stack: Layer[] } }).router.stack);
  return out.sort();
}

const [pglite] = testDialects();

describe('operations endpoints and HTTP conventions', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await startTestApp(pglite!, { AUTOPACK_ENABLE_CONSOLIDATED_METRICS: '1' });
  });
  afterAll(() => t.database.close());

  it('reports health with the database dialect, identity and kill switches', async () => {
    const res = await t.http.get('/health');
    expect(res.status).toBe(200);
    expect(res.body).toEqual({
      status: 'healthy',
      service: 'autopack',
      version: expect.stringMatching(/^\d+\.\d+\.\d+/),
      database: { ok: true, latency_ms: expect.any(Number), dialect: 'pglite' },
      database_identity: t.database.identity,
      kill_switches: { consolidated_metrics: true, phase6_metrics: false },
      llm_providers: { configured: [] },
      executors: { active: 0, working: 0 },
      auth: { mode: 'open', public_read: false, registration: false },
    });
  });

  it('is ready when the database answers and every migration is applied', async () => {
    const res = await t.http.get('/ready');
    expect(res.status).toBe(200);
    expect(res.body).toEqual({ ready: true, database: { ok: true }, migrations: { applied: Object.keys(migrations).length, pending: [] } });
  });

  it('serves exactly the routes its OpenAPI document lists, both ways', async () => {
    const doc = (await t.http.get('/openapi.json')).body;
    expect(doc).toEqual(JSON.parse(JSON.stringify(buildOpenApi(doc.info.version))));
    expect(doc.openapi).toBe('3.1.0');
    const documented = Object.entries(doc.paths as Record<string, Record<string, unknown>>)
      .flatMap(([path, ops]) => Object.keys(ops).map((m) => `${m.toUpperCase()} ${toExpressPath(path)}`))
      .sort();
    expect(servedRoutes(t)).toEqual(documented);
    expect(documented).toHaveLength(Object.keys(routes).length);
  });

  it('echoes a well-formed X-Correlation-ID and replaces a malformed one', async () => {
    const given = await t.http.get('/runs/nope').set('X-Correlation-ID', 'req-42.abc');
    expect(given.headers['x-correlation-id']).toBe('req-42.abc');
    expect(given.body.error.correlation_id).toBe('req-42.abc');
    expect(t.logs.some((l) => l.includes('"correlation_id":"req-42.abc"'))).toBe(true);
    const bad = await t.http.get('/health').set('X-Correlation-ID', 'x'.repeat(129));
    expect(bad.headers['x-correlation-id']).toMatch(/^[0-9a-f-]{36}$/);
    const evil = await t.http.get('/health').set('X-Correlation-ID', 'a b<script>');
    expect(evil.headers['x-correlation-id']).not.toContain('<');
  });

  it('answers unknown routes with 404 and wrong methods with 405 and Allow, in the envelope', async () => {
    const missing = await t.http.get('/nowhere');
    expect(missing.status).toBe(404);
    expectEnvelope(missing.body, 'not_found');
    const wrongMethod = await t.http.delete('/runs/r1/progress');
    expect(wrongMethod.status).toBe(405);
    expect(wrongMethod.headers['allow']).toBe('GET');
    // "start" is also a valid run_id, so /runs/start serves POST (submit) and GET (that run).
    expect((await t.http.put('/runs/start')).headers['allow']).toBe('POST, GET');
    expectEnvelope(wrongMethod.body, 'method_not_allowed');
  });

  it('rejects a body over the size limit with 413', async () => {
    const small = await startTestApp(pglite!, { AUTOPACK_MAX_BODY_BYTES: '2048' });
    try {
      const plan = makePlan('big');
      plan.run.goal_anchor = 'x'.repeat(5000);
      const res = await small.http.post('/runs/start').send(plan);
      expect(res.status).toBe(413);
      expectEnvelope(res.body, 'payload_too_large');
    } finally {
      await small.database.close();
    }
  });

  it('rejects identifiers in the path that are not ids, including encoded traversal', async () => {
    for (const path of ['/runs/..%2Fetc', '/runs/%2e%2e', '/runs/a%00b', '/runs/-lead/progress']) {
      const res = await t.http.get(path);
      expect(res.status).toBe(400);
      expect(res.body.error.details[0].path).toBe('path.run_id');
    }
    const malformed = await t.http.get('/runs/%E0%A4%A');
    expect(malformed.status).toBe(400);
    expectEnvelope(malformed.body, 'validation_failed');
  });

  it('never answers 5xx to hostile input on any route, and never leaks a stack trace', async () => {
    const bodies: unknown[] = [null, 0, 'str', [], {}, { state: null }, { run: [] }, { __proto__: { x: 1 } }, { constructor: { prototype: {} } }, { state: 'EXECUTING', message: 'x'.repeat(5000) }, { issue_key: '\u0000', severity: 'major', source: 's', category: 'c' }];
    await t.http.post('/runs/start').send(makePlan('fuzz')).expect(201);
    for (const spec of Object.values(routes)) {
      const path = spec.path.replace('{run_id}', 'fuzz').replace('{phase_id}', 't0-p0');
      for (const body of bodies) {
        const req = spec.method === 'get' ? t.http.get(path).query({ limit: 'x', after: '1e999', offset: '[]' }) : t.http.post(path).set('content-type', 'application/json').send(JSON.stringify(body));
        const res = await req;
        expect(res.status).toBeLessThan(500);
        expect(JSON.stringify(res.body)).not.toMatch(/at .*\.(ts|js):\d+/);
      }
    }
  });
});
