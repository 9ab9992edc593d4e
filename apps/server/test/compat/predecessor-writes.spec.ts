import { sql } from 'kysely';
import { testDialects } from '@autopack/db/testing';
import { expectEnvelope, makePlan, startTestApp, type TestApp } from '../support/test-app';
import { cancelOpenRuns, claim, eventsOf, EXECUTOR, leased, OPERATOR, phaseOf, VIEWER } from '../support/work';

/*
 * The predecessor's clients (its executor's API client, its scripts) call the canonical write
 * endpoints with its own bodies, with an operator key and no lease. Bodies here are written from
 * its schemas (PhaseStatusUpdate, BuilderResult, AuditorResult, record_issue's query parameters,
 * the approval request payload, governance approve's ?approved=), not copied.
 */

/** A phase the operator drives by hand, as the predecessor's executor did: EXECUTING, no lease. */
async function startDriven(t: TestApp, runId: string, perTier = 1) {
  await t.http.post('/runs/start').set(OPERATOR).send(makePlan(runId, { perTier })).expect(201);
  await status(t, runId, 't0-p0', { state: 'EXECUTING' }).expect(200);
}

function status(t: TestApp, runId: string, phaseId: string, body: object) {
  return t.http.post(`/runs/${runId}/phases/${phaseId}/update_status`).set(OPERATOR).send(body);
}

async function usageRows(t: TestApp, runId: string) {
  const rows = await sql<{ role: string; total_tokens: number }>`select role, total_tokens from llm_usage_events where run_id = ${runId} order by id`.execute(t.database.db);
  return rows.rows.map((r) => [r.role, Number(r.total_tokens)]);
}

