import { createHash } from 'node:crypto';
import { lstatSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { applyPatch } from '@autopack/governed-apply';
import type { BuilderSpec } from '@autopack/contracts';
import { commandBuilder } from '../src/builders/command-builder';
import { patchBuilder } from '../src/builders/patch-builder';
import { collectContext } from '../src/context/collect-context';
import type { PhaseTask } from '../src/task';
import { RunWorkspace } from '../src/workspace/run-workspace';
import { makeRepo, tempDir } from './support/git-repo';

const task = (builder: BuilderSpec | null, attempt = 1, over: Partial<PhaseTask> = {}): PhaseTask => ({
  runId: 'r1',
  phaseId: 'p1',
  attempt,
  name: 'Add a greeting',
  description: 'Say hello',
  goal: null,
  scope: { paths: ['src/**'], read_only_context: ['README.md'], deliverables: [], allow_mass_deletion: false, protected_paths: [] },
  ci: null,
  builder,
  ...over,
});

const request = (t: PhaseTask, workspace = '/nonexistent') => ({ task: t, workspace, context: [], feedback: [], signal: new AbortController().signal });

describe('the patch builder', () => {
  const spec: BuilderSpec = { kind: 'patch', patches: ['diff --git a/x b/x\n', ''] };
  it('replays the patch of the attempt', async () => {
    expect(await patchBuilder.build(request(task(spec, 1)))).toEqual({ ok: true, change: { kind: 'diff', diff: 'diff --git a/x b/x\n' }, usage: [] });
  });
  it('reports an empty patch and a missing one', async () => {
    expect(await patchBuilder.build(request(task(spec, 2)))).toMatchObject({ ok: false, reason: 'empty_patch' });
    expect(await patchBuilder.build(request(task(spec, 3)))).toMatchObject({ ok: false, reason: 'builder_error', message: expect.stringMatching(/none for attempt 3/) });
  });
});

describe('context collection', () => {
  it('shows scope files then read-only context, text only, within the limits', async () => {
    const repo = makeRepo({
      'src/a.ts': 'a'.repeat(100),
      'src/b.ts': 'b'.repeat(50),
      'src/bin.dat': '\u0000\u0001',
      'README.md': 'read me',
      'other/c.ts': 'c',
    });
    try {
      const files = await collectContext(repo.dir, task(null).scope, { maxFiles: 40, maxCharsPerFile: 60, maxTotalChars: 1000 });
      expect(files).toEqual([
        { path: 'src/a.ts', content: 'a'.repeat(60), truncated: true, readOnly: false },
        { path: 'src/b.ts', content: 'b'.repeat(50), truncated: false, readOnly: false },
        { path: 'README.md', content: 'read me', truncated: false, readOnly: true },
      ]);
      const few = await collectContext(repo.dir, task(null).scope, { maxFiles: 1, maxCharsPerFile: 60, maxTotalChars: 1000 });
      expect(few.map((f) => f.path)).toEqual(['src/a.ts']);
      const budget = await collectContext(repo.dir, task(null).scope, { maxFiles: 40, maxCharsPerFile: 100, maxTotalChars: 120 });
      expect(budget.map((f) => [f.path, f.content.length])).toEqual([['src/a.ts', 100], ['src/b.ts', 20]]);
    } finally {
      repo.remove();
    }
  });
});

function treeHash(dir: string): string {
  const hash = createHash('sha256');
  const walk = (d: string) => {
    for (const name of readdirSync(d).sort()) {
      if (name === '.git') continue;
      const full = join(d, name);
      hash.update(full);
      if (lstatSync(full).isDirectory()) walk(full);
      else hash.update(lstatSync(full).isSymbolicLink() ? 'link' : readFileSync(full));
    }
  };
  walk(dir);
  return hash.digest('hex');
}

describe('the command builder', () => {
  let repo: ReturnType<typeof makeRepo>;
  let work: ReturnType<typeof tempDir>;
  let ws: RunWorkspace;
  beforeEach(async () => {
    repo = makeRepo({ 'src/a.txt': 'one\n' });
    work = tempDir();
    ws = await RunWorkspace.open({ workDir: work.dir, runId: 'r1', repo: { path: repo.dir }, completed: [] });
  });
  afterEach(() => {
    repo.remove();
    work.remove();
  });

  const agent = (source: string): BuilderSpec => {
    const file = join(work.dir, `agent-${Math.random().toString(36).slice(2)}.js`);
    writeFileSync(file, source);
    return { kind: 'command', argv: [process.execPath, file] };
  };

  it('runs the agent in a scratch copy and returns its diff, leaving the worktree untouched', async () => {
    const spec = agent(`
      const fs = require('fs');
      const t = JSON.parse(fs.readFileSync(process.env.AUTOPACK_TASK_FILE, 'utf8'));
      fs.writeFileSync('src/a.txt', 'changed for ' + t.task.phaseId + ' attempt ' + process.env.AUTOPACK_ATTEMPT + '\\n');
      fs.writeFileSync('src/new.txt', 'new\\n');`);
    const outcome = await commandBuilder(ws).build(request(task(spec, 2), ws.dir));
    expect(outcome).toMatchObject({ ok: true, change: { kind: 'diff' } });
    const diff = outcome.ok && outcome.change.kind === 'diff' ? outcome.change.diff : '';
    expect(diff).toContain('+changed for p1 attempt 2');
    expect(diff).toContain('+++ b/src/new.txt');
    expect(readFileSync(join(ws.dir, 'src/a.txt'), 'utf8')).toBe('one\n');
    expect(readdirSync(join(work.dir, 'scratch'))).toEqual([]);
  });

  it("gives the agent the provider keys it may use, never the executor's server key", async () => {
    const spec = agent(`
      const fs = require('fs');
      const e = process.env;
      fs.writeFileSync('src/env.txt', [e.AUTOPACK_EXECUTOR_API_KEY, e.ANTHROPIC_API_KEY, e.OPENAI_API_KEY].join(',') + '\\n');`);
    const base = { ...process.env, AUTOPACK_EXECUTOR_API_KEY: 'apk_server_key', ANTHROPIC_API_KEY: 'from-the-environment' };
    const outcome = await commandBuilder(ws, { ANTHROPIC_API_KEY: 'sk-ant-configured', OPENAI_API_KEY: undefined }, base).build(request(task(spec), ws.dir));
    const diff = outcome.ok && outcome.change.kind === 'diff' ? outcome.change.diff : '';
    expect(diff).toContain('+,sk-ant-configured,');
    expect(diff).not.toContain('apk_server_key');
  });

  it('reports an agent that fails, times out or changes nothing', async () => {
    expect(await commandBuilder(ws).build(request(task(agent('console.error("no model"); process.exit(4)')), ws.dir))).toMatchObject({
      ok: false,
      reason: 'builder_error',
      message: expect.stringMatching(/exited with 4: no model/),
    });
    const slow: BuilderSpec = { ...(agent('setTimeout(() => {}, 60000)') as { kind: 'command'; argv: string[] }), timeout_seconds: 1 };
    expect(await commandBuilder(ws).build(request(task(slow), ws.dir))).toMatchObject({ ok: false, reason: 'timeout' });
    expect(await commandBuilder(ws).build(request(task(agent('')), ws.dir))).toMatchObject({ ok: false, reason: 'empty_patch' });
  });

  it("cannot get a change outside the repository past governed apply: the agent's symlink out is refused", async () => {
    const outside = join(work.dir, 'outside');
    mkdirSync(outside);
    writeFileSync(join(outside, 'secret.txt'), 'keep\n');
    const spec = agent(`
      const fs = require('fs');
      fs.symlinkSync(${JSON.stringify(outside)}, 'src/escape');
      fs.writeFileSync('src/a.txt', 'also changed\\n');`);
    const outcome = await commandBuilder(ws).build(request(task(spec), ws.dir));
    expect(outcome.ok).toBe(true);
    const before = treeHash(ws.dir);
    const outsideBefore = treeHash(outside);
    const report = applyPatch({ diff: outcome.ok && outcome.change.kind === 'diff' ? outcome.change.diff : '' }, { repo: ws.dir, scope: ['src/**'] });
    expect(report.outcome).toBe('rejected');
    expect(report.violations.map((v) => v.code)).toContain('symlink');
    expect(treeHash(ws.dir)).toBe(before);
    expect(treeHash(outside)).toBe(outsideBefore);
  });
});
