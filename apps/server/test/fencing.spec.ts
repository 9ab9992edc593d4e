import { sql } from 'kysely';
import { testDialects } from '@autopack/db/testing';
import { expectEnvelope, makePlan, startTestApp, type TestApp } from './support/test-app';
import { cancelOpenRuns, claim, eventsOf, EXECUTOR, heartbeat, leased, OPERATOR, phaseOf } from './support/work';

const builderResult = (runId: string, phaseId: string) => ({
  run_id: runId,
  phase_id: phaseId,
  status: 'success',
  patch_content: 'diff --git a/x b/x\n',
  tokens_used: 10,
});

async function count(t: TestApp, table: string, runId: string): Promise<number> {
  const rows = await sql<{ n: number }>`select count(*)::int as n from ${sql.table(table)} where run_id = ${runId}`.execute(t.database.db);
  return rows.rows[0]!.n;
}

for (const dialect of testDialects()) {
  describe(`fencing, idempotency and the lease reaper on ${dialect.name}`, () => {
    let t: TestApp;
    beforeAll(async () => {
      t = await startTestApp(dialect);
    });
    afterEach(() => cancelOpenRuns(t));
    afterAll(() => t.database.close());

    it('refuses executor writes without the current lease token and writes nothing', async () => {
      await t.http.post('/runs/start').send(makePlan('f-fence')).expect(201);
      const c = await claim(t);
      const writes = [
        ['update_status', { state: 'COMPLETE' }],
        ['builder_result', builderResult('f-fence', 't0-p0')],
        ['auditor_result', { run_id: 'f-fence', phase_id: 't0-p0', recommendation: 'approve', confidence: 'high' }],
        ['record_issue', { issue_key: 'k', severity: 'minor', source: 's', category: 'c' }],
        ['artifacts', { kind: 'log', path: 'log.txt', content: 'hello' }],
      ] as const;
      const before = (await eventsOf(t, 'f-fence')).length;
      for (const [what, body] of writes) {
        const stolen = await leased(t, c, what, body, 'lt_not-the-token');
        expect([what, stolen.status]).toEqual([what, 409]);
        expectEnvelope(stolen.body, 'lease_lost');
        const bare = await t.http.post(`/runs/f-fence/phases/t0-p0/${what}`).set(EXECUTOR).send(body);
        expect([what, bare.status]).toEqual([what, 409]);
        expectEnvelope(bare.body, 'lease_required');
      }
      const usage = await t.http
        .post('/runs/f-fence/usage')
        .set(EXECUTOR)
        .set('X-Lease-Token', 'nope')
        .send({ phase_id: 't0-p0', provider: 'p', model: 'm', role: 'builder', prompt_tokens: 1, completion_tokens: 1 });
      expectEnvelope(usage.body, 'lease_lost');
      const governance = await t.http
        .post('/governance/requests')
        .set(EXECUTOR)
        .set('X-Lease-Token', 'nope')
        .send({ run_id: 'f-fence', phase_id: 't0-p0', requested_paths: ['.env'], justification: 'x' });
      expectEnvelope(governance.body, 'lease_lost');
      expect((await eventsOf(t, 'f-fence')).length).toBe(before);
      for (const table of ['builder_results', 'auditor_results', 'phase_issues', 'artifacts', 'llm_usage_events', 'approval_requests']) {
        expect([table, await count(t, table, 'f-fence')]).toEqual([table, 0]);
      }
      expect((await phaseOf(t, 'f-fence', 't0-p0')).state).toBe('EXECUTING');
      // The holder of the lease writes fine.
      await leased(t, c, 'builder_result', builderResult('f-fence', 't0-p0')).expect(201);
    });

    it('lets an operator write without a lease, records it, and tells the lease holder to stop', async () => {
      await t.http.post('/runs/start').send(makePlan('f-op', { perTier: 2 })).expect(201);
      const c = await claim(t);
      const op = await t.http.post('/runs/f-op/phases/t0-p0/update_status').set('X-Test-Role', 'operator').set('X-Test-Principal', 'ops').send({ state: 'COMPLETE' });
      expect(op.status).toBe(200);
      const change = (await eventsOf(t, 'f-op')).filter((e) => e.type === 'phase_state_changed').at(-1)!;
      expect(change).toMatchObject({ actor: 'ops', payload: { from: 'EXECUTING', to: 'COMPLETE', operator_action: true } });
      const beat = await heartbeat(t, c);
      expect(beat.status).toBe(200);
      expect(beat.body.cancel_requested).toBe(true);
      expectEnvelope((await leased(t, c, 'update_status', { state: 'FAILED', failure_reason: 'ci_fail' })).body, 'lease_lost');
    });

    it('keeps from executors what update_status must not do for them: bare BLOCKED, CANCELLED, server-given failure reasons', async () => {
      await t.http.post('/runs/start').send(makePlan('f-own', { maxAttempts: 3 })).expect(201);
      const c = await claim(t);
      const before = (await eventsOf(t, 'f-own')).length;
      const blocked = await leased(t, c, 'update_status', { state: 'BLOCKED' });
      expect(blocked.status).toBe(409);
      expectEnvelope(blocked.body, 'illegal_transition');
      expect(blocked.body.error.message).toContain('/governance/requests');
      const cancelled = await leased(t, c, 'update_status', { state: 'CANCELLED' });
      expect(cancelled.status).toBe(409);
      expectEnvelope(cancelled.body, 'illegal_transition');
      expect(cancelled.body.error.message).toContain('report FAILED');
      for (const reason of ['policy_rejected', 'lease_expired', 'operator']) {
        const failed = await leased(t, c, 'update_status', { state: 'FAILED', failure_reason: reason });
        expect([reason, failed.status]).toEqual([reason, 400]);
        expectEnvelope(failed.body, 'validation_failed');
        expect(failed.body.error.message).toContain('set by the server');
      }
      expect((await eventsOf(t, 'f-own')).length).toBe(before);
      expect(await phaseOf(t, 'f-own', 't0-p0')).toMatchObject({ state: 'EXECUTING', attempt: 1 });
      // An operator's failure is final even with attempts left.
      const op = await t.http.post('/runs/f-own/phases/t0-p0/update_status').set(OPERATOR).send({ state: 'FAILED', failure_reason: 'operator' });
      expect(op.body.phase).toMatchObject({ state: 'FAILED', failure_reason: 'operator' });
    });

    it('requeues the phase of an expired lease with the attempt recorded; the old token changes nothing', async () => {
      await t.http.post('/runs/start').send(makePlan('f-exp', { maxAttempts: 2 })).expect(201);
      const c = await claim(t, 'ex-dead');
      t.clock.advance(61_000);
      expect(await t.reaper.sweep()).toMatchObject({ leases_expired: 1 });
      expect(await t.reaper.sweep()).toMatchObject({ leases_expired: 0 });
      expect(await phaseOf(t, 'f-exp', 't0-p0')).toMatchObject({ state: 'QUEUED', attempt: 1 });
      const attempts = await sql`select attempt, outcome, failure_reason from phase_attempts where run_id = 'f-exp'`.execute(t.database.db);
      expect(attempts.rows).toEqual([{ attempt: 1, outcome: 'expired', failure_reason: 'lease_expired' }]);
      const types = (await eventsOf(t, 'f-exp')).map((e) => [e.type, e.actor]);
      expect(types).toContainEqual(['lease_expired', 'system:reaper']);

      const before = (await eventsOf(t, 'f-exp')).length;
      expectEnvelope((await leased(t, c, 'builder_result', builderResult('f-exp', 't0-p0'))).body, 'lease_lost');
      expectEnvelope((await leased(t, c, 'update_status', { state: 'COMPLETE' })).body, 'lease_lost');
      expectEnvelope((await heartbeat(t, c)).body, 'lease_lost');
      expect((await eventsOf(t, 'f-exp')).length).toBe(before);
      expect(await count(t, 'builder_results', 'f-exp')).toBe(0);

      // Second and last attempt expires too: FAILED, and the run is finalised.
      const second = await claim(t, 'ex-slow');
      expect(second.attempt).toBe(2);
      expect(second.prior_attempts).toEqual([expect.objectContaining({ attempt: 1, outcome: 'expired', failure_reason: 'lease_expired' })]);
      t.clock.advance(61_000);
      expect(await t.reaper.sweep()).toMatchObject({ leases_expired: 1 });
      const run = (await t.http.get('/runs/f-exp')).body;
      expect(run.phases[0]).toMatchObject({ state: 'FAILED', failure_reason: 'lease_expired', attempt: 2 });
      expect(run).toMatchObject({ state: 'DONE_FAILED_REQUIRES_HUMAN_REVIEW', completed_at: expect.any(String) });
    });

    it('does not expire a lease kept alive by heartbeats', async () => {
      await t.http.post('/runs/start').send(makePlan('f-alive')).expect(201);
      const c = await claim(t);
      for (let i = 0; i < 3; i++) {
        t.clock.advance(40_000);
        await heartbeat(t, c).expect(200);
        expect((await t.reaper.sweep()).leases_expired).toBe(0);
      }
      expect((await phaseOf(t, 'f-alive', 't0-p0')).state).toBe('EXECUTING');
    });

    it('answers a builder_result replayed 5 times with the first answer and stores it once', async () => {
      await t.http.post('/runs/start').send(makePlan('f-idem')).expect(201);
      const c = await claim(t);
      const send = () => leased(t, c, 'builder_result', builderResult('f-idem', 't0-p0')).set('Idempotency-Key', 'build-1');
      const first = await send();
      expect(first.status).toBe(201);
      expect(first.headers['idempotent-replayed']).toBeUndefined();
      for (let i = 0; i < 5; i++) {
        const again = await send();
        expect(again.status).toBe(201);
        expect(again.body).toEqual(first.body);
        expect(again.headers['idempotent-replayed']).toBe('true');
      }
      expect(await count(t, 'builder_results', 'f-idem')).toBe(1);
      expect((await eventsOf(t, 'f-idem')).filter((e) => e.type === 'builder_result')).toHaveLength(1);
      expect((await t.http.get('/runs/f-idem')).body.tokens_used).toBe(10);

      const reused = await leased(t, c, 'builder_result', { ...builderResult('f-idem', 't0-p0'), tokens_used: 11 }).set('Idempotency-Key', 'build-1');
      expect(reused.status).toBe(422);
      expectEnvelope(reused.body, 'idempotency_key_reused');
      // The first answer belongs to the lease it was given under: another token does not get it.
      const otherLease = await leased(t, c, 'builder_result', builderResult('f-idem', 't0-p0'), 'lt_someone-else').set('Idempotency-Key', 'build-1');
      expect(otherLease.status).toBe(422);
      expectEnvelope(otherLease.body, 'idempotency_key_reused');
      const bad = await leased(t, c, 'builder_result', builderResult('f-idem', 't0-p0')).set('Idempotency-Key', 'has space');
      expect(bad.status).toBe(400);
    });

    it('replays concurrent duplicates of one state change as a single change', async () => {
      await t.http.post('/runs/start').send(makePlan('f-race', { perTier: 2 })).expect(201);
      const c = await claim(t);
      const answers = await Promise.all(
        Array.from({ length: 5 }, () => leased(t, c, 'update_status', { state: 'COMPLETE' }).set('Idempotency-Key', 'done-1')),
      );
      expect(answers.map((a) => a.status)).toEqual([200, 200, 200, 200, 200]);
      for (const a of answers) expect(a.body).toEqual(answers[0]!.body);
      expect(answers.filter((a) => a.headers['idempotent-replayed'] === 'true')).toHaveLength(4);
      const completes = (await eventsOf(t, 'f-race')).filter((e) => e.type === 'phase_state_changed' && e.payload['to'] === 'COMPLETE');
      expect(completes).toHaveLength(1);
    });
  });
}
