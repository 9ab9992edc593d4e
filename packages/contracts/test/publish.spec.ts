import { execFileSync } from 'node:child_process';
import { mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const packageDir = join(__dirname, '..');
const repoRoot = join(packageDir, '../..');
const run = (cmd: string, args: string[], cwd: string) =>
  execFileSync(cmd, args, { cwd, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, npm_config_loglevel: 'error', FORCE_COLOR: '0', NO_COLOR: '1' } });

jest.setTimeout(120_000);

/**
 * @autopack/contracts is published: pack it as npm would, install the tarball into a project
 * outside the repository, and use it from ESM, CommonJS and TypeScript there. Needs `build` first
 * (the test target depends on it); the pack itself runs no scripts so it never rebuilds under
 * other tests' feet.
 */
describe('the packed @autopack/contracts', () => {
  let scratch: string;
  beforeAll(() => {
    scratch = mkdtempSync(join(tmpdir(), 'autopack-consumer-'));
    run('npm', ['pack', '--ignore-scripts', '--pack-destination', scratch], packageDir);
    const tarball = readdirSync(scratch).find((f) => f.endsWith('.tgz'))!;
    writeFileSync(join(scratch, 'package.json'), JSON.stringify({ name: 'consumer', version: '1.0.0', private: true }));
    // zod is a peer dependency: the consumer brings its own (here the repository's copy, offline).
    const zodDir = join(repoRoot, 'node_modules/zod');
    run('npm', ['install', '--offline', '--no-audit', '--no-fund', `./${tarball}`, zodDir], scratch);
  });
  afterAll(() => rmSync(scratch, { recursive: true, force: true }));

  it('ships only dist (with type declarations) and package metadata', () => {
    const files = run('tar', ['-tzf', readdirSync(scratch).find((f) => f.endsWith('.tgz'))!], scratch).split('\n').filter(Boolean);
    expect(files.every((f) => f.startsWith('package/dist/') || /^package\/(package\.json|README\.md|LICENSE)$/.test(f))).toBe(true);
    expect(files).toContain('package/dist/index.d.ts');
  });

  it('imports from ESM with named exports', () => {
    writeFileSync(
      join(scratch, 'check.mjs'),
      `import { RunPlan, canTransition, buildOpenApi } from '@autopack/contracts';
       const ok = RunPlan.safeParse({ run: { run_id: 'r', repo: { path: '/r' } }, tiers: [{ tier_id: 't', tier_index: 0, name: 'T' }], phases: [{ phase_id: 'p', tier_id: 't', phase_index: 0, name: 'P' }] }).success;
       console.log(JSON.stringify({ ok, legal: canTransition('QUEUED', 'EXECUTING'), openapi: buildOpenApi().openapi }));`,
    );
    expect(JSON.parse(run(process.execPath, ['check.mjs'], scratch))).toEqual({ ok: true, legal: true, openapi: '3.1.0' });
  });

  it('requires from CommonJS', () => {
    const out = run(process.execPath, ['-e', "console.log(require('@autopack/contracts').PHASE_STATES.length)"], scratch);
    expect(out.trim()).toBe('9');
  });

  it('type-checks a TypeScript consumer against the shipped declarations', () => {
    writeFileSync(
      join(scratch, 'check.ts'),
      `import { type Run, type PhaseState, RunPlan } from '@autopack/contracts';
       const state: PhaseState = 'QUEUED';
       const plan = RunPlan.parse({});
       const runId: string = plan.run.run_id;
       function show(run: Run): string { return run.state + state + runId; }
       // @ts-expect-error: not a phase state
       const wrong: PhaseState = 'DONE';
       export { show, wrong };`,
    );
    writeFileSync(
      join(scratch, 'tsconfig.json'),
      JSON.stringify({ compilerOptions: { strict: true, module: 'nodenext', moduleResolution: 'nodenext', noEmit: true, skipLibCheck: false, types: [] }, files: ['check.ts'] }),
    );
    const tsc = join(repoRoot, 'node_modules/typescript/bin/tsc');
    expect(() => run(process.execPath, [tsc, '-p', 'tsconfig.json'], scratch)).not.toThrow();
  });
});
