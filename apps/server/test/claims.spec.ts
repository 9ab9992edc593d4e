import type { Claim } from '@autopack/contracts';
import { sql } from 'kysely';
import { testDialects } from '@autopack/db/testing';
import { expectEnvelope, makePlan, startTestApp, type TestApp } from './support/test-app';
import { cancelOpenRuns, claim, claimRequest, eventsOf, EXECUTOR, heartbeat, leased, OPERATOR, phaseOf, VIEWER } from './support/work';

for (const dialect of testDialects()) {
  describe(`claims and leases on ${dialect.name}`, () => {
    let t: TestApp;
    beforeAll(async () => {
      t = await startTestApp(dialect);
    });
    afterEach(() => cancelOpenRuns(t));
    afterAll(() => t.database.close());

    it('answers 204 when nothing is ready', async () => {
      const res = await claimRequest(t);
      expect(res.status).toBe(204);
      expect(res.text).toBe('');
    });

    it('hands out the oldest run first, one phase per run at a time, with everything needed to work', async () => {
      const plan = makePlan('c-old', { perTier: 2 });
      plan.run.goal_anchor = 'greet the world';
      plan.phases[0]!.builder = { kind: 'patch', patches: ['diff --git a/x b/x\n'] };
      await t.http.post('/runs/start').send(plan).expect(201);
      t.clock.advance(1000);
      await t.http.post('/runs/start').send(makePlan('c-new')).expect(201);

      const first = await claim(t, 'ex-1');
      expect(first).toMatchObject({
        lease_id: expect.any(String),
        lease_token: expect.stringMatching(/^lt_/),
        executor_id: 'ex-1',
        attempt: 1,
        run: { run_id: 'c-old', state: 'PHASE_EXECUTION', goal_anchor: 'greet the world', repo: { path: '/srv/repos/demo' } },
        phase: { phase_id: 't0-p0', state: 'EXECUTING', attempt: 1, builder: { kind: 'patch' }, grants: [], approvals: [] },
        prior_attempts: [],
        completed_phases: [],
      });
      expect(Date.parse(first.lease_expires_at) - Date.parse(first.phase.updated_at)).toBeGreaterThanOrEqual(59_000);
      // c-old's second phase waits for its first: the next claim goes to the younger run.
      const second = await claim(t, 'ex-2');
      expect([second.run.run_id, second.phase.phase_id]).toEqual(['c-new', 't0-p0']);
      expect((await claimRequest(t, 'ex-3')).status).toBe(204);

      await leased(t, first, 'update_status', { state: 'COMPLETE' }).expect(200);
      const third = await claim(t, 'ex-3');
      expect([third.run.run_id, third.phase.phase_id, third.attempt]).toEqual(['c-old', 't0-p1', 1]);
      expect(third.completed_phases).toEqual([
        { phase_id: 't0-p0', tier_id: 't0', attempt: 1, completed_at: expect.any(String), patch_artifact_ids: [] },
      ]);

      const events = await eventsOf(t, 'c-old');
      const claimed = events.filter((e) => e.type === 'phase_claimed');
      expect(claimed.map((e) => [e.phase_id, e.payload['executor_id'], e.payload['attempt']])).toEqual([
        ['t0-p0', 'ex-1', 1],
        ['t0-p1', 'ex-3', 1],
      ]);
      expect(claimed[0]!.actor).toBe('executor-key');
    });

    it('extends a lease on heartbeat and gives the phase back on release, keeping the attempt count', async () => {
      await t.http.post('/runs/start').send(makePlan('c-hb')).expect(201);
      const c = await claim(t);
      t.clock.advance(30_000);
      const beat = await t.http
        .post(`/executors/leases/${c.lease_id}/heartbeat`)
        .set(EXECUTOR)
        .send({ lease_token: c.lease_token, stage: 'test', progress: 40 });
      expect(beat.status).toBe(200);
      expect(beat.body).toEqual({ lease_id: c.lease_id, lease_expires_at: expect.any(String), cancel_requested: false });
      expect(Date.parse(beat.body.lease_expires_at)).toBeGreaterThan(Date.parse(c.lease_expires_at));

      const released = await t.http
        .post(`/executors/leases/${c.lease_id}/release`)
        .set(EXECUTOR)
        .send({ lease_token: c.lease_token, reason: 'shutting down' });
      expect(released.status).toBe(200);
      expect(released.body).toEqual({ lease_id: c.lease_id, released: true, phase: { run_id: 'c-hb', phase_id: 't0-p0', state: 'QUEUED', attempt: 1 } });
      // The released lease is gone for good.
      expectEnvelope((await heartbeat(t, c)).body, 'lease_lost');
      const again = await claim(t);
      expect(again.attempt).toBe(2);
      expect(again.prior_attempts).toEqual([
        expect.objectContaining({ attempt: 1, outcome: 'released', failure_reason: null, message: 'shutting down' }),
      ]);
      const types = (await eventsOf(t, 'c-hb')).map((e) => e.type);
      expect(types).toContain('lease_released');
    });

    it('refuses heartbeats with the wrong token, for unknown leases and from viewers', async () => {
      await t.http.post('/runs/start').send(makePlan('c-bad')).expect(201);
      const c = await claim(t);
      const wrong = await heartbeat(t, c, `${c.lease_token}x`);
      expect(wrong.status).toBe(409);
      expectEnvelope(wrong.body, 'lease_lost');
      const unknown = await heartbeat(t, { ...c, lease_id: '00000000-0000-4000-8000-000000000000' });
      expect(unknown.status).toBe(404);
      const viewer = await t.http.post(`/executors/leases/${c.lease_id}/heartbeat`).set(VIEWER).send({ lease_token: c.lease_token });
      expect(viewer.status).toBe(403);
      expectEnvelope(viewer.body, 'forbidden');
      expect((await t.http.post('/executors/claim').set(OPERATOR).send({ executor_id: 'ops' })).status).toBe(403);
    });

    it('wakes a long-polling claim as soon as work appears, without waiting out its time', async () => {
      const started = Date.now();
      const waiting = claimRequest(t, 'ex-poll', 20).then((r) => r);
      await new Promise((r) => setTimeout(r, 300));
      await t.http.post('/runs/start').send(makePlan('c-poll')).expect(201);
      const res = await waiting;
      expect(res.status).toBe(200);
      expect((res.body as Claim).run.run_id).toBe('c-poll');
      expect(Date.now() - started).toBeLessThan(5000);
    });

    it('ends a long-poll with 204 at its deadline', async () => {
      const started = Date.now();
      const res = await claimRequest(t, 'ex-idle', 1);
      expect(res.status).toBe(204);
      expect(Date.now() - started).toBeGreaterThanOrEqual(900);
    });

    it('stops handing out work while paused, for every caller, and wakes waiting claims on resume', async () => {
      const paused = await t.http.post('/admin/pause').set(OPERATOR).send({ reason: 'maintenance' });
      expect(paused.body).toMatchObject({ paused: true, reason: 'maintenance', changed_by: 'ops' });
      expect((await t.http.post('/admin/pause').set(EXECUTOR).send({})).status).toBe(403);
      await t.http.post('/runs/start').send(makePlan('c-pause')).expect(201);
      expect((await claimRequest(t)).status).toBe(204);
      expect((await t.http.get('/admin/execution').set(VIEWER)).body.paused).toBe(true);
      const waiting = claimRequest(t, 'ex-wait', 20).then((r) => r);
      await new Promise((r) => setTimeout(r, 300));
      const resumed = await t.http.post('/admin/resume').set(OPERATOR).send({});
      expect(resumed.body).toMatchObject({ paused: false, reason: null });
      const res = await waiting;
      expect(res.status).toBe(200);
      expect((res.body as Claim).run.run_id).toBe('c-pause');
    });

    it('never writes a lease token into logs, events or the lease table', async () => {
      await t.http.post('/runs/start').send(makePlan('c-secret')).expect(201);
      const c = await claim(t);
      await heartbeat(t, c).expect(200);
      await leased(t, c, 'update_status', { state: 'COMPLETE' }).expect(200);
      expect(t.logs.join('\n')).not.toContain(c.lease_token);
      expect(JSON.stringify(await eventsOf(t, 'c-secret'))).not.toContain(c.lease_token);
      const rows = await sql`select * from phase_leases`.execute(t.database.db);
      expect(JSON.stringify(rows.rows)).not.toContain(c.lease_token);
      expect((await phaseOf(t, 'c-secret', 't0-p0')).state).toBe('COMPLETE');
    });

    it("pins the run's base commit on the first report: later claims carry it, a different one is refused", async () => {
      await t.http.post('/runs/start').send(makePlan('c-base', { perTier: 2 })).expect(201);
      const first = await claim(t);
      expect(first.run.base_commit).toBeNull();
      const sha = 'a'.repeat(40);
      const badSha = await leased(t, first, 'update_status', { state: 'CI_RUNNING', base_commit: 'main' });
      expectEnvelope(badSha.body, 'validation_failed');
      await leased(t, first, 'update_status', { state: 'CI_RUNNING', base_commit: sha }).expect(200);
      await leased(t, first, 'update_status', { state: 'GATE', base_commit: sha }).expect(200);
      const other = await leased(t, first, 'update_status', { state: 'COMPLETE', base_commit: 'b'.repeat(40) });
      expect(other.status).toBe(409);
      expectEnvelope(other.body, 'base_commit_mismatch');
      expect((await phaseOf(t, 'c-base', 't0-p0')).state).toBe('GATE');
      await leased(t, first, 'update_status', { state: 'COMPLETE' }).expect(200);

      const second = await claim(t);
      expect(second.run.base_commit).toBe(sha);
      expect((await t.http.get('/runs/c-base').set(VIEWER)).body.base_commit).toBe(sha);
      const pinned = (await eventsOf(t, 'c-base')).filter((e) => e.type === 'base_commit_pinned');
      expect(pinned.map((e) => e.payload)).toEqual([{ base_commit: sha, base_ref: 'HEAD' }]);
    });

    it('shows in /health the executors that asked for work lately, those working, and their providers', async () => {
      const health = async () => {
        const body = (await t.http.get('/health').expect(200)).body;
        return { ...body.executors, providers: body.llm_providers.configured };
      };
      t.clock.advance(91_000); // earlier tests' executors fall out of the window
      expect(await health()).toEqual({ active: 0, working: 0, providers: [] });
      const ask = (id: string, providers: string[]) =>
        t.http.post('/executors/claim').set(EXECUTOR).send({ executor_id: id, providers });
      expect((await ask('box-a:0', ['anthropic'])).status).toBe(204);
      expect((await ask('box-b:0', ['openai', 'anthropic'])).status).toBe(204);
      expect((await ask('box-b:1', ['gemini'])).status).toBe(400);
      expect(await health()).toEqual({ active: 2, working: 0, providers: ['anthropic', 'openai'] });

      await t.http.post('/runs/start').send(makePlan('c-health')).expect(201);
      expect((await ask('box-a:0', ['anthropic'])).status).toBe(200);
      expect(await health()).toEqual({ active: 2, working: 1, providers: ['anthropic', 'openai'] });
      // Out of the window: only the executor holding a lease still counts.
      t.clock.advance(91_000);
      expect(await health()).toEqual({ active: 1, working: 1, providers: ['anthropic'] });
    });
  });
}
