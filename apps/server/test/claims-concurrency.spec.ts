import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { sql } from 'kysely';
import { ACTIVE_PHASE_STATES, type Claim, type PhaseState } from '@autopack/contracts';
import { testDialects } from '@autopack/db/testing';
import { buildTestApp, makePlan, startTestApp, TestClock, type TestApp } from './support/test-app';
import { eventsOf, EXECUTOR, type EventLike } from './support/work';

// Row locks only mean something on PostgreSQL (PGlite has one connection): this suite needs it.
const postgres = testDialects().find((d) => d.name === 'postgres');
const describePostgres = postgres ? describe : describe.skip;

const RUNS = 40;
const PHASES_PER_RUN = 5;
const CLAIMERS = 8;

async function listen(t: TestApp): Promise<{ server: Server; url: string }> {
  const server = createServer(t.app);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { server, url: `http://127.0.0.1:${(server.address() as AddressInfo).port}` };
}

async function post(url: string, path: string, body: unknown, headers: Record<string, string> = {}) {
  const res = await fetch(`${url}${path}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...EXECUTOR, ...headers },
    body: JSON.stringify(body),
  });
  // eslint-disable-next-line @typescript-eslint/no-explicit-any -- each caller knows the answer it expects
  return { status: res.status, body: (res.status === 204 ? undefined : await res.json()) as any };
}

describePostgres('claims under concurrency on postgres', () => {
  let t: TestApp;
  let http: { server: Server; url: string };
  beforeAll(async () => {
    t = await startTestApp(postgres!);
    http = await listen(t);
  });
  afterAll(async () => {
    await new Promise((resolve) => http.server.close(resolve));
    await t.database.close();
  });

  it(`${CLAIMERS} claimers × ${RUNS * PHASES_PER_RUN} phases over ${RUNS} runs: each attempt claimed once, one live lease per phase, one active phase per run`, async () => {
    for (let r = 0; r < RUNS; r++) {
      await t.http.post('/runs/start').send(makePlan(`cc-${r}`, { tiers: 1, perTier: PHASES_PER_RUN })).expect(201);
    }
    // Every 7th phase fails its first attempt (ci_fail), so retries are claimed concurrently too.
    const failsFirst = (c: Claim) => c.attempt === 1 && (Number(c.run.run_id.slice(3)) * PHASES_PER_RUN + c.phase.phase_index) % 7 === 0;
    const seen: { claimer: number; key: string }[] = [];
    let completed = 0;
    const total = RUNS * PHASES_PER_RUN;

    const claimer = async (n: number) => {
      while (completed < total) {
        const res = await post(http.url, '/executors/claim', { executor_id: `claimer-${n}`, wait_seconds: 1 });
        if (res.status === 204) continue;
        expect(res.status).toBe(200);
        const c = res.body as Claim;
        seen.push({ claimer: n, key: `${c.run.run_id}/${c.phase.phase_id}#${c.attempt}` });
        const lease = { 'X-Lease-Token': c.lease_token };
        const path = `/runs/${c.run.run_id}/phases/${c.phase.phase_id}`;
        expect((await post(http.url, `/executors/leases/${c.lease_id}/heartbeat`, { lease_token: c.lease_token })).status).toBe(200);
        const done = failsFirst(c)
          ? await post(http.url, `${path}/update_status`, { state: 'FAILED', failure_reason: 'ci_fail' }, lease)
          : await post(http.url, `${path}/update_status`, { state: 'COMPLETE' }, lease);
        expect(done.status).toBe(200);
        if (done.body.phase.state === 'COMPLETE') completed += 1;
      }
    };
    await Promise.all(Array.from({ length: CLAIMERS }, (_, n) => claimer(n)));

    const retried = seen.filter((s) => s.key.endsWith('#2')).length;
    expect(retried).toBe(Math.ceil(total / 7));
    // Clients: no (run, phase, attempt) was handed out twice.
    expect(new Set(seen.map((s) => s.key)).size).toBe(seen.length);
    expect(seen).toHaveLength(total + retried);
    expect(new Set(seen.map((s) => s.claimer)).size).toBe(CLAIMERS);

    // Database: one lease per attempt, none left live; every run finished successfully.
    const leases = await sql<{ n: number; attempts: number; live: number }>`
      select count(*)::int as n, count(distinct (run_id, phase_id, attempt))::int as attempts,
             count(*) filter (where ended_at is null)::int as live
      from phase_leases`.execute(t.database.db);
    expect(leases.rows[0]).toEqual({ n: total + retried, attempts: total + retried, live: 0 });
    const runs = await sql<{ state: string; n: number }>`select state, count(*)::int as n from runs group by state`.execute(t.database.db);
    expect(runs.rows).toEqual([{ state: 'DONE_SUCCESS', n: RUNS }]);

    // Events, in commit order per run: replaying them never shows two live leases on a phase or
    // two active phases in a run, and each attempt is claimed exactly once.
    for (let r = 0; r < RUNS; r++) {
      const events: EventLike[] = await eventsOf(t, `cc-${r}`);
      const active = new Set<string>();
      const claims = new Map<string, number>();
      for (const e of events) {
        if (e.type === 'phase_claimed') {
          const key = `${e.phase_id}#${e.payload['attempt']}`;
          claims.set(key, (claims.get(key) ?? 0) + 1);
          expect([...active]).toEqual([e.phase_id]);
        }
        if (e.type !== 'phase_state_changed') continue;
        const to = e.payload['to'] as PhaseState;
        if (ACTIVE_PHASE_STATES.includes(to)) {
          expect([...active].filter((p) => p !== e.phase_id)).toEqual([]);
          active.add(e.phase_id!);
        } else active.delete(e.phase_id!);
      }
      expect([...claims.values()].every((n) => n === 1)).toBe(true);
      expect(active.size).toBe(0);
    }
  });

  it('wakes a long-poll on one server instance when another instance adds work (LISTEN/NOTIFY)', async () => {
    const other = buildTestApp(t.database);
    const otherHttp = await listen(other);
    try {
      const started = Date.now();
      const waiting = post(otherHttp.url, '/executors/claim', { executor_id: 'remote', wait_seconds: 20 });
      await new Promise((r) => setTimeout(r, 300));
      await t.http.post('/runs/start').send(makePlan('cc-wake')).expect(201);
      const res = await waiting;
      expect(res.status).toBe(200);
      const c = res.body as Claim;
      expect(c.run.run_id).toBe('cc-wake');
      expect(Date.now() - started).toBeLessThan(5000);
      const done = await post(otherHttp.url, '/runs/cc-wake/phases/t0-p0/update_status', { state: 'COMPLETE' }, { 'X-Lease-Token': c.lease_token });
      expect(done.status).toBe(200);
    } finally {
      await new Promise((resolve) => otherHttp.server.close(resolve));
    }
  });

  it('lets several reapers sweep at once: each expired lease is expired exactly once', async () => {
    const clock = new TestClock(Date.parse('2026-11-23T00:00:00.000Z'));
    const a = buildTestApp(t.database, {}, { clock });
    const b = buildTestApp(t.database, {}, { clock });
    for (let r = 0; r < 6; r++) await a.http.post('/runs/start').send(makePlan(`cc-reap-${r}`)).expect(201);
    const claimed: Claim[] = [];
    for (let r = 0; r < 6; r++) {
      claimed.push((await a.http.post('/executors/claim').set(EXECUTOR).send({ executor_id: 'doomed' }).expect(200)).body as Claim);
    }
    clock.advance(120_000);
    const results = await Promise.all([a.reaper.sweep(), b.reaper.sweep(), a.reaper.sweep(), b.reaper.sweep()]);
    expect(results.reduce((n, r) => n + r.leases_expired, 0)).toBe(claimed.length);
    for (const c of claimed) {
      const expired = (await eventsOf(a, c.run.run_id)).filter((e) => e.type === 'lease_expired');
      expect(expired).toHaveLength(1);
    }
  });
});
