import { MAX_NEWLY_FAILING, type ApplyReport, type FailureReason } from '@autopack/contracts';
import type { Lease } from '@autopack/executor-client';
import { applyPatch, type PatchInput } from '@autopack/governed-apply';
import type { Logger } from '@autopack/logging';
import type { Auditor } from '../auditor/auditor';
import type { ProposedChange } from '../builders/builder';
import { BaselineCache, runTests } from '../ci/run-tests';
import { computeDelta, deltaBlocks, type TestDelta, type TestRun } from '../ci/test-delta';
import { collectContext } from '../context/collect-context';
import type { UsageRecord } from '../task';
import { RunWorkspace } from '../workspace/run-workspace';
import { feedbackFromClaim, taskFromClaim } from './claim-task';
import { chooseBuilder, type BuilderSettings } from './choose-builder';
import { governancePaths } from './governance-paths';

export interface AttemptDeps {
  lease: Lease;
  /** Bytes of a stored artifact (accepted patches of completed phases). */
  fetchArtifact: (artifactId: number) => Promise<string>;
  workDir: string;
  builders: BuilderSettings;
  auditor: Auditor;
  logger: Logger;
  /** Aborted on cancel_requested, lease loss or shutdown. */
  signal: AbortSignal;
}

export type AttemptEnd =
  | { outcome: 'complete'; commit: string }
  | { outcome: 'failed'; reason: FailureReason; message: string; newlyFailing?: string[] }
  | { outcome: 'blocked'; message: string }
  | { outcome: 'aborted' };

/** Violations a governance decision can lift (SPEC §4.7); everything else fails the attempt. */
const NEEDS_APPROVAL = new Set(['protected_path']);

class Stop extends Error {
  constructor(readonly end: AttemptEnd) {
    super(end.outcome);
  }
}

function summariseTests(delta: TestDelta): string {
  const lines = [];
  if (delta.newlyFailing.length) lines.push(`newly failing: ${delta.newlyFailing.join(', ')}`);
  if (delta.newCollectionErrors.length) lines.push(`new collection errors: ${delta.newCollectionErrors.join(', ')}`);
  if (delta.flaky.length) lines.push(`flaky (passed on re-run): ${delta.flaky.join(', ')}`);
  return lines.join('\n');
}

/** Within the contract's bounds (NewlyFailingTests): the first names, each cut to 1000 characters. */
const reportableTests = (names: string[]) => names.filter((n) => n.length > 0).slice(0, MAX_NEWLY_FAILING).map((n) => n.slice(0, 1000));

function patchInput(change: ProposedChange): PatchInput {
  return change.kind === 'diff' ? { diff: change.diff } : { operations: change.operations };
}

/**
 * One attempt of a claimed phase, SPEC §5: workspace, baseline, context, build, governed apply,
 * tests, audit, report. Every outcome is reported to the server through the lease (fenced); the
 * worktree never keeps a change that was not accepted.
 */
/** `https://user:token@host/...` → `https://***@host/...`: git errors repeat the URL they were given. */
const withoutUrlCredentials = (text: string) => text.replace(/\/\/[^/@\s]+@/g, '//***@');

