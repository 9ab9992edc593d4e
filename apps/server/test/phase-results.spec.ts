import { sql } from 'kysely';
import { testDialects } from '@autopack/db/testing';
import { expectEnvelope, makePlan, setState, startTestApp, type TestApp } from './support/test-app';

for (const dialect of testDialects()) {
  describe(`results and issues on ${dialect.name}`, () => {
    let t: TestApp;
    beforeAll(async () => {
      t = await startTestApp(dialect);
      await t.http.post('/runs/start').send(makePlan('res', { perTier: 2 })).expect(201);
      await setState(t, 'res', 't0-p0', 'EXECUTING').expect(200);
    });
    afterAll(() => t.database.close());

    const builderResult = {
      run_id: 'res',
      phase_id: 't0-p0',
      status: 'success',
      patch_content: 'diff --git a/x b/x\n',
      files_changed: ['x'],
      lines_added: 3,
      lines_removed: 1,
      tokens_used: 1200,
      duration_minutes: 0.5,
      probe_results: [{ probe: 'lint', ok: true }],
      suggested_issues: [],
      notes: 'done',
      provider: 'anthropic',
      model: 'claude-x',
    };

    it('stores a builder result whole, for the current attempt, and adds its tokens to phase and run', async () => {
      const res = await t.http.post('/runs/res/phases/t0-p0/builder_result').send(builderResult);
      expect(res.status).toBe(201);
      expect(res.body).toMatchObject({ run_id: 'res', phase_id: 't0-p0', attempt: 1, id: expect.any(Number) });
      const stored = await sql<{ body: unknown; status: string }>`select body, status from builder_results where id = ${res.body.id}`.execute(t.database.db);
      expect(stored.rows[0]).toEqual({ status: 'success', body: builderResult });
      const run = (await t.http.get('/runs/res')).body;
      expect(run.tokens_used).toBe(1200);
      expect(run.phases[0].tokens_used).toBe(1200);
      const usage = await sql<{ provider: string; role: string; total_tokens: number }>`select provider, role, total_tokens from llm_usage_events where run_id = 'res'`.execute(t.database.db);
      expect(usage.rows).toEqual([{ provider: 'anthropic', role: 'builder', total_tokens: 1200 }]);
      const event = (await t.http.get('/runs/res/events')).body.events.find((e: { type: string }) => e.type === 'builder_result');
      expect(event.payload).toEqual({ result_id: res.body.id, attempt: 1, tokens_used: 1200, status: 'success', files_changed: 1, lines_added: 3, lines_removed: 1 });
      expect(JSON.stringify(event)).not.toContain('diff --git');
    });

    it('rejects a builder result whose ids differ from the URL, writing nothing', async () => {
      const res = await t.http.post('/runs/res/phases/t0-p1/builder_result').send(builderResult);
      expect(res.status).toBe(400);
      expectEnvelope(res.body, 'validation_failed');
      expect(res.body.error.details).toEqual([{ path: 'body.phase_id', message: 'must equal the phase_id of the URL ("t0-p1")' }]);
      const count = await sql<{ n: number }>`select count(*)::int as n from builder_results where phase_id = 't0-p1'`.execute(t.database.db);
      expect(count.rows[0]!.n).toBe(0);
    });

    it("rejects the predecessor executor's drifted payload instead of losing its data", async () => {
      const drifted = { run_id: 'res', phase_id: 't0-p0', status: 'SUCCESS', output: 'diff', files_modified: ['x'], metadata: {} };
      const res = await t.http.post('/runs/res/phases/t0-p0/builder_result').send(drifted);
      expect(res.status).toBe(400);
      const paths = res.body.error.details.map((d: { path: string }) => d.path);
      expect(paths).toEqual(expect.arrayContaining(['body.status', 'body.output', 'body.files_modified', 'body.metadata']));
    });

    it('stores an auditor verdict', async () => {
      const res = await t.http.post('/runs/res/phases/t0-p0/auditor_result').send({
        run_id: 'res',
        phase_id: 't0-p0',
        review_notes: 'fine',
        issues_found: [{ severity: 'minor', text: 'naming' }],
        recommendation: 'approve',
        confidence: 'high',
        tokens_used: 300,
      });
      expect(res.status).toBe(201);
      const stored = await sql<{ recommendation: string; body: { issues_found: unknown[] } }>`select recommendation, body from auditor_results where id = ${res.body.id}`.execute(t.database.db);
      expect(stored.rows[0]!.recommendation).toBe('approve');
      expect(stored.rows[0]!.body.issues_found).toHaveLength(1);
      expect((await t.http.get('/runs/res')).body.tokens_used).toBe(1500);
    });

    it('deduplicates issues by key per phase and counts each once on phase, tier and run', async () => {
      const issue = { issue_key: 'flaky-test', severity: 'major', source: 'ci', category: 'tests', evidence_refs: ['log:1'] };
      const first = await t.http.post('/runs/res/phases/t0-p0/record_issue').send(issue);
      expect(first.status).toBe(201);
      expect(first.body).toMatchObject({ created: true, issue: { issue_key: 'flaky-test', occurrence_count: 1, tier_id: 't0' } });
      const again = await t.http.post('/runs/res/phases/t0-p0/record_issue').send(issue);
      expect(again.status).toBe(200);
      expect(again.body).toMatchObject({ created: false, issue: { occurrence_count: 2 } });
      await t.http.post('/runs/res/phases/t0-p1/record_issue').send({ ...issue, severity: 'minor' }).expect(201);
      const run = (await t.http.get('/runs/res')).body;
      expect(run).toMatchObject({ major_issues_count: 1, minor_issues_count: 1 });
      expect(run.tiers[0]).toMatchObject({ major_issues_count: 1, minor_issues_count: 1 });
      expect(run.phases[0]).toMatchObject({ major_issues_count: 1, minor_issues_count: 0 });
      expect(run.phases[1]).toMatchObject({ major_issues_count: 0, minor_issues_count: 1 });
    });

    it('rejects an issue with a bad severity or key', async () => {
      const bad = await t.http.post('/runs/res/phases/t0-p0/record_issue').send({ issue_key: 'has space', severity: 'huge', source: 's', category: 'c' });
      expect(bad.status).toBe(400);
      expect(bad.body.error.details.map((d: { path: string }) => d.path).sort()).toEqual(['body.issue_key', 'body.severity']);
    });

    it('derives a project backlog across runs: major first, then by occurrences', async () => {
      await t.http.post('/runs/start').send(makePlan('res2')).expect(201);
      const record = (key: string, severity: string) =>
        t.http.post('/runs/res2/phases/t0-p0/record_issue').send({ issue_key: key, severity, source: 'auditor', category: 'style' });
      await record('flaky-test', 'minor').expect(201);
      await record('typo', 'minor').expect(201);
      await record('typo', 'minor').expect(200);
      await record('typo', 'minor').expect(200);
      const page = (await t.http.get('/project/issues/backlog')).body;
      expect(page.total).toBe(2);
      expect(page.issues).toEqual([
        expect.objectContaining({ issue_key: 'flaky-test', severity: 'major', occurrences: 4, runs_affected: 2, phases_affected: 3, categories: ['style', 'tests'] }),
        expect.objectContaining({ issue_key: 'typo', severity: 'minor', occurrences: 3, runs_affected: 1, phases_affected: 1 }),
      ]);
      const second = (await t.http.get('/project/issues/backlog?limit=1&offset=1')).body;
      expect(second.issues.map((i: { issue_key: string }) => i.issue_key)).toEqual(['typo']);
      expect(second.total).toBe(2);
      expect((await t.http.get('/project/issues/backlog?limit=0')).status).toBe(400);
      expect((await t.http.get('/project/issues/backlog?offset=0x1')).status).toBe(400);
    });
  });
}
