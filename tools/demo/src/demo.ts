import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { AutopackClient } from '@autopack/executor-client';
import { branchCommits, copyDemoRepo, demoPlan } from './demo-repo';
import { createKey, startExecutor, startServer } from './processes';
import { describeEvent, watchRun } from './watch-run';

/**
 * `npm run demo`: the main job end to end on a fresh embedded database — the server, one executor,
 * a copy of examples/demo-repo and examples/demo-run.json (three phases; the second one's first
 * patch breaks a test, its second attempt fixes it). Exits 0 when the run is DONE_SUCCESS.
 */
async function demo(): Promise<number> {
  const started = performance.now();
  const scratch = mkdtempSync(join(tmpdir(), 'autopack-demo-'));
  const dataDir = join(scratch, 'data');
  const workDir = join(scratch, 'work');
  const say = (line: string) => console.log(`[demo ${((performance.now() - started) / 1000).toFixed(1).padStart(5)}s] ${line}`);
  const db = { AUTOPACK_DATA_DIR: dataDir };
  let server: Awaited<ReturnType<typeof startServer>> | undefined;
  let executor: ReturnType<typeof startExecutor> | undefined;
  try {
    say(`fresh embedded database in ${dataDir}`);
    const adminKey = await createKey(db, 'admin', 'demo-admin');
    const executorKey = await createKey(db, 'executor', 'demo-executor');
    server = await startServer(db);
    say(`server listening on ${server.url}`);
    executor = startExecutor({
      AUTOPACK_SERVER_URL: server.url,
      AUTOPACK_EXECUTOR_API_KEY: executorKey,
      AUTOPACK_WORK_DIR: workDir,
    });
    const repo = copyDemoRepo();
    const runId = `demo-${Date.now()}`;
    const client = new AutopackClient({ baseUrl: server.url, apiKey: adminKey });
    const submitted = performance.now();
    await client.startRun(demoPlan(repo, runId));
    say(`run ${runId} submitted: 3 phases on a copy of examples/demo-repo (${repo})`);
    const { state } = await watchRun(client, runId, {
      onEvent: (e) => {
        const line = describeEvent(e);
        if (line) say(line);
      },
    });
    if (state !== 'DONE_SUCCESS') {
      say(`run finished as ${state}`);
      return 1;
    }
    say(`run ${runId} is DONE_SUCCESS. Branch autopack/${runId}:`);
    for (const subject of branchCommits(workDir, runId)) say(`  ${subject}`);
    const attempts = executor
      .output()
      .split('\n')
      .filter((l) => l.includes('"message":"phase complete"') || l.includes('"message":"attempt failed"'))
      .map((l) => JSON.parse(l) as { phase_id: string; attempt: number; total_ms: number; build_ms: number; tests_ms: number; overhead_ms: number });
    for (const a of attempts) {
      say(`  ${a.phase_id} attempt ${a.attempt}: ${a.total_ms} ms = build ${a.build_ms} + tests ${a.tests_ms} + executor overhead ${a.overhead_ms}`);
    }
    say(`run wall time (submit → DONE_SUCCESS): ${((performance.now() - submitted) / 1000).toFixed(1)} s`);
    say(process.env['AUTOPACK_DEMO_KEEP'] === '1' ? `worktree kept: ${join(workDir, 'runs', runId)}` : 'set AUTOPACK_DEMO_KEEP=1 to keep the worktree and database');
    return 0;
  } finally {
    await executor?.stop();
    await server?.stop();
    if (process.env['AUTOPACK_DEMO_KEEP'] !== '1') rmSync(scratch, { recursive: true, force: true });
  }
}

demo().then(
  (code) => process.exit(code),
  (err: unknown) => {
    console.error('demo failed:', err instanceof Error ? err.message : err);
    process.exit(1);
  },
);