export async function runAttempt(deps: AttemptDeps): Promise<AttemptEnd> {
  const { lease, logger, signal } = deps;
  const claim = lease.claim;
  const task = taskFromClaim(claim);
  const log = logger.child({ run_id: task.runId, phase_id: task.phaseId, attempt: task.attempt });
  let workspace: RunWorkspace | undefined;
  // Where the time goes: building and testing are the work; the rest is the executor's overhead.
  const started = performance.now();
  const spent = { build_ms: 0, tests_ms: 0 };
  const timed = async <T>(key: keyof typeof spent, fn: () => Promise<T>): Promise<T> => {
    const t = performance.now();
    try {
      return await fn();
    } finally {
      spent[key] += performance.now() - t;
    }
  };
  const timings = () => {
    const total = performance.now() - started;
    const round = (n: number) => Math.round(n);
    return { total_ms: round(total), build_ms: round(spent.build_ms), tests_ms: round(spent.tests_ms), overhead_ms: round(total - spent.build_ms - spent.tests_ms) };
  };

  let pinBase: string | undefined;
  const updateStatus = async (body: Parameters<Lease['updateStatus']>[0]) => {
    await lease.updateStatus(pinBase ? { ...body, base_commit: pinBase } : body);
    pinBase = undefined;
  };

  const fail = (reason: FailureReason, message: string): never => {
    throw new Stop({ outcome: 'failed', reason, message });
  };
  const checkpoint = () => {
    if (signal.aborted) throw new Stop({ outcome: 'aborted' });
  };
  const reportUsage = async (usage: UsageRecord[]) => {
    // The result carries successful calls' tokens; every other call is reported on its own.
    for (const u of usage.filter((x) => !x.succeeded)) {
      await lease.recordUsage({ provider: u.provider, model: u.model, role: u.role, prompt_tokens: u.prompt_tokens, completion_tokens: u.completion_tokens, succeeded: false });
    }
    const ok = usage.filter((x) => x.succeeded);
    return { tokens_used: ok.reduce((n, u) => n + u.total_tokens, 0), ...(ok[0] ? { provider: ok[0].provider, model: ok[0].model } : {}) };
  };

  try {
    log.info('attempt started', { executor_id: claim.executor_id });
    // The server hands out only runs with a repository; an externally driven run has none.
    const repoSpec = claim.run.repo ?? fail('workspace_error', `run ${task.runId} has no repository (externally driven)`);
    workspace = await RunWorkspace.open({
      workDir: deps.workDir,
      runId: task.runId,
      repo: repoSpec,
      baseCommit: claim.run.base_commit,
      completed: claim.completed_phases.map((p) => ({
        phaseId: p.phase_id,
        attempt: p.attempt,
        patch: async () => (await Promise.all(p.patch_artifact_ids.map((id) => deps.fetchArtifact(id)))).join('\n'),
      })),
    }).catch((err: Error) => {
      // A clone or fetch may fail for a moment, so the attempt fails (and is retried) with the cause.
      const repo = repoSpec.path ?? repoSpec.url ?? '?';
      return fail('workspace_error', withoutUrlCredentials(`cannot prepare the workspace from ${repo}: ${err.message}`));
    });
    const ws = workspace;
    // The first executor of a run tells the server what base_ref resolved to, so every rebuild
    // (any executor, any time later) starts from the same commit.
    if (claim.run.base_commit === null) pinBase = await ws.base();
    const start = await ws.head();
    checkpoint();

    let baseline: TestRun | undefined;
    if (task.ci?.command) {
      baseline = await new BaselineCache(`${deps.workDir}/baselines`).get(start, task.ci, () =>
        timed('tests_ms', () => runTests(ws.dir, task.ci!, { signal })),
      );
      log.info('baseline measured', { commit: start, failing: baseline.failed.length, passing: baseline.passed.length });
    }
    checkpoint();

    const builder = chooseBuilder(task, ws, deps.builders);
    if (typeof builder === 'string') fail('builder_error', builder);
    const context = await collectContext(ws.dir, task.scope);
    const built = await timed('build_ms', () =>
      (builder as Exclude<typeof builder, string>).build({ task, workspace: ws.dir, context, feedback: feedbackFromClaim(claim), signal }),
    );
    checkpoint();
    const usage = await reportUsage(built.usage);
    if (!built.ok) {
      await lease.builderResult({ status: 'failed', notes: built.message, ...usage });
      fail(built.reason, built.message);
    }
    const change = (built as Extract<typeof built, { ok: true }>).change;

    const report: ApplyReport = applyPatch(patchInput(change), {
      repo: ws.dir,
      scope: task.scope.paths,
      protectedPaths: task.scope.protected_paths ?? [],
      grants: claim.phase.grants,
      allowMassDeletion: task.scope.allow_mass_deletion || claim.phase.approvals.includes('mass_deletion'),
    });
    await lease.uploadArtifact({ kind: 'apply_report', path: 'apply-report.json', content: JSON.stringify(report, null, 2), media_type: 'application/json' });
    const appliedDiff = report.outcome === 'applied' || report.outcome === 'already_applied' ? await ws.diff() : '';
    await lease.builderResult({
      status: report.outcome === 'applied' ? 'success' : 'failed',
      patch_content: appliedDiff || (change.kind === 'diff' ? change.diff : null),
      files_changed: report.files.map((f) => f.path),
      lines_added: report.totals.lines_added,
      lines_removed: report.totals.lines_removed,
      ...(built.ok && built.notes ? { notes: built.notes } : {}),
      ...usage,
    });
    if (report.outcome === 'rejected') {
      const codes = [...new Set(report.violations.map((v) => v.code))];
      const summary = report.violations.map((v) => `${v.code}: ${v.path} (${v.detail})`).join('\n');
      if (codes.every((c) => NEEDS_APPROVAL.has(c))) {
        const paths = governancePaths(report.violations);
        const filed = await lease.requestGovernance({
          requested_paths: paths,
          justification: `phase "${task.name}" needs to change protected paths:\n${summary}`,
          changed_lines: report.totals.lines_added + report.totals.lines_removed,
        });
        throw new Stop({ outcome: 'blocked', message: `governance request ${filed.request.request_id} (${filed.request.status})` });
      }
      if (codes.every((c) => c === 'mass_deletion')) {
        const filed = await lease.requestApproval({ kind: 'mass_deletion', summary: `phase "${task.name}" deletes much of some files:\n${summary}` });
        throw new Stop({ outcome: 'blocked', message: `approval request ${filed.request.request_id} (${filed.request.status})` });
      }
      fail('policy_violation', `governed apply refused the change:\n${summary}`);
    }
    if (report.outcome === 'empty') fail('empty_patch', 'the builder proposed no change');
    if (report.outcome !== 'applied' && report.outcome !== 'already_applied') {
      fail('patch_apply_error', `governed apply: ${report.outcome}${report.error ? ` (${report.error.message})` : ''}`);
    }
    checkpoint();

    let delta: TestDelta | null = null;
    if (task.ci?.command && baseline) {
      await updateStatus({ state: 'CI_RUNNING' });
      const after = await timed('tests_ms', () => runTests(ws.dir, task.ci!, { signal }));
      checkpoint();
      // A test that broke is run once more: passing then means flaky, not broken.
      const rerun =
        computeDelta(baseline, after).newlyFailing.length > 0 ? await timed('tests_ms', () => runTests(ws.dir, task.ci!, { signal })) : undefined;
      delta = computeDelta(baseline, after, rerun);
      await lease.uploadArtifact({
        kind: 'test_report',
        path: 'tests.json',
        content: JSON.stringify({ baseline_commit: start, delta, after: { ...after, output: after.output.slice(-20_000) } }, null, 2),
        media_type: 'application/json',
      });
      log.info('tests compared with the baseline', { ...delta });
      if (after.timedOut) fail('timeout', 'the tests ran out of time');
      if (deltaBlocks(delta)) {
        // The names travel as a field (the next claim's prior_attempts[].newly_failing); the message is for people.
        throw new Stop({ outcome: 'failed', reason: 'ci_fail', message: summariseTests(delta), newlyFailing: reportableTests(delta.newlyFailing) });
      }
      await updateStatus({ state: 'GATE' });
    }
    checkpoint();

    const audit = await deps.auditor.audit({ task, diff: appliedDiff, delta, signal });
    const auditUsage = await reportUsage(audit.usage);
    if (!audit.ok) fail('auditor_reject', `the auditor gave no valid verdict: ${audit.message}`);
    const verdict = (audit as Extract<typeof audit, { ok: true }>).verdict;
    await lease.auditorResult({ ...verdict, ...auditUsage });
    if (verdict.recommendation !== 'approve') {
      const issues = verdict.issues_found.map((i) => `- ${String(i['description'] ?? JSON.stringify(i))}`).join('\n');
      fail('auditor_reject', `auditor: ${verdict.recommendation}\n${verdict.review_notes}\n${issues}`.trim());
    }
    checkpoint();

    const { commit, patch } = await ws.commitPhase(task.phaseId, task.attempt);
    await lease.uploadArtifact({ kind: 'patch', path: 'accepted.patch', content: patch, media_type: 'text/x-diff' });
    await updateStatus({ state: 'COMPLETE', message: `commit ${commit}` });
    log.info('phase complete', { commit, ...timings() });
    return { outcome: 'complete', commit };
  } catch (err) {
    await workspace?.discardUncommitted().catch(() => undefined);
    if (!(err instanceof Stop)) throw err;
    const end = err.end;
    if (end.outcome === 'failed') {
      log.warn('attempt failed', { failure_reason: end.reason, detail: end.message.slice(0, 2000), ...timings() });
      await updateStatus({
        state: 'FAILED',
        failure_reason: end.reason,
        message: end.message.slice(0, 4000),
        ...(end.newlyFailing?.length ? { newly_failing: end.newlyFailing } : {}),
      });
    } else if (end.outcome === 'blocked') {
      log.info('phase blocked: waiting for a decision', { detail: end.message });
    }
    return end;
  }
}
