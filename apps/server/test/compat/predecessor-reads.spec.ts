import type { KyselyPlugin, PluginTransformQueryArgs, PluginTransformResultArgs } from 'kysely';
import { testDialects } from '@autopack/db/testing';
import { buildTestApp, expectEnvelope, makePlan, setState, type TestApp } from '../support/test-app';
import { claim, VIEWER } from '../support/work';

const recordIssue = (t: TestApp, runId: string, phaseId: string, body: object) =>
  t.http.post(`/runs/${runId}/phases/${phaseId}/record_issue`).send(body);

interface PhaseItem {
  run_id: string;
  phase_id: string;
  state: string;
}
const ids = (items: PhaseItem[]) => items.map((p) => `${p.run_id}/${p.phase_id}`);

/** Counts every statement sent through the app's Kysely handle (inside transactions too). */
function statementCounter(): KyselyPlugin & { count: number } {
  const counter = {
    count: 0,
    transformQuery(args: PluginTransformQueryArgs) {
      counter.count += 1;
      return args.node;
    },
    async transformResult(args: PluginTransformResultArgs) {
      return args.result;
    },
  };
  return counter;
}

for (const dialect of testDialects()) {
  describe(`predecessor reads (issue index, errors, GET /phases) on ${dialect.name}`, () => {
    let t: TestApp;
    const counter = statementCounter();

    beforeAll(async () => {
      const database = await dialect.create();
      t = buildTestApp({ ...database, db: database.db.withPlugin(counter) });

      // "exp": an executor claims its phase and goes silent; the reaper requeues it; then it is cancelled.
      await t.http.post('/runs/start').send(makePlan('exp', { maxAttempts: 2 })).expect(201);
      const c = await claim(t, 'host-9:w1');
      expect([c.run.run_id, c.phase.phase_id]).toEqual(['exp', 't0-p0']);
      t.clock.advance(10 * 60_000);
      expect((await t.reaper.sweep()).leases_expired).toBe(1);
      await t.http.post('/runs/exp/cancel').send({ reason: 'not needed' }).expect(200);

      // "ra": issues recorded across phases and tiers, then t0-p0 fails twice (retried, then final).
      await t.http.post('/runs/start').send(makePlan('ra', { tiers: 2, perTier: 2, maxAttempts: 2 })).expect(201);
      await recordIssue(t, 'ra', 't0-p0', { issue_key: 'lint', severity: 'minor', source: 'auditor', category: 'style', evidence_refs: ['a.log'] }).expect(201);
      await recordIssue(t, 'ra', 't0-p0', { issue_key: 'lint', severity: 'minor', source: 'auditor', category: 'style', evidence_refs: ['a.log'] }).expect(200);
      await recordIssue(t, 'ra', 't0-p1', { issue_key: 'flaky', severity: 'minor', source: 'ci', category: 'tests' }).expect(201);
      await recordIssue(t, 'ra', 't0-p1', { issue_key: 'lint', severity: 'minor', source: 'auditor', category: 'style' }).expect(201);
      await recordIssue(t, 'ra', 't1-p0', { issue_key: 'lint', severity: 'major', source: 'auditor', category: 'style-strict', evidence_refs: ['b.log', 'a.log'] }).expect(201);
      await setState(t, 'ra', 't0-p0', 'EXECUTING').expect(200);
      await setState(t, 'ra', 't0-p0', 'FAILED', { failure_reason: 'ci_fail', message: '2 tests failed:\n  test_a\n  test_b' }).expect(200);
      await setState(t, 'ra', 't0-p0', 'EXECUTING').expect(200);
      const final = await setState(t, 'ra', 't0-p0', 'FAILED', { failure_reason: 'builder_error' }).expect(200);
      expect(final.body.run.state).toBe('DONE_FAILED_REQUIRES_HUMAN_REVIEW');

      // "rb": nothing went wrong.
      await t.http.post('/runs/start').send(makePlan('rb', { perTier: 3 })).expect(201);
    });
    afterAll(() => t.database.close());

    describe('GET /runs/{run_id}/issues/index', () => {
      it("answers the predecessor's RunIssueIndex built from the recorded issues", async () => {
        const res = await t.http.get('/runs/ra/issues/index').set(VIEWER).expect(200);
        expect(res.body.run_id).toBe('ra');
        expect(Object.keys(res.body.issues_by_key)).toEqual(['lint', 'flaky']);
        expect(res.body.issues_by_key.lint).toEqual({
          category: 'style',
          severity: 'minor',
          effective_severity: 'major',
          first_phase_index: 0,
          last_phase_index: 0,
          occurrence_count: 4,
          seen_in_tiers: ['t0', 't1'],
          seen_in_phases: ['t0-p0', 't0-p1', 't1-p0'],
          first_phase_id: 't0-p0',
          last_phase_id: 't1-p0',
          first_seen_at: expect.any(String),
          last_seen_at: expect.any(String),
          evidence_refs: ['a.log', 'b.log'],
        });
        expect(res.body.issues_by_key.flaky).toMatchObject({
          category: 'tests',
          severity: 'minor',
          effective_severity: 'minor',
          first_phase_index: 1,
          last_phase_index: 1,
          occurrence_count: 1,
          seen_in_tiers: ['t0'],
          seen_in_phases: ['t0-p1'],
          evidence_refs: [],
        });
      });

      it('answers an empty index for a run without issues, and 404 run_not_found for an unknown run', async () => {
        expect((await t.http.get('/runs/rb/issues/index').expect(200)).body).toEqual({ run_id: 'rb', issues_by_key: {} });
        const res = await t.http.get('/runs/nope/issues/index').expect(404);
        expectEnvelope(res.body, 'run_not_found');
      });
    });

    describe('GET /runs/{run_id}/errors and /errors/summary', () => {
      it('lists the failed attempts and the run failing, oldest first, with what each means', async () => {
        const res = await t.http.get('/runs/ra/errors').set(VIEWER).expect(200);
        expect(res.body).toMatchObject({ run_id: 'ra', error_count: 3, next_after: null });
        const [first, second, run] = res.body.errors;
        expect(first).toEqual({
          id: expect.any(Number),
          timestamp: expect.any(String),
          run_id: 'ra',
          tier_id: 't0',
          phase_id: 't0-p0',
          attempt: 1,
          error_type: 'ci_fail',
          error_message: '2 tests failed:\n  test_a\n  test_b',
          component: 'ci',
          operation: 'EXECUTING',
          retried: true,
          executor_id: null,
          actor: 'anonymous',
          context_data: { requested: 'FAILED', retry: true, attempts_left: 1, operator_action: true },
        });
        expect(second).toMatchObject({
          phase_id: 't0-p0',
          attempt: 2,
          error_type: 'builder_error',
          error_message: 'phase t0-p0, attempt 2, failed with builder_error',
          component: 'builder',
          retried: false,
        });
        expect(run).toMatchObject({
          phase_id: null,
          tier_id: null,
          attempt: null,
          error_type: 'DONE_FAILED_REQUIRES_HUMAN_REVIEW',
          error_message: expect.stringContaining('t0-p0'),
          component: 'run',
          operation: 'run_finalisation',
          retried: false,
        });
        expect(first.id < second.id && second.id < run.id).toBe(true);
        expect(Date.parse(first.timestamp)).toBeLessThan(Date.parse(run.timestamp));
      });

      it('records a lease expiry with the executor that held the lease; a cancellation is no failure', async () => {
        const res = await t.http.get('/runs/exp/errors').expect(200);
        expect(res.body.error_count).toBe(1);
        expect(res.body.errors[0]).toMatchObject({
          phase_id: 't0-p0',
          attempt: 1,
          error_type: 'lease_expired',
          component: 'lease',
          operation: 'EXECUTING',
          retried: true,
          executor_id: 'host-9:w1',
          actor: 'system:reaper',
          context_data: { lease_id: expect.any(String) },
        });
      });

      it('pages with after and limit; error_count stays the total', async () => {
        const all = (await t.http.get('/runs/ra/errors')).body.errors;
        const page1 = (await t.http.get('/runs/ra/errors?limit=2').expect(200)).body;
        expect(page1.errors).toEqual(all.slice(0, 2));
        expect(page1.error_count).toBe(3);
        expect(page1.next_after).toBe(all[1].id);
        const page2 = (await t.http.get(`/runs/ra/errors?after=${page1.next_after}&limit=2`).expect(200)).body;
        expect(page2).toMatchObject({ error_count: 3, errors: all.slice(2), next_after: null });
        for (const qs of ['limit=0', 'limit=1001', 'after=-1', 'limit=01', 'page=1']) {
          const bad = await t.http.get(`/runs/ra/errors?${qs}`);
          expect([qs, bad.status]).toEqual([qs, 400]);
          expectEnvelope(bad.body, 'validation_failed');
        }
      });

      it('answers no errors for a run without failures, and 404 run_not_found for an unknown run', async () => {
        expect((await t.http.get('/runs/rb/errors').expect(200)).body).toEqual({ run_id: 'rb', error_count: 0, errors: [], next_after: null });
        expectEnvelope((await t.http.get('/runs/nope/errors').expect(404)).body, 'run_not_found');
        expectEnvelope((await t.http.get('/runs/nope/errors/summary').expect(404)).body, 'run_not_found');
      });

      it('summarises as plain text with counts per error type and component', async () => {
        const res = await t.http.get('/runs/ra/errors/summary').set(VIEWER).expect(200);
        expect(res.body).toMatchObject({
          run_id: 'ra',
          error_count: 3,
          by_error_type: { ci_fail: 1, builder_error: 1, DONE_FAILED_REQUIRES_HUMAN_REVIEW: 1 },
          by_component: { ci: 1, builder: 1, run: 1 },
        });
        const text: string = res.body.summary;
        expect(text.split('\n')[0]).toBe('Run ra: 3 failures recorded');
        expect(text).toContain('ci_fail (phase t0-p0, attempt 1, retried)');
        // A multi-line message stays on one line of the summary.
        expect(text).toContain('message: 2 tests failed: test_a test_b');
        expect(text).toContain('DONE_FAILED_REQUIRES_HUMAN_REVIEW (run)');
        expect((await t.http.get('/runs/rb/errors/summary').expect(200)).body).toEqual({
          run_id: 'rb',
          summary: 'Run rb: no failures recorded.',
          error_count: 0,
          by_error_type: {},
          by_component: {},
        });
      });
    });

    describe('GET /phases', () => {
      const all = ['exp/t0-p0', 'ra/t0-p0', 'ra/t0-p1', 'ra/t1-p0', 'ra/t1-p1', 'rb/t0-p0', 'rb/t0-p1', 'rb/t0-p2'];

      it('pages every phase, oldest run first then in execution order, 50 per page by default', async () => {
        const res = await t.http.get('/phases').set(VIEWER).expect(200);
        expect(res.body).toMatchObject({ total: 8, page: 1, page_size: 50, has_next: false });
        expect(ids(res.body.items)).toEqual(all);
        expect(res.body.items[1]).toMatchObject({ run_id: 'ra', phase_id: 't0-p0', tier_id: 't0', state: 'FAILED', attempt: 2, failure_reason: 'builder_error' });
      });

      it('pages with page and page_size, has_next telling whether more follow', async () => {
        const pages = [];
        for (let page = 1; page <= 4; page++) pages.push((await t.http.get(`/phases?page=${page}&page_size=3`).expect(200)).body);
        expect(pages.map((p) => ids(p.items))).toEqual([all.slice(0, 3), all.slice(3, 6), all.slice(6), []]);
        expect(pages.map((p) => p.has_next)).toEqual([true, true, false, false]);
        expect(pages.map((p) => [p.total, p.page, p.page_size])).toEqual([[8, 1, 3], [8, 2, 3], [8, 3, 3], [8, 4, 3]]);
      });

      it('filters by run and by state', async () => {
        expect(ids((await t.http.get('/phases?run_id=ra').expect(200)).body.items)).toEqual(all.slice(1, 5));
        const skipped = (await t.http.get('/phases?run_id=ra&state=SKIPPED').expect(200)).body;
        expect([ids(skipped.items), skipped.total]).toEqual([['ra/t0-p1', 'ra/t1-p0', 'ra/t1-p1'], 3]);
        expect(ids((await t.http.get('/phases?state=QUEUED').expect(200)).body.items)).toEqual(all.slice(5));
        expect((await t.http.get('/phases?run_id=nope').expect(200)).body).toEqual({ items: [], total: 0, page: 1, page_size: 50, has_next: false });
      });

      it.each([
        ['page=0', 'query.page'],
        ['page=-1', 'query.page'],
        ['page=01', 'query.page'],
        ['page=1.5', 'query.page'],
        ['page_size=0', 'query.page_size'],
        ['page_size=101', 'query.page_size'],
        ['page_size=1e2', 'query.page_size'],
        ['state=RUNNING', 'query.state'],
        ['run_id=..%2Fx', 'query.run_id'],
        ['limit=10', 'query.limit'],
      ])('rejects ?%s with 400 naming %s (no silent clamping)', async (qs, path) => {
        const res = await t.http.get(`/phases?${qs}`);
        expect(res.status).toBe(400);
        expectEnvelope(res.body, 'validation_failed');
        expect(res.body.error.details.map((d: { path: string }) => d.path)).toContain(path);
      });
    });

    it('answers each read with the same number of statements however much it returns (no N+1)', async () => {
      const statements = async (url: string) => {
        const before = counter.count;
        await t.http.get(url).set(VIEWER).expect(200);
        return counter.count - before;
      };
      const pairs = [
        ['/phases?page_size=1', '/phases?page_size=100'],
        ['/runs/rb/issues/index', '/runs/ra/issues/index'],
        ['/runs/ra/errors?limit=1', '/runs/ra/errors'],
        ['/runs/exp/errors/summary', '/runs/ra/errors/summary'],
      ];
      for (const [small, large] of pairs) {
        const [few, many] = [await statements(small!), await statements(large!)];
        expect({ url: large, statements: many }).toEqual({ url: large, statements: few });
        expect(many).toBeGreaterThan(0);
        expect(many).toBeLessThanOrEqual(4);
      }
    });
  });
}
