import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseJunit } from '../src/ci/junit';
import { BaselineCache, runTests } from '../src/ci/run-tests';
import { computeDelta, deltaBlocks, type TestRun } from '../src/ci/test-delta';
import { tempDir } from './support/git-repo';

const fixture = (name: string) => readFileSync(join(__dirname, 'fixtures', name), 'utf8');

describe('JUnit reports', () => {
  it('reads jest-junit: passes, failures, skips dropped, a suite that failed to load as a collection error', () => {
    expect(parseJunit(fixture('jest-junit.xml'))).toEqual({
      passed: ['math adds::math adds'],
      failed: ['math subtracts & rounds::math subtracts & rounds'],
      collectionErrors: ['Test suite failed to run::Test suite failed to run'],
    });
  });

  it('reads node --test --test-reporter=junit, whose cases sit right under <testsuites>', () => {
    expect(parseJunit(fixture('node-test.xml'))).toEqual({ passed: ['test::adds'], failed: ['test::fails'], collectionErrors: [] });
  });

  it('reads pytest --junitxml, including parametrised ids and collection errors', () => {
    expect(parseJunit(fixture('pytest.xml'))).toEqual({
      passed: ['tests.test_math::test_add', 'tests.test_math::test_params[a-b]'],
      failed: ['tests.test_math::test_sub'],
      collectionErrors: ['pytest::tests.test_broken'],
    });
  });
});

const run = (over: Partial<TestRun>): TestRun => ({ passed: [], failed: [], collectionErrors: [], exitCode: 0, timedOut: false, output: '', ...over });

describe('the test delta', () => {
  it('counts only what the change broke, sorted; a red baseline alone does not block', () => {
    const baseline = run({ passed: ['b', 'a', 'c'], failed: ['old'] });
    const after = run({ passed: ['a', 'old'], failed: ['c', 'b', 'old2'] });
    const delta = computeDelta(baseline, after);
    expect(delta).toEqual({ newlyFailing: ['b', 'c', 'old2'], newlyPassing: ['old'], newCollectionErrors: [], flaky: [] });
    expect(deltaBlocks(delta)).toBe(true);
    expect(deltaBlocks(computeDelta(baseline, run({ passed: ['a', 'b', 'c'], failed: ['old'] })))).toBe(false);
  });

  it('marks a newly failing test that passes on the re-run as flaky, not blocking', () => {
    const delta = computeDelta(run({ passed: ['a', 'b'] }), run({ passed: ['a'], failed: ['b'] }), run({ passed: ['a', 'b'] }));
    expect(delta).toMatchObject({ newlyFailing: [], flaky: ['b'] });
    expect(deltaBlocks(delta)).toBe(false);
  });

  it('blocks on a new collection error', () => {
    expect(deltaBlocks(computeDelta(run({}), run({ collectionErrors: ['tests/x.py'] })))).toBe(true);
  });
});

describe('running a phase test command', () => {
  let dir: ReturnType<typeof tempDir>;
  beforeEach(() => {
    dir = tempDir();
  });
  afterEach(() => dir.remove());

  const script = (body: string) => {
    writeFileSync(join(dir.dir, 'test.js'), body);
    return [process.execPath, 'test.js'];
  };

  it('passes argv without a shell: metacharacters are plain arguments', async () => {
    const argv = [...script("require('fs').writeFileSync('args.json', JSON.stringify(process.argv.slice(2)))"), '; rm -rf / && echo', '$(whoami)'];
    const result = await runTests(dir.dir, { command: argv });
    expect(result.failed).toEqual([]);
    expect(JSON.parse(readFileSync(join(dir.dir, 'args.json'), 'utf8'))).toEqual(['; rm -rf / && echo', '$(whoami)']);
  });

  it('reads the JUnit report when junit_path is set, else the exit code', async () => {
    const xml = fixture('pytest.xml');
    const withReport = await runTests(dir.dir, { command: script(`require('fs').writeFileSync('report.xml', ${JSON.stringify(xml)}); process.exit(1)`), junit_path: 'report.xml' });
    expect(withReport.failed).toEqual(['tests.test_math::test_sub']);
    expect(withReport.exitCode).toBe(1);
    const exitOnly = await runTests(dir.dir, { command: script('process.exit(3)') });
    expect(exitOnly).toMatchObject({ passed: [], failed: [`${process.execPath} test.js`], exitCode: 3 });
  });

  it("runs the repository's tests without the executor's credentials in their environment", async () => {
    const secrets = { AUTOPACK_EXECUTOR_API_KEY: 'apk_server_key', ANTHROPIC_API_KEY: 'sk-ant-x', OPENAI_API_KEY: 'sk-x', AUTOPACK_SECRET_KEY: 's' };
    Object.assign(process.env, secrets, { HARMLESS: 'kept' });
    try {
      const result = await runTests(dir.dir, { command: script("require('fs').writeFileSync('env.json', JSON.stringify(process.env))") });
      expect(result.exitCode).toBe(0);
      const seen = JSON.parse(readFileSync(join(dir.dir, 'env.json'), 'utf8'));
      for (const name of Object.keys(secrets)) expect(seen).not.toHaveProperty(name);
      expect(seen).toMatchObject({ HARMLESS: 'kept', PATH: process.env['PATH'] });
    } finally {
      for (const name of [...Object.keys(secrets), 'HARMLESS']) delete process.env[name];
    }
  });

  it('refuses a junit_path outside the workspace', async () => {
    await expect(runTests(dir.dir, { command: ['true'], junit_path: '../../etc/passwd' })).rejects.toThrow(/leaves the workspace/);
  });

  it('kills the whole process tree on timeout and caps output', async () => {
    const started = Date.now();
    const result = await runTests(dir.dir, {
      command: script("require('child_process').spawn(process.execPath, ['-e', 'setTimeout(()=>{},60000)'], {stdio:'inherit'}); process.stdout.write('x'.repeat(600000)); setTimeout(()=>{}, 60000)"),
      timeout_seconds: 1,
    });
    expect(result.timedOut).toBe(true);
    expect(Date.now() - started).toBeLessThan(10_000);
    expect(result.output.length).toBeLessThan(300_000);
    expect(result.output).toContain('characters of output dropped');
  });

  it('caches the baseline by commit and command', async () => {
    const cache = new BaselineCache(join(dir.dir, 'baselines'));
    let measured = 0;
    const measure = async () => (measured++, run({ passed: ['a'] }));
    await cache.get('abc', { command: ['npm', 'test'] }, measure);
    expect(await cache.get('abc', { command: ['npm', 'test'] }, measure)).toMatchObject({ passed: ['a'] });
    await cache.get('def', { command: ['npm', 'test'] }, measure);
    await cache.get('abc', { command: ['npm', 'run', 'other'] }, measure);
    expect(measured).toBe(3);
  });
});
