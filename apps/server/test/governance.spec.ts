import { testDialects } from '@autopack/db/testing';
import { expectEnvelope, makePlan, startTestApp, type TestApp } from './support/test-app';
import { cancelOpenRuns, claim, eventsOf, EXECUTOR, OPERATOR, VIEWER } from './support/work';
import type { Claim } from '@autopack/contracts';

function fileGovernance(t: TestApp, c: Claim, paths: string[], changedLines = 10) {
  return t.http
    .post('/governance/requests')
    .set(EXECUTOR)
    .set('X-Lease-Token', c.lease_token)
    .send({ run_id: c.run.run_id, phase_id: c.phase.phase_id, requested_paths: paths, justification: 'needed for the change', changed_lines: changedLines });
}

for (const dialect of testDialects()) {
  describe(`governance and approvals on ${dialect.name}`, () => {
    let t: TestApp;
    beforeAll(async () => {
      t = await startTestApp(dialect);
    });
    afterEach(() => cancelOpenRuns(t));
    afterAll(() => t.database.close());

    it('blocks the phase on a protected path; only an operator approves, once; the next attempt gets the grant', async () => {
      await t.http.post('/runs/start').send(makePlan('g-ok')).expect(201);
      const c = await claim(t);
      const filed = await fileGovernance(t, c, ['./.github/workflows/ci.yml']);
      expect(filed.status).toBe(201);
      expect(filed.body).toMatchObject({
        phase_state: 'BLOCKED',
        request: { kind: 'governance', status: 'pending', risk_level: 'critical', auto_approved: false, requested_paths: ['.github/workflows/ci.yml'], attempt: 1, requested_by: 'executor-key' },
      });
      const id = filed.body.request.request_id as string;
      const pending = (await t.http.get('/governance/pending').set(VIEWER)).body;
      expect(pending.requests.map((r: { request_id: string }) => r.request_id)).toEqual([id]);
      expect((await t.http.get('/approval/pending')).body.requests).toEqual([]);

      for (const who of [VIEWER, EXECUTOR]) {
        const denied = await t.http.post(`/governance/approve/${id}`).set(who).send({ approved: true, reason: 'me' });
        expect(denied.status).toBe(403);
        expectEnvelope(denied.body, 'forbidden');
      }
      const approved = await t.http.post(`/governance/approve/${id}`).set(OPERATOR).send({ approved: true, reason: 'CI change reviewed' });
      expect(approved.status).toBe(200);
      expect(approved.body).toMatchObject({
        phase: { state: 'QUEUED' },
        request: { status: 'approved', decided_by: 'ops', decision_reason: 'CI change reviewed', decided_at: expect.any(String) },
      });
      const twice = await t.http.post(`/governance/approve/${id}`).set(OPERATOR).send({ approved: false, reason: 'changed my mind' });
      expect(twice.status).toBe(409);
      expectEnvelope(twice.body, 'already_decided');
      expect((await t.http.get(`/approval/status/${id}`)).body).toMatchObject({ status: 'approved' });

      const next = await claim(t);
      expect(next.attempt).toBe(2);
      expect(next.phase.grants).toEqual(['.github/workflows/ci.yml']);
      expect(next.prior_attempts[0]).toMatchObject({ outcome: 'blocked' });
      const events = (await eventsOf(t, 'g-ok')).filter((e) => e.type.startsWith('approval_'));
      expect(events.map((e) => [e.type, e.actor])).toEqual([
        ['approval_requested', 'executor-key'],
        ['approval_decided', 'ops'],
      ]);
    });

    it('fails the phase and the run (DONE_FAILED_POLICY_VIOLATION) on rejection', async () => {
      await t.http.post('/runs/start').send(makePlan('g-no', { perTier: 2 })).expect(201);
      const c = await claim(t);
      const filed = await fileGovernance(t, c, ['.env.production']);
      const rejected = await t.http
        .post(`/governance/approve/${filed.body.request.request_id}`)
        .set(OPERATOR)
        .send({ approved: false, reason: 'secrets stay out' });
      expect(rejected.status).toBe(200);
      expect(rejected.body.phase).toMatchObject({ state: 'FAILED', failure_reason: 'policy_rejected' });
      expect(rejected.body.run).toMatchObject({ state: 'DONE_FAILED_POLICY_VIOLATION', failure_reason: 'phase t0-p0: governance rejected the change' });
    });

    it('approves low-risk requests at once (tests and docs only, small) and keeps the phase running', async () => {
      await t.http.post('/runs/start').send(makePlan('g-auto')).expect(201);
      const c = await claim(t);
      const filed = await fileGovernance(t, c, ['tests/unit/a.spec.ts', 'docs/guide.md'], 40);
      expect(filed.body).toMatchObject({ phase_state: 'EXECUTING', request: { status: 'approved', risk_level: 'low', auto_approved: true, decided_by: 'system' } });
      // Encoded or traversing spellings never pass as tests or docs.
      const sneaky = await fileGovernance(t, c, ['tests/%2e%2e/.env'], 1);
      expect(sneaky.status).toBe(400);
      const big = await fileGovernance(t, c, ['docs/big.md'], 500);
      expect(big.body).toMatchObject({ phase_state: 'BLOCKED', request: { status: 'pending', risk_level: 'medium' } });
    });

    // Each reads as a doc path, yet as a glob it would match .env or CI config: a person decides it,
    // and the grant it may earn names only the file spelled exactly so.
    it.each(['!docs/a.md', 'docs/a.md|.env', '!(x)/**/*.md', '**/*.txt', '{docs/a.md,.env}', '*', '?env', 'docs/*.md'].map((p, i) => [p, i] as const))(
      'files the pattern-like path %j as critical: never auto-approved, granted literally',
      async (hostile, i) => {
        const runId = `g-glob-${i}`;
        await t.http.post('/runs/start').send(makePlan(runId)).expect(201);
        const c = await claim(t);
        const filed = await fileGovernance(t, c, ['docs/ok.md', hostile], 1);
        expect(filed.status).toBe(201);
        expect(filed.body).toMatchObject({ phase_state: 'BLOCKED', request: { status: 'pending', risk_level: 'critical', auto_approved: false } });
        await t.http.post(`/governance/approve/${filed.body.request.request_id}`).set(OPERATOR).send({ approved: true, reason: 'reviewed' }).expect(200);
        expect((await claim(t)).phase.grants).toEqual(['docs/ok.md', hostile]);
      },
    );

    it('files a template file whose real name has braces, and the approval grants exactly it', async () => {
      await t.http.post('/runs/start').send(makePlan('g-template')).expect(201);
      const c = await claim(t);
      const path = '{{cookiecutter.project_slug}}/.env.example';
      const filed = await fileGovernance(t, c, [path], 3);
      expect(filed.body).toMatchObject({ phase_state: 'BLOCKED', request: { status: 'pending', risk_level: 'critical' } });
      await t.http.post(`/governance/approve/${filed.body.request.request_id}`).set(OPERATOR).send({ approved: true, reason: 'template' }).expect(200);
      expect((await claim(t)).phase.grants).toEqual([path]);
    });

    it('rates a path a glob reader would still take for a pattern critical: never auto-approved, granted literally', async () => {
      await t.http.post('/runs/start').send(makePlan('g-pattern')).expect(201);
      const c = await claim(t);
      // Brackets and parentheses are real names (`app/[slug]/`), so they are filed, not refused.
      const filed = await fileGovernance(t, c, ['docs/[.]env', 'app/[slug]/page.test.tsx'], 1);
      expect(filed.status).toBe(201);
      expect(filed.body).toMatchObject({ phase_state: 'BLOCKED', request: { status: 'pending', risk_level: 'critical', auto_approved: false } });
      await t.http.post(`/governance/approve/${filed.body.request.request_id}`).set(OPERATOR).send({ approved: true, reason: 'reviewed' }).expect(200);
      expect((await claim(t)).phase.grants).toEqual(['docs/[.]env', 'app/[slug]/page.test.tsx']);
    });

    it.each(['docs/%2a.md', 'docs/\uff0a.md', '@(docs)/a.md', 'docs/+(a).md'].map((p, i) => [p, i] as const))('rates %j critical: a glob once decoded or to picomatch', async (spelled, i) => {
      const runId = `g-spell-${i}`;
      await t.http.post('/runs/start').send(makePlan(runId)).expect(201);
      const c = await claim(t);
      const filed = await fileGovernance(t, c, [spelled], 1);
      expect(filed.body).toMatchObject({ phase_state: 'BLOCKED', request: { risk_level: 'critical', auto_approved: false } });
    });

    it('never auto-approves on a safety-critical run', async () => {
      const plan = makePlan('g-safe');
      plan.run.safety_profile = 'safety_critical';
      await t.http.post('/runs/start').send(plan).expect(201);
      const c = await claim(t);
      const filed = await fileGovernance(t, c, ['docs/readme.md'], 1);
      expect(filed.body).toMatchObject({ phase_state: 'BLOCKED', request: { risk_level: 'low', auto_approved: false } });
    });

    it('holds other risky decisions for approval and applies the timeout policy (default reject)', async () => {
      await t.http.post('/runs/start').send(makePlan('g-ask', { perTier: 2 })).expect(201);
      const c = await claim(t);
      const asked = await t.http
        .post('/approval/request')
        .set(EXECUTOR)
        .set('X-Lease-Token', c.lease_token)
        .send({ run_id: 'g-ask', phase_id: 't0-p0', kind: 'mass_deletion', summary: 'removes 80% of legacy/', details: { files: 40 } });
      expect(asked.status).toBe(201);
      expect(asked.body).toMatchObject({ phase_state: 'BLOCKED', request: { kind: 'mass_deletion', status: 'pending', details: { files: 40 } } });
      const id = asked.body.request.request_id as string;
      expect((await t.http.get('/approval/pending')).body.requests.map((r: { request_id: string }) => r.request_id)).toEqual([id]);
      // The governance route does not decide approval requests, and vice versa.
      expect((await t.http.post(`/governance/approve/${id}`).set(OPERATOR).send({ approved: true, reason: 'x' })).status).toBe(404);

      t.clock.advance(14 * 60_000);
      expect((await t.reaper.sweep()).approvals_timed_out).toBe(0);
      t.clock.advance(60_000 + 1);
      expect((await t.reaper.sweep()).approvals_timed_out).toBe(1);
      const status = (await t.http.get(`/approval/status/${id}`)).body;
      expect(status).toMatchObject({ status: 'rejected', decided_by: 'system:timeout' });
      const run = (await t.http.get('/runs/g-ask')).body;
      expect(run.state).toBe('DONE_FAILED_POLICY_VIOLATION');
      const late = await t.http.post(`/approval/${id}/decide`).set(OPERATOR).send({ approved: true, reason: 'too late' });
      expectEnvelope(late.body, 'already_decided');
    });

    it('approves on timeout when so configured, and an operator decision through /approval works the same', async () => {
      const lenient = await startTestApp(dialect, { AUTOPACK_APPROVAL_DEFAULT_ON_TIMEOUT: 'approve', AUTOPACK_APPROVAL_TIMEOUT_MINUTES: '1' });
      try {
        await lenient.http.post('/runs/start').send(makePlan('g-len', { perTier: 2 })).expect(201);
        const c = await claim(lenient);
        const ask = (claimed: Claim, kind: string) =>
          lenient.http.post('/approval/request').set(EXECUTOR).set('X-Lease-Token', claimed.lease_token).send({ run_id: 'g-len', phase_id: claimed.phase.phase_id, kind, summary: 'gate' });
        await ask(c, 'quality_gate').expect(201);
        lenient.clock.advance(61_000);
        expect((await lenient.reaper.sweep()).approvals_timed_out).toBe(1);
        const again = await claim(lenient);
        expect(again.phase.approvals).toEqual(['quality_gate']);
        const second = await ask(again, 'other');
        const decided = await lenient.http.post(`/approval/${second.body.request.request_id}/decide`).set(OPERATOR).send({ approved: true, reason: 'fine' });
        expect(decided.body).toMatchObject({ phase: { state: 'QUEUED' }, request: { status: 'approved', decided_by: 'ops' } });
      } finally {
        await lenient.database.close();
      }
    });

    it('cancels a pending request when its run is cancelled', async () => {
      await t.http.post('/runs/start').send(makePlan('g-cancel')).expect(201);
      const c = await claim(t);
      const filed = await fileGovernance(t, c, ['package.json']);
      expect(filed.body.request.risk_level).toBe('high');
      await t.http.post('/runs/g-cancel/cancel').set(OPERATOR).send({}).expect(200);
      expect((await t.http.get(`/approval/status/${filed.body.request.request_id}`)).body.status).toBe('cancelled');
      expect((await t.http.get('/governance/pending')).body.requests).toEqual([]);
    });
  });
}