for (const dialect of testDialects()) {
  describe(`predecessor write bodies on ${dialect.name}`, () => {
    let t: TestApp;
    beforeAll(async () => {
      t = await startTestApp(dialect);
    });
    afterEach(() => cancelOpenRuns(t));
    afterAll(() => t.database.close());

    describe('update_status', () => {
      it("accepts PhaseStatusUpdate: records only the token increase, compares issue counts, keeps quality in the event", async () => {
        await startDriven(t, 'pw-status');
        await t.http
          .post('/runs/pw-status/phases/t0-p0/record_issue')
          .set(OPERATOR)
          .send({ issue_key: 'lint', severity: 'minor', source: 'test', category: 'style' })
          .expect(201);
        const res = await status(t, 'pw-status', 't0-p0', {
          state: 'GATE',
          builder_attempts: 2,
          tokens_used: 4000,
          minor_issues_count: 1,
          major_issues_count: 0,
          quality_level: 'needs_review',
          quality_blocked: false,
        });
        expect(res.status).toBe(200);
        expect(res.body).toMatchObject({
          message: 'Phase t0-p0 updated to state GATE',
          phase: { phase_id: 't0-p0', state: 'GATE', tokens_used: 4000 },
          predecessor_fields: {
            tokens_recorded: 4000,
            recorded_issue_counts: { minor: 1, major: 0 },
            issue_counts_match: true,
            ignored: ['builder_attempts', 'quality_level', 'quality_blocked'],
          },
        });

        // The same cumulative total again, or a smaller one, records nothing; a larger one records the difference.
        const again = await status(t, 'pw-status', 't0-p0', { state: 'CI_RUNNING', tokens_used: 4000, major_issues_count: 3 });
        expect(again.body.predecessor_fields).toEqual({
          tokens_recorded: 0,
          recorded_issue_counts: { minor: 1, major: 0 },
          issue_counts_match: false,
          ignored: [],
        });
        await status(t, 'pw-status', 't0-p0', { state: 'GATE', tokens_used: 3000 }).expect(200);
        const more = await status(t, 'pw-status', 't0-p0', { state: 'COMPLETE', tokens_used: 4500 });
        expect(more.body).toMatchObject({ predecessor_fields: { tokens_recorded: 500 }, run: { state: 'DONE_SUCCESS' } });
        expect(await usageRows(t, 'pw-status')).toEqual([
          ['reported_total', 4000],
          ['reported_total', 500],
        ]);
        expect((await t.http.get('/runs/pw-status')).body.tokens_used).toBe(4500);

        const changed = (await eventsOf(t, 'pw-status')).find((e) => e.type === 'phase_state_changed' && e.payload['to'] === 'GATE');
        expect(changed?.payload).toMatchObject({ operator_action: true, reported_quality: { quality_level: 'needs_review', quality_blocked: false } });
      });

      it('counts a reported token total before the change it comes with: over token_cap the run ends there and the change is not applied', async () => {
        const plan = makePlan('pw-cap', { perTier: 2 });
        plan.run.token_cap = 1000;
        await t.http.post('/runs/start').set(OPERATOR).send(plan).expect(201);
        await status(t, 'pw-cap', 't0-p0', { state: 'EXECUTING' }).expect(200);
        const res = await status(t, 'pw-cap', 't0-p0', { state: 'COMPLETE', tokens_used: 1500 });
        expect(res.status).toBe(200);
        expect(res.body).toMatchObject({
          phase: { state: 'FAILED', failure_reason: 'budget', tokens_used: 1500 },
          run: { state: 'DONE_FAILED_BUDGET_EXHAUSTED' },
          message: expect.stringMatching(/token budget exhausted.*COMPLETE was not applied/),
          predecessor_fields: { tokens_recorded: 1500 },
        });
        expect((await t.http.get('/runs/pw-cap')).body).toMatchObject({ state: 'DONE_FAILED_BUDGET_EXHAUSTED', tokens_used: 1500 });
        expect((await t.http.get('/runs/pw-cap')).body.phases.map((p: { state: string }) => p.state)).toEqual(['FAILED', 'CANCELLED']);
      });

      it('refuses a token total beyond what one phase can use with 400, recording nothing', async () => {
        await startDriven(t, 'pw-huge');
        const res = await status(t, 'pw-huge', 't0-p0', { state: 'GATE', tokens_used: 3_000_000_000 });
        expect(res.status).toBe(400);
        expect(res.body.error.details).toEqual([expect.objectContaining({ path: 'body.tokens_used' })]);
        expect(await usageRows(t, 'pw-huge')).toEqual([]);
      });

      it('treats null predecessor fields as not sent and answers without predecessor_fields for our own bodies', async () => {
        await startDriven(t, 'pw-null');
        const res = await status(t, 'pw-null', 't0-p0', { state: 'GATE', tokens_used: null, builder_attempts: null, quality_level: null });
        expect(res.status).toBe(200);
        expect(res.body.predecessor_fields).toBeUndefined();
        expect(res.body.message).toBe('Phase t0-p0 updated to state GATE');
      });

      it('still refuses what its schema does not have, an unknown quality level, and illegal transitions (nothing recorded)', async () => {
        await startDriven(t, 'pw-strict');
        const unknown = await status(t, 'pw-strict', 't0-p0', { state: 'GATE', phase_summary: 'x' });
        expect(unknown.status).toBe(400);
        expect(unknown.body.error.details).toEqual([expect.objectContaining({ path: 'body.phase_summary' })]);
        const quality = await status(t, 'pw-strict', 't0-p0', { state: 'GATE', quality_level: 'great' });
        expect(quality.status).toBe(400);
        expect(quality.body.error.details[0].path).toBe('body.quality_level');

        const illegal = await status(t, 'pw-strict', 't0-p0', { state: 'QUEUED', tokens_used: 900 });
        expect(illegal.status).toBe(200); // EXECUTING → QUEUED is legal (an operator hands the phase back)
        const refused = await status(t, 'pw-strict', 't0-p0', { state: 'COMPLETE', tokens_used: 1900 });
        expect(refused.status).toBe(409);
        expectEnvelope(refused.body, 'illegal_transition');
        expect(await usageRows(t, 'pw-strict')).toEqual([['reported_total', 900]]);
      });

      it("fails a phase on an operator's FAILED without failure_reason (reason operator, final); an executor must give one", async () => {
        await t.http.post('/runs/start').set(OPERATOR).send(makePlan('pw-fail', { maxAttempts: 3 })).expect(201);
        const c = await claim(t);
        const bare = await leased(t, c, 'update_status', { state: 'FAILED' });
        expect(bare.status).toBe(400);
        expect(bare.body.error.details).toEqual([expect.objectContaining({ path: 'body.failure_reason' })]);
        expect((await phaseOf(t, 'pw-fail', 't0-p0')).state).toBe('EXECUTING');

        const byOperator = await status(t, 'pw-fail', 't0-p0', { state: 'FAILED' });
        expect(byOperator.status).toBe(200);
        expect(byOperator.body).toMatchObject({
          message: 'Phase t0-p0 updated to state FAILED',
          phase: { state: 'FAILED', failure_reason: 'operator' },
          run: { state: 'DONE_FAILED_REQUIRES_HUMAN_REVIEW' },
        });
      });
    });

    describe('builder_result and auditor_result', () => {
      it("stores the predecessor's BuilderResult whole, with run_type, allowed_paths, builder_attempts, probes and suggested issues", async () => {
        await startDriven(t, 'pw-builder');
        const body = {
          phase_id: 't0-p0',
          run_id: 'pw-builder',
          run_type: 'project_build',
          allowed_paths: ['src/'],
          patch_content: 'diff --git a/src/a.py b/src/a.py\n',
          files_changed: ['src/a.py'],
          lines_added: 4,
          lines_removed: 0,
          builder_attempts: 1,
          tokens_used: 700,
          duration_minutes: 1.5,
          probe_results: [{ probe_type: 'pytest', exit_code: 0, stdout: '3 passed', stderr: '', duration_seconds: 2.1 }],
          suggested_issues: [
            { issue_key: 'missing_test', severity: 'minor', source: 'cursor_self_doubt', category: 'test_gap', evidence_refs: ['src/a.py'], description: 'no test' },
          ],
          status: 'success',
          notes: '',
        };
        const res = await t.http.post('/runs/pw-builder/phases/t0-p0/builder_result').set(OPERATOR).send(body);
        expect(res.status).toBe(201);
        const stored = await sql<{ body: unknown }>`select body from builder_results where id = ${res.body.id}`.execute(t.database.db);
        expect(stored.rows[0]!.body).toEqual(body);
        // Suggested issues are stored, not counted: record_issue counts issues.
        expect((await t.http.get('/runs/pw-builder')).body).toMatchObject({ tokens_used: 700, minor_issues_count: 0 });
        // The server applies nothing and moves nothing: the phase stays where its driver put it.
        expect((await phaseOf(t, 'pw-builder', 't0-p0')).state).toBe('EXECUTING');
      });

      it('takes auditor_attempts, suggested patches as objects or text, and defaults confidence to medium', async () => {
        await startDriven(t, 'pw-auditor');
        const res = await t.http
          .post('/runs/pw-auditor/phases/t0-p0/auditor_result')
          .set(OPERATOR)
          .send({
            phase_id: 't0-p0',
            run_id: 'pw-auditor',
            review_notes: 'one nit',
            issues_found: [{ issue_key: 'nit', severity: 'minor', source: 'auditor', category: 'style', evidence_refs: [], description: '' }],
            suggested_patches: [{ description: 'rename', patch_content: 'diff --git a/a b/a\n', files_affected: ['a'] }, 'diff --git a/b b/b\n'],
            auditor_attempts: 1,
            tokens_used: 50,
            recommendation: 'approve',
          });
        expect(res.status).toBe(201);
        const stored = await sql<{ confidence: string; body: { suggested_patches: unknown[]; confidence: string } }>`select confidence, body from auditor_results where id = ${res.body.id}`.execute(t.database.db);
        expect(stored.rows[0]!.confidence).toBe('medium');
        expect(stored.rows[0]!.body.suggested_patches).toHaveLength(2);
        const bad = await t.http
          .post('/runs/pw-auditor/phases/t0-p0/auditor_result')
          .set(OPERATOR)
          .send({ phase_id: 't0-p0', run_id: 'pw-auditor', review_notes: '', recommendation: 'approve', suggested_patches: [{ description: 'no patch' }] });
        expect(bad.status).toBe(400);
      });
    });

    describe('record_issue', () => {
      it('takes its fields as query parameters without a body, repeated evidence_refs as a list', async () => {
        await startDriven(t, 'pw-issue');
        const url =
          '/runs/pw-issue/phases/t0-p0/record_issue?issue_key=test_failure__missing_assert&severity=minor&source=test&category=test_failure' +
          '&task_category=feature_scaffolding&complexity=low&evidence_refs=tests/test_foo.py::test_bar&evidence_refs=tests/test_foo.py::test_baz';
        const res = await t.http.post(url).set(OPERATOR);
        expect(res.status).toBe(201);
        expect(res.body).toMatchObject({
          created: true,
          issue: { issue_key: 'test_failure__missing_assert', severity: 'minor', evidence_refs: ['tests/test_foo.py::test_bar', 'tests/test_foo.py::test_baz'] },
        });
        // Python's requests: Content-Type application/json with an empty body; one evidence ref.
        const again = await t.http
          .post('/runs/pw-issue/phases/t0-p0/record_issue?issue_key=schema_drift&severity=major&source=static_check&category=schema&evidence_refs=db.py')
          .set(OPERATOR)
          .set('Content-Type', 'application/json')
          .send('');
        expect(again.status).toBe(201);
        expect(again.body.issue.evidence_refs).toEqual(['db.py']);
        expect((await t.http.get('/runs/pw-issue')).body).toMatchObject({ minor_issues_count: 1, major_issues_count: 1 });
      });

      it('refuses query parameters together with a body, bad query values by name, and neither', async () => {
        await startDriven(t, 'pw-issue-bad');
        const both = await t.http
          .post('/runs/pw-issue-bad/phases/t0-p0/record_issue?issue_key=a')
          .set(OPERATOR)
          .send({ issue_key: 'a', severity: 'minor', source: 's', category: 'c' });
        expect(both.status).toBe(400);
        expect(both.body.error.details).toEqual([{ path: 'query', message: expect.stringContaining('not both') }]);
        const badSeverity = await t.http.post('/runs/pw-issue-bad/phases/t0-p0/record_issue?issue_key=a&severity=critical&source=s&category=c').set(OPERATOR);
        expect(badSeverity.status).toBe(400);
        expect(badSeverity.body.error.details.map((d: { path: string }) => d.path)).toEqual(['query.severity']);
        const unknown = await t.http.post('/runs/pw-issue-bad/phases/t0-p0/record_issue?issue_key=a&severity=minor&source=s&category=c&colour=red').set(OPERATOR);
        expect(unknown.status).toBe(400);
        expect(unknown.body.error.details.map((d: { path: string }) => d.path)).toEqual(['query.colour']);
        const neither = await t.http.post('/runs/pw-issue-bad/phases/t0-p0/record_issue').set(OPERATOR);
        expect(neither.status).toBe(400);
        expectEnvelope(neither.body, 'validation_failed');
      });

      it('fences the query form like the body form: an executor without its lease writes nothing', async () => {
        await t.http.post('/runs/start').set(OPERATOR).send(makePlan('pw-issue-fence')).expect(201);
        const c = await claim(t);
        const query = '?issue_key=k&severity=major&source=s&category=c';
        const bare = await t.http.post(`/runs/pw-issue-fence/phases/t0-p0/record_issue${query}`).set(EXECUTOR);
        expect(bare.status).toBe(409);
        expectEnvelope(bare.body, 'lease_required');
        const fenced = await t.http.post(`/runs/pw-issue-fence/phases/t0-p0/record_issue${query}`).set(EXECUTOR).set('X-Lease-Token', c.lease_token);
        expect(fenced.status).toBe(201);
      });
    });

    describe('approvals', () => {
      const predecessorApproval = (runId: string) => ({
        phase_id: 't0-p0',
        run_id: runId,
        context: 'build113_risky_decision',
        decision_info: { type: 'risky', risk_level: 'high', confidence: '70%', rationale: 'drops a public function', files_modified: ['src/a.py'], files_count: 1 },
        patch_preview: 'diff --git a/src/a.py b/src/a.py\n...',
      });

      it("files the predecessor's approval request and answers in both vocabularies; pending and status carry its fields", async () => {
        await startDriven(t, 'pw-appr');
        const filed = await t.http.post('/approval/request').set(OPERATOR).send(predecessorApproval('pw-appr'));
        expect(filed.status).toBe(201);
        const id = filed.body.request.request_id as string;
        expect(filed.body).toMatchObject({
          status: 'pending',
          approval_id: id,
          reason: expect.stringContaining('timeout policy will reject'),
          telegram_sent: false,
          timeout_at: filed.body.request.expires_at,
          phase_state: 'BLOCKED',
          request: {
            kind: 'other',
            justification: 'approval requested (context: build113_risky_decision): drops a public function',
            details: { context: 'build113_risky_decision', decision_info: expect.objectContaining({ risk_level: 'high' }), deletion_info: null, patch_preview: expect.any(String) },
          },
        });

        const pending = (await t.http.get('/approval/pending').set(VIEWER)).body;
        expect(pending.count).toBe(1);
        expect(pending.requests[0]).toMatchObject({
          id,
          request_id: id,
          run_id: 'pw-appr',
          phase_id: 't0-p0',
          context: 'build113_risky_decision',
          requested_at: filed.body.request.created_at,
          timeout_at: filed.body.request.expires_at,
          decision_info: { rationale: 'drops a public function' },
          deletion_info: null,
          telegram_sent: false,
        });

        const before = (await t.http.get(`/approval/status/${id}`).set(VIEWER)).body;
        expect(before).toMatchObject({ approval_id: id, status: 'pending', responded_at: null, approval_reason: null, rejected_reason: null, response_method: null });
        await t.http.post(`/approval/${id}/decide`).set(OPERATOR).send({ approved: true, reason: 'looked at it' }).expect(200);
        const after = (await t.http.get(`/approval/status/${id}`).set(VIEWER)).body;
        expect(after).toMatchObject({ status: 'approved', approval_reason: 'looked at it', rejected_reason: null, response_method: 'api', responded_at: after.decided_at });
      });

      it('maps deletion_info to a quality gate request; a timed-out request says so in response_method, with the decision in status', async () => {
        await startDriven(t, 'pw-appr-gate');
        const deletion = { net_deletion: 120, loc_removed: 130, loc_added: 10, files: ['src/big.py'], risk_level: 'high', risk_score: 80 };
        const filed = await t.http.post('/approval/request').set(OPERATOR).send({ phase_id: 't0-p0', run_id: 'pw-appr-gate', context: 'general', deletion_info: deletion });
        expect(filed.status).toBe(201);
        expect(filed.body.request).toMatchObject({ kind: 'quality_gate', details: { context: 'general', deletion_info: deletion, decision_info: null } });
        expect((await t.http.get('/approval/pending')).body.requests[0]).toMatchObject({ context: 'general', deletion_info: deletion });
        t.clock.advance(16 * 60_000);
        await t.reaper.sweep();
        const status = (await t.http.get(`/approval/status/${filed.body.approval_id}`)).body;
        expect(status).toMatchObject({ status: 'rejected', response_method: 'timeout', rejected_reason: expect.stringContaining('timeout policy rejects') });
      });

      it('keeps the lease rule (an executor key without a lease is 409) and refuses a mix of both vocabularies', async () => {
        await t.http.post('/runs/start').set(OPERATOR).send(makePlan('pw-appr-lease')).expect(201);
        const c = await claim(t);
        const bare = await t.http.post('/approval/request').set(EXECUTOR).send(predecessorApproval('pw-appr-lease'));
        expect(bare.status).toBe(409);
        expectEnvelope(bare.body, 'lease_required');
        const mixed = await t.http
          .post('/approval/request')
          .set(EXECUTOR)
          .set('X-Lease-Token', c.lease_token)
          .send({ ...predecessorApproval('pw-appr-lease'), kind: 'other', summary: 'x' });
        expect(mixed.status).toBe(400);
        expect(mixed.body.error.details.map((d: { path: string }) => d.path)).toEqual(['body.context', 'body.decision_info', 'body.patch_preview']);
        const leasedFiling = await t.http.post('/approval/request').set(EXECUTOR).set('X-Lease-Token', c.lease_token).send(predecessorApproval('pw-appr-lease'));
        expect(leasedFiling.status).toBe(201);
        expect(leasedFiling.body.status).toBe('pending');
      });
    });

    describe('governance', () => {
      async function fileGovernance(runId: string) {
        await startDriven(t, runId);
        const filed = await t.http
          .post('/governance/requests')
          .set(OPERATOR)
          .send({ run_id: runId, phase_id: 't0-p0', requested_paths: ['.github/workflows/ci.yml'], justification: 'ci change' });
        expect(filed.status).toBe(201);
        return filed.body.request.request_id as string;
      }

      it("lists pending requests under both keys with the predecessor's fields and count", async () => {
        const id = await fileGovernance('pw-gov-list');
        const res = await t.http.get('/governance/pending').set(VIEWER);
        expect(res.status).toBe(200);
        expect(res.body.count).toBe(1);
        expect(res.body.pending_requests).toEqual(res.body.requests);
        expect(res.body.pending_requests[0]).toMatchObject({
          request_id: id,
          run_id: 'pw-gov-list',
          phase_id: 't0-p0',
          requested_paths: ['.github/workflows/ci.yml'],
          justification: 'ci change',
          risk_level: 'critical',
          auto_approved: false,
          approved: null,
          approved_by: null,
          created_at: expect.any(String),
        });
      });

      it('decides with ?approved=false and no body, answers status/request_id/message, and refuses a second decision', async () => {
        const id = await fileGovernance('pw-gov-deny');
        const denied = await t.http.post(`/governance/approve/${id}?approved=false`).set(OPERATOR);
        expect(denied.status).toBe(200);
        expect(denied.body).toMatchObject({
          status: 'denied',
          request_id: id,
          message: 'Governance request denied',
          request: { status: 'rejected', decided_by: 'ops', decision_reason: 'denied without a reason (POST /governance/approve)' },
          phase: { state: 'FAILED', failure_reason: 'policy_rejected' },
          run: { state: 'DONE_FAILED_POLICY_VIOLATION' },
        });
        const again = await t.http.post(`/governance/approve/${id}?approved=true`).set(OPERATOR);
        expect(again.status).toBe(409);
        expectEnvelope(again.body, 'already_decided');
      });

      it('takes True/1 and a reason in the query, and our JSON body; refuses viewers, bad values and query plus body', async () => {
        const id = await fileGovernance('pw-gov-ok');
        const viewer = await t.http.post(`/governance/approve/${id}?approved=true`).set(VIEWER);
        expect(viewer.status).toBe(403);
        const maybe = await t.http.post(`/governance/approve/${id}?approved=maybe`).set(OPERATOR);
        expect(maybe.status).toBe(400);
        expect(maybe.body.error.details.map((d: { path: string }) => d.path)).toEqual(['query.approved']);
        const both = await t.http.post(`/governance/approve/${id}?approved=true`).set(OPERATOR).send({ reason: 'x' });
        expect(both.status).toBe(400);
        // The predecessor approved when given nothing (its default); a decision here is explicit.
        const implicit = await t.http.post(`/governance/approve/${id}`).set(OPERATOR);
        expect(implicit.status).toBe(400);
        expect(implicit.body.detail).toMatch(/JSON object body .* or as query parameters/);
        const approved = await t.http.post(`/governance/approve/${id}?approved=True&reason=reviewed%20by%20ops`).set(OPERATOR);
        expect(approved.status).toBe(200);
        expect(approved.body).toMatchObject({ status: 'approved', message: 'Governance request approved', request: { decision_reason: 'reviewed by ops' }, phase: { state: 'QUEUED' } });

        const second = await fileGovernance('pw-gov-body');
        const viaBody = await t.http.post(`/governance/approve/${second}`).set(OPERATOR).send({ approved: true, reason: 'fine' });
        expect(viaBody.status).toBe(200);
        expect(viaBody.body).toMatchObject({ status: 'approved', request_id: second });
        const one = await fileGovernance('pw-gov-one');
        expect((await t.http.post(`/governance/approve/${one}?approved=1`).set(OPERATOR)).body.status).toBe('approved');
      });
    });
  });
}
