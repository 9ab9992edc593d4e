import { sql } from 'kysely';
import { routes, toExpressPath, type Role, type RouteId } from '@autopack/contracts';
import { testDialects } from '@autopack/db/testing';
import { AutopackClient, AutopackHttpError, type Lease } from '@autopack/executor-client';
import { startServer, type RunningServer } from './support/server';

/** Which operation each request was, from its method and path: to prove every route was exercised. */
const operations = (Object.entries(routes) as [RouteId, { method: string; path: string }][]).map(([id, r]) => ({
  id,
  method: r.method.toUpperCase(),
  pattern: new RegExp(`^${toExpressPath(r.path).replace(/:[a-z_]+/g, '[^/]+')}$`),
}));
const operationOf = (method: string, url: string) => {
  const path = new URL(url).pathname;
  return operations.find((o) => o.method === method && o.pattern.test(path))?.id;
};

function recordingFetch(seen: Set<string>): typeof fetch {
  return (async (input: string | URL | Request, init?: RequestInit) => {
    const id = operationOf(String(init?.method ?? 'GET'), String(input));
    if (id) seen.add(id);
    return fetch(input, init);
  }) as typeof fetch;
}

const plan = (runId: string, phases: number) => ({
  run: { run_id: runId, repo: { url: 'https://example.com/repo.git', base_ref: 'main' }, on_phase_failure: 'continue' as const },
  tiers: [{ tier_id: 't0', tier_index: 0, name: 'Only' }],
  phases: Array.from({ length: phases }, (_, i) => ({ phase_id: `t0-p${i}`, tier_id: 't0', phase_index: i, name: `Phase ${i}`, max_attempts: 2 })),
});

