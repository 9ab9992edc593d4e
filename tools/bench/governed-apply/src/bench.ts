// Benchmark: governed apply (check, apply) against `git apply` on one large patch.
//
//   npm run bench -w @autopack/bench-governed-apply [-- --files 2000 --lines 25 --runs 5 --dir /tmp]
//
// Builds a repository of FILES files, changes LINES lines in each (2,000 × 25 = 50,000 changed lines),
// takes `git diff`, then times, on the same patch and a freshly reset tree each run:
//   check     checkPatch in-process (parse + policy + in-memory plan; writes nothing)
//   apply     applyPatch in-process (all of check + temp-file writes and renames)
//   cli       `node governed-apply apply` as a process (adds Node's start-up, like git's)
//   git apply `git apply` as a process
// and prints the medians and their ratios to git apply. Goal: apply ≤ 1.5 × git apply.
import { execFileSync, spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { parseArgs } from 'node:util';
import { applyPatch, checkPatch, type ApplyReport, type GovernedApplyOptions } from '@autopack/governed-apply';

const { values } = parseArgs({
  options: {
    files: { type: 'string', default: '2000' },
    lines: { type: 'string', default: '25' },
    runs: { type: 'string', default: '5' },
    dir: { type: 'string', default: os.tmpdir() },
    keep: { type: 'boolean', default: false },
  },
});
const FILES = Number(values.files);
const CHANGED_PER_FILE = Number(values.lines);
const LINES_PER_FILE = CHANGED_PER_FILE * 4;
const RUNS = Number(values.runs);

const GIT_ENV = { ...process.env, GIT_CONFIG_NOSYSTEM: '1', GIT_CONFIG_GLOBAL: '/dev/null' };
const git = (cwd: string, args: string[]) =>
  execFileSync('git', ['-c', 'user.name=bench', '-c', 'user.email=bench@example.com', '-c', 'core.autocrlf=false', ...args], {
    cwd,
    env: GIT_ENV,
    maxBuffer: 1024 * 1024 * 1024,
  });

function fileRel(i: number): string {
  return `pkg${i % 8}/mod${Math.floor(i / 8) % 10}/file${i}.ts`;
}

function fileContent(i: number, changed: boolean): string {
  let text = '';
  for (let l = 0; l < LINES_PER_FILE; l++) {
    // Every fourth line changes: 25 separate one-line edits per file, each with its own context.
    const edit = changed && l % 4 === 1;
    text += `export const v${i}_${l} = ${edit ? `'changed ${l}'` : l}; // line ${l} of file ${i}\n`;
  }
  return text;
}

function writeFiles(root: string, changed: boolean): void {
  for (let i = 0; i < FILES; i++) {
    const abs = path.join(root, fileRel(i));
    fs.mkdirSync(path.dirname(abs), { recursive: true });
    fs.writeFileSync(abs, fileContent(i, changed));
  }
}

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)]!;
}

function timed<T>(fn: () => T): [T, number] {
  const start = performance.now();
  const result = fn();
  return [result, performance.now() - start];
}

function main(): void {
  const work = fs.mkdtempSync(path.join(values.dir, 'ga-bench-'));
  const repo = path.join(work, 'repo');
  fs.mkdirSync(repo);
  console.log(`building ${FILES} files × ${LINES_PER_FILE} lines in ${repo} …`);
  writeFiles(repo, false);
  git(repo, ['init', '-q']);
  git(repo, ['add', '-A']);
  git(repo, ['commit', '-qm', 'base']);
  writeFiles(repo, true);
  git(repo, ['add', '-A']);
  git(repo, ['commit', '-qm', 'changed']);
  const patch = git(repo, ['diff', 'HEAD~1', 'HEAD']);
  const patchFile = path.join(work, 'bench.patch');
  fs.writeFileSync(patchFile, patch);
  const reset = () => git(repo, ['checkout', '-q', '-f', 'HEAD~1', '--', '.']);
  const sameAsGit = () => spawnSync('git', ['diff', '--quiet', 'HEAD', '--', '.'], { cwd: repo, env: GIT_ENV }).status === 0;
  reset();

  const text = patch.toString('latin1');
  const changedLines = (text.match(/^\+(?!\+\+)/gm) ?? []).length;
  console.log(`patch: ${FILES} files, ${changedLines} changed lines (+${changedLines}/-${changedLines}), ${(patch.length / 1024 / 1024).toFixed(1)} MiB`);

  const options: GovernedApplyOptions = {
    repo,
    limits: { maxFiles: FILES, maxPatchBytes: patch.length, maxFileBytes: 16 * 1024 * 1024 },
  };
  const cli = path.join(path.dirname(require.resolve('@autopack/governed-apply')), 'cli.js');
  const results: Record<string, number[]> = { check: [], apply: [], cli: [], 'git apply': [] };
  let last: ApplyReport | undefined;

  // One untimed round first: Node's JIT and the page cache warm up for every contender alike.
  for (let run = 0; run <= RUNS; run++) {
    const record = (name: string, ms: number) => run > 0 && results[name]!.push(ms);

    const [checked, checkMs] = timed(() => checkPatch({ diff: patch }, options));
    if (checked.outcome !== 'passed') throw new Error(`check: ${checked.outcome} ${JSON.stringify(checked.violations.slice(0, 3))}`);
    record('check', checkMs);

    const [applied, applyMs] = timed(() => applyPatch({ diff: patch }, options));
    if (applied.outcome !== 'applied' || !sameAsGit()) throw new Error(`apply: ${applied.outcome}, tree as expected: ${sameAsGit()}`);
    record('apply', applyMs);
    last = applied;
    reset();

    const args = [cli, 'apply', patchFile, '--repo', repo, '--max-files', String(FILES), '--max-patch-bytes', String(patch.length)];
    record('cli', timed(() => execFileSync(process.execPath, args, { stdio: 'ignore' }))[1]);
    if (!sameAsGit()) throw new Error('cli apply: tree differs');
    reset();

    record('git apply', timed(() => git(repo, ['apply', patchFile]))[1]);
    if (!sameAsGit()) throw new Error('git apply: tree differs');
    reset();
  }

  const gitMs = median(results['git apply']!);
  console.log(`\nmedian of ${RUNS} runs (wall time):`);
  for (const [name, times] of Object.entries(results)) {
    const ms = median(times);
    console.log(`  ${name.padEnd(10)} ${ms.toFixed(1).padStart(8)} ms   ${(ms / gitMs).toFixed(2)} × git apply`);
  }
  const phases = last?.durations_ms;
  if (phases) console.log(`\nlast in-process run: parse ${phases.parse.toFixed(1)} ms, policy ${phases.policy.toFixed(1)} ms, plan ${phases.plan.toFixed(1)} ms`);
  const ratio = median(results.apply!) / gitMs;
  console.log(`\napply incl. policy / git apply = ${ratio.toFixed(2)} (goal ≤ 1.50): ${ratio <= 1.5 ? 'met' : 'NOT met'}`);
  console.log(JSON.stringify({ files: FILES, changed_lines: changedLines, runs: RUNS, median_ms: Object.fromEntries(Object.entries(results).map(([k, v]) => [k, median(v)])), ratio_apply_to_git: ratio }));
  if (!values.keep) fs.rmSync(work, { recursive: true, force: true });
}

main();
