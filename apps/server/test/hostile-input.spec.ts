import { routes } from '@autopack/contracts';
import { testDialects } from '@autopack/db/testing';
import { makePlan, startTestApp, type TestApp } from './support/test-app';

/*
 * "No input gives a 5xx": every route, with hostile path parameters, query strings, bodies and
 * headers, as an admin (so nothing stops at the permission check) and with the run existing (so
 * requests reach the handlers and the database). Each answer is a 4xx/2xx with the error envelope
 * on errors, and no stack trace.
 */

const [pglite] = testDialects();

const PARAMS = ['fuzz', '..%2Fx', '%2e%2e', 'a%00b', '%ff%fe', 'x'.repeat(300), '-1', '1e999', '9223372036854775808', '%F0%9F%92%A9', "'%3B drop table runs"];
const QUERIES = [
  '',
  '?limit=1&limit=2',
  '?limit=-1&offset=1e999&after=NaN',
  '?cursor=%ff&state=NOPE',
  '?path=..%2F..%2Fetc%2Fpasswd&artifact_id=1.5',
  '?limit[]=1&after[x]=2',
  `?cursor=${'A'.repeat(5000)}`,
];
const BODIES: string[] = [
  '',
  'null',
  '[]',
  '"str"',
  '{"a":',
  '{}',
  '{"__proto__":{"admin":true}}',
  JSON.stringify({ state: 'COMPLETE', failure_reason: 'x'.repeat(10_000) }),
  '['.repeat(5000) + ']'.repeat(5000),
  JSON.stringify({ run: { run_id: 'x' }, tiers: 'no', phases: [{}] }),
  '{"executor_id":"e","wait_seconds":1e999}',
  '{"lease_token":123,"approved":"yes","requested_paths":[null]}',
];

describe('hostile input on every route', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await startTestApp(pglite!);
    await t.http.post('/runs/start').send(makePlan('fuzz')).expect(201);
  });
  afterAll(() => t.database.close());

  const admin = { 'X-Test-Role': 'admin', 'X-Test-Principal': 'fuzzer' };

  it.each(Object.values(routes).map((r) => [`${r.method.toUpperCase()} ${r.path}`, r] as const))('%s answers below 500', async (_, spec) => {
    const failures: string[] = [];
    const check = async (label: string, res: { status: number; body: unknown; text: string }) => {
      // Raw answers the contract declares (the /docs viewer's script is JavaScript) are not error text.
      const declaredRaw = res.status < 400 && (spec.responses as Record<number, { contentType?: string }>)[res.status]?.contentType !== undefined;
      const leak = !declaredRaw && /at .*\.(ts|js):\d+|node_modules/.test(res.text);
      const envelope = res.status < 400 || (typeof res.body === 'object' && res.body !== null && 'error' in res.body);
      if (res.status >= 500 || leak || !envelope) failures.push(`${label} → ${res.status} ${res.text.slice(0, 200)}`);
    };
    for (const param of spec.path.includes('{') ? PARAMS : PARAMS.slice(0, 1)) {
      const path = spec.path.replace(/\{[a-z_]+\}/g, param);
      for (const query of QUERIES) {
        if (spec.method === 'get') {
          await check(`GET ${path}${query}`, await t.http.get(path + query).set(admin));
          continue;
        }
        for (const body of query ? BODIES.slice(0, 3) : BODIES) {
          const res = await t.http[spec.method](path + query).set(admin).set('content-type', 'application/json').send(body);
          await check(`${spec.method.toUpperCase()} ${path}${query} ${body.slice(0, 40)}`, res);
        }
      }
    }
    expect(failures).toEqual([]);
  });

  it('answers odd headers and content types below 500', async () => {
    const run = '/runs/fuzz/phases/t0-p0/update_status';
    const cases = [
      t.http.post(run).set('content-type', 'application/json; charset=latin1').send('{"state":"EXECUTING"}'),
      t.http.post(run).set('content-type', 'text/plain').send('{"state":"EXECUTING"}'),
      t.http.post(run).set('content-type', 'application/json').set('content-encoding', 'gzip').send('{}'),
      t.http.post(run).set('content-type', 'application/json').send(Buffer.from([0x7b, 0x22, 0xff, 0xfe, 0x22, 0x3a, 0x31, 0x7d])),
      t.http.post(run).set('X-Lease-Token', 'x'.repeat(10_000)).send({ state: 'EXECUTING' }),
      t.http.post(run).set('Idempotency-Key', '\u00e9'.repeat(300)).send({ state: 'EXECUTING' }),
      t.http.get('/runs').set('Authorization', 'Bearer ' + 'a.b.c'),
      t.http.get('/runs').set('X-API-Key', 'apk_' + 'x'.repeat(5000)),
      t.http.get('/runs').set('X-Correlation-ID', 'spaces and ; are not allowed here'),
    ];
    for (const res of await Promise.all(cases)) {
      expect(res.status).toBeLessThan(500);
      expect(res.text).not.toMatch(/at .*\.(ts|js):\d+/);
    }
  });
});