for (const dialect of testDialects()) {
  describe(`@autopack/executor-client against the server on ${dialect.name}`, () => {
    let server: RunningServer;
    const seen = new Set<string>();
    const client = (role: string, extra: Partial<ConstructorParameters<typeof AutopackClient>[0]> = {}) =>
      new AutopackClient({
        baseUrl: server.url,
        apiKey: server.keys[role as Role],
        fetch: recordingFetch(seen),
        retry: { baseDelayMs: 1, maxDelayMs: 10 },
        ...extra,
      });
    beforeAll(async () => {
      server = await startServer(dialect);
    });
    afterAll(() => server.stop());

    it('speaks every executor and operator route of the contract, typed and validated', async () => {
      const ops = client('operator');
      const exec = client('executor');
      const viewer = client('viewer');

      expect((await viewer.getHealth()).status).toBe(200);
      expect((await viewer.getReady()).body.ready).toBe(true);
      expect((await viewer.getOpenApi())['openapi']).toBe('3.1.0');
      expect(new TextDecoder().decode((await viewer.call('getApiDocs', {})).body)).toContain('<redoc spec-url="/openapi.json">');
      expect((await viewer.call('getApiDocsScript', {})).body.byteLength).toBeGreaterThan(100_000);

      const created = await ops.startRun(plan('ic-1', 3));
      expect(created.state).toBe('RUN_CREATED');
      expect((await viewer.listRuns({ limit: 5 })).runs.map((r) => r.run_id)).toEqual(['ic-1']);
      expect((await viewer.getRun('ic-1')).phases).toHaveLength(3);
      expect((await viewer.getRunProgress('ic-1')).percent_complete).toBe(0);
      // A predecessor plan file without a repository: externally driven, never claimed below.
      const imported = await ops.importRun({ run_id: 'ic-import', goal: 'import one', phases: [{ phase_id: 'only', goal: 'do it' }] });
      expect([imported.repo, imported.phases[0]!.scope.goal, imported.mapping.length > 0]).toEqual([null, 'do it', true]);

      // Attempt 1: work, report, then ask governance for a protected path.
      const first = (await exec.claim({ executor_id: 'host-1:w1' }))!;
      expect([first.runId, first.phaseId, first.attempt]).toEqual(['ic-1', 't0-p0', 1]);
      expect(first.claim.run.repo).toEqual({ url: 'https://example.com/repo.git', base_ref: 'main' });
      expect((await first.heartbeat({ stage: 'build', progress: 10 })).cancel_requested).toBe(false);
      expect((await first.builderResult({ status: 'success', patch_content: 'diff', tokens_used: 7 })).attempt).toBe(1);
      expect((await first.auditorResult({ recommendation: 'approve', confidence: 'high' })).attempt).toBe(1);
      expect((await first.recordIssue({ issue_key: 'lint', severity: 'minor', source: 'auditor', category: 'style' })).created).toBe(true);
      expect((await first.recordUsage({ provider: 'openai', model: 'gpt', role: 'builder', prompt_tokens: 3, completion_tokens: 2 })).run_tokens_used).toBe(12);
      const bytes = new Uint8Array([0, 1, 2, 250, 255]);
      const stored = await first.uploadArtifact({ kind: 'other', path: 'bytes.bin', content: Buffer.from(bytes).toString('base64'), encoding: 'base64' });
      expect(stored.artifact.path).toBe('t0-p0/1/bytes.bin');
      const governance = await first.requestGovernance({ requested_paths: ['.github/workflows/ci.yml'], justification: 'CI needs a step' });
      expect(governance.phase_state).toBe('BLOCKED');
      const pendingGov = await ops.listGovernancePending();
      expect(pendingGov.requests.map((r) => r.request_id)).toEqual([governance.request.request_id]);
      expect(pendingGov).toMatchObject({ count: 1, pending_requests: pendingGov.requests });
      const approvedGov = await ops.decideGovernance(governance.request.request_id, { approved: true });
      expect(approvedGov).toMatchObject({ status: 'approved', message: 'Governance request approved', phase: { state: 'QUEUED' } });

      // Attempt 2: granted the path; asks for a mass deletion.
      const second = (await exec.claim({ executor_id: 'host-1:w1' }))!;
      expect(second.claim.phase.grants).toEqual(['.github/workflows/ci.yml']);
      expect(second.claim.prior_attempts.map((a) => a.outcome)).toEqual(['blocked']);
      const approval = await second.requestApproval({ kind: 'mass_deletion', summary: 'drop legacy/' });
      expect(approval).toMatchObject({ status: 'pending', approval_id: approval.request.request_id, telegram_sent: false });
      const pendingApprovals = await ops.listApprovalPending();
      expect(pendingApprovals.requests).toHaveLength(1);
      expect(pendingApprovals).toMatchObject({ count: 1, requests: [{ id: approval.approval_id, context: 'mass_deletion' }] });
      expect(await viewer.getApprovalStatus(approval.request.request_id)).toMatchObject({ status: 'pending', approval_id: approval.approval_id, response_method: null });
      expect((await ops.decideApproval(approval.request.request_id, { approved: true, reason: 'ok' })).request.status).toBe('approved');

      // Attempt 3 completes the phase.
      const third = (await exec.claim({ executor_id: 'host-1:w1' }))!;
      expect(third.claim.phase.approvals).toEqual(['mass_deletion']);
      await third.uploadArtifact({ kind: 'patch', path: 'accepted.patch', content: 'diff --git a/x b/x\n' });
      expect((await third.updateStatus({ state: 'COMPLETE' })).phase.state).toBe('COMPLETE');
      const index = await viewer.getArtifactIndex('ic-1');
      expect(index.artifacts.map((a) => a.path)).toEqual(['t0-p0/1/bytes.bin', 't0-p0/3/accepted.patch']);
      expect(await viewer.getArtifactFile('ic-1', { path: 't0-p0/1/bytes.bin' })).toEqual(bytes);

      // Next phase: released, then skipped by an operator.
      const fourth = (await exec.claim({ executor_id: 'host-2:w1' }))!;
      expect(fourth.claim.completed_phases[0]!.patch_artifact_ids).toEqual([index.artifacts[1]!.artifact_id]);
      expect((await fourth.release('shutting down')).released).toBe(true);
      expect((await ops.skipPhase('ic-1', 't0-p1', { reason: 'not needed' })).phase.state).toBe('SKIPPED');

      // Last phase: fails twice (attempts exhausted), an operator retries and finishes it by hand.
      const fifth = (await exec.claim({ executor_id: 'host-2:w1' }))!;
      expect((await fifth.updateStatus({ state: 'FAILED', failure_reason: 'ci_fail' })).phase.state).toBe('QUEUED');
      const sixth = (await exec.claim({ executor_id: 'host-2:w1' }))!;
      expect((await sixth.updateStatus({ state: 'FAILED', failure_reason: 'ci_fail' })).run.state).toBe('DONE_FAILED_REQUIRES_HUMAN_REVIEW');
      expect((await ops.retryPhase('ic-1', 't0-p2', { reason: 'flaky' })).run.state).toBe('PHASE_EXECUTION');
      await ops.updatePhaseStatus('ic-1', 't0-p2', { state: 'EXECUTING' });
      expect((await ops.updatePhaseStatus('ic-1', 't0-p2', { state: 'COMPLETE' })).run.state).toBe('DONE_SUCCESS');
      // Outside a lease an operator may also report results and usage.
      await ops.recordBuilderResult({ run_id: 'ic-1', phase_id: 't0-p2', status: 'success' });
      await ops.recordAuditorResult({ run_id: 'ic-1', phase_id: 't0-p2', recommendation: 'approve', confidence: 'low' });
      await ops.recordIssue('ic-1', 't0-p2', { issue_key: 'late', severity: 'major', source: 'ops', category: 'review' });
      await ops.recordUsage('ic-1', { provider: 'p', model: 'm', role: 'auditor', prompt_tokens: 1, completion_tokens: 1 });
      await ops.uploadArtifact('ic-1', 't0-p2', { kind: 'log', path: 'ops.log', content: 'manual' });
      await ops.createGovernanceRequest({ run_id: 'ic-1', phase_id: 't0-p2', requested_paths: ['docs/a.md'], justification: 'x' }).catch((err: unknown) => {
        expect(err).toMatchObject({ status: 409, code: 'illegal_transition' });
      });
      await ops.createApprovalRequest({ run_id: 'ic-1', phase_id: 't0-p2', kind: 'other', summary: 'x' }).catch((err: unknown) => {
        expect(err).toMatchObject({ status: 409, code: 'illegal_transition' });
      });

      // The predecessor's reads: issue index, failures, phases.
      expect(Object.keys((await viewer.getRunIssueIndex('ic-1')).issues_by_key).sort()).toEqual(['late', 'lint']);
      const failures = await viewer.listRunErrors('ic-1');
      expect(failures.errors.map((e) => e.error_type)).toEqual(['ci_fail', 'ci_fail', 'DONE_FAILED_REQUIRES_HUMAN_REVIEW']);
      expect((await viewer.getRunErrorSummary('ic-1')).error_count).toBe(3);
      expect((await viewer.listPhases({ run_id: 'ic-1', page_size: 2 })).has_next).toBe(true);
      const events = await viewer.listRunEvents('ic-1', { limit: 500 });
      expect(events.events.at(-1)?.type).toBe('artifact_stored');
      expect((await viewer.getIssueBacklog()).issues.map((i) => i.issue_key).sort()).toEqual(['late', 'lint']);

      expect((await ops.pauseExecution({ reason: 'deploy' })).paused).toBe(true);
      expect((await viewer.getExecutionStatus()).paused).toBe(true);
      expect((await ops.resumeExecution()).paused).toBe(false);
      await ops.startRun(plan('ic-2', 1));
      expect((await ops.cancelRun('ic-2', { reason: 'not today' })).state).toBe('CANCELLED');

      // Authentication: an admin makes a user and a key; the user logs in; the key is revoked.
      const admin = client('admin');
      await admin.createUser({ username: 'ic-user', email: 'ic-user@example.com', password: 'ic-user-password', role: 'viewer' });
      await expect(admin.register({ username: 'ic-self', email: 'ic-self@example.com', password: 'ic-self-password' })).rejects.toMatchObject({ status: 403, code: 'registration_closed' });
      const { access_token } = await admin.login({ username: 'IC-User@example.com', password: 'ic-user-password' });
      expect(await client('viewer', { apiKey: undefined, bearerToken: access_token }).getMe()).toMatchObject({ kind: 'user', username: 'ic-user', email: 'ic-user@example.com' });
      expect((await admin.getJwks()).keys.length).toBeGreaterThan(0);
      expect(await admin.getKeyStatus()).toMatchObject({ keys_loaded: true, source: 'generated' });
      const made = await admin.createApiKey({ name: 'ic-exec', description: 'integration test', role: 'executor' });
      expect((await admin.listApiKeys()).map((k) => k.id)).toContain(made.id);
      expect((await admin.revokeApiKey(made.id)).revoked_at).not.toBeNull();
      await expect(client('executor', { apiKey: made.key }).getMe()).rejects.toMatchObject({ status: 401, code: 'unauthenticated' });
      expect((await admin.rotateSigningKey()).kid).toEqual(expect.any(String));

      const missing = Object.keys(routes).filter((id) => !seen.has(id));
      expect(missing).toEqual([]);
    });

    it('does not retry a 409 and reports its code; a stale lease writes nothing', async () => {
      const ops = client('operator');
      const exec = client('executor');
      await ops.startRun(plan('ic-409', 1));
      const lease = (await exec.claim({ executor_id: 'w' }))!;
      await ops.updatePhaseStatus('ic-409', 't0-p0', { state: 'CANCELLED' });
      const err = await lease.builderResult({ status: 'success' }).catch((e: unknown) => e);
      expect(err).toBeInstanceOf(AutopackHttpError);
      expect(err).toMatchObject({ status: 409, code: 'lease_lost', attempts: 1, operationId: 'recordBuilderResult' });
      expect((err as AutopackHttpError).correlationId).toEqual(expect.any(String));
      expect((await lease.heartbeat()).cancel_requested).toBe(true);
    });

    it('retries a 503 with the same Idempotency-Key: the server answers the first result, stored once', async () => {
      const ops = client('operator');
      await ops.startRun(plan('ic-503', 1));
      const sent: { key: string | null; replayed: string | null; status: number }[] = [];
      let failNext = true;
      // A proxy that loses the first answer: the request reached the server, the client sees 503.
      const flaky = (async (input: string | URL | Request, init?: RequestInit) => {
        const res = await fetch(input, init);
        const headers = new Headers(init?.headers as Record<string, string>);
        if (String(input).endsWith('/builder_result')) {
          sent.push({ key: headers.get('idempotency-key'), replayed: res.headers.get('idempotent-replayed'), status: res.status });
          if (failNext) {
            failNext = false;
            await res.arrayBuffer();
            return new Response('{"error":"upstream"}', { status: 503, headers: { 'retry-after': '0' } });
          }
        }
        return res;
      }) as typeof fetch;
      const exec = client('executor', { fetch: flaky });
      const lease: Lease = (await exec.claim({ executor_id: 'w' }))!;
      const receipt = await lease.builderResult({ status: 'success', tokens_used: 3 });
      expect(sent).toHaveLength(2);
      expect(sent[0]!.key).toBe(sent[1]!.key);
      expect(sent.map((s) => [s.status, s.replayed])).toEqual([
        [201, null],
        [201, 'true'],
      ]);
      const rows = await sql<{ id: string }>`select id from builder_results where run_id = 'ic-503'`.execute(server.database.db);
      expect(rows.rows.map((r) => Number(r.id))).toEqual([receipt.id]);
      await lease.updateStatus({ state: 'COMPLETE' });
    });

    it('aborts a long-polling claim through its AbortSignal', async () => {
      const exec = client('executor');
      const controller = new AbortController();
      const started = Date.now();
      const pending = exec.claim({ executor_id: 'w', wait_seconds: 20 }, { signal: controller.signal });
      setTimeout(() => controller.abort(new Error('executor stopping')), 200);
      await expect(pending).rejects.toThrow('executor stopping');
      expect(Date.now() - started).toBeLessThan(3000);
    });

    it('keeps a lease alive in the background and reports a cancellation', async () => {
      const ops = client('operator');
      const exec = client('executor');
      await ops.startRun(plan('ic-alive', 1));
      const lease = (await exec.claim({ executor_id: 'w' }))!;
      const cancelled = new Promise<void>((resolve) => lease.keepAlive({ intervalMs: 50, onCancelRequested: resolve }));
      await new Promise((r) => setTimeout(r, 120));
      await ops.cancelRun('ic-alive');
      await cancelled;
    });
  });
}
