import * as fs from 'node:fs';
import * as path from 'node:path';
import { runCli, type CliIo } from '../src/cli';
import { makeRepo, removeTree } from './helpers/temp-tree';

let work: string;
let repo: string;

beforeEach(() => {
  ({ work, repo } = makeRepo('cli', { 'src/a.ts': 'a\n', '.env': 'S=1\n' }));
});
afterEach(() => removeTree(work));

function run(argv: string[], inputs: Record<string, string> = {}) {
  let stdout = '';
  let stderr = '';
  const io: CliIo = {
    stdout: (t) => (stdout += t),
    stderr: (t) => (stderr += t),
    readInput: (file) => {
      if (!(file in inputs)) throw new Error(`ENOENT: ${file}`);
      return Buffer.from(inputs[file]!);
    },
  };
  const code = runCli(argv, io);
  return { code, stdout, stderr };
}

const ok = 'diff --git a/src/a.ts b/src/a.ts\n--- a/src/a.ts\n+++ b/src/a.ts\n@@ -1 +1 @@\n-a\n+b\n';
const env = 'diff --git a/.env b/.env\n--- a/.env\n+++ b/.env\n@@ -1 +1 @@\n-S=1\n+S=2\n';

describe('governed-apply CLI', () => {
  it.each([
    { name: 'a clean check exits 0 and prints the report', argv: ['check', 'p', '--repo'], patch: ok, code: 0, outcome: 'passed' },
    { name: 'violations exit 1', argv: ['check', 'p', '--repo'], patch: env, code: 1, outcome: 'rejected' },
    { name: 'out of scope exits 1', argv: ['check', 'p', '--scope', 'docs/**', '--repo'], patch: ok, code: 1, outcome: 'rejected' },
    { name: 'a grant lifts protection', argv: ['check', 'p', '--grant', '.env', '--repo'], patch: env, code: 0, outcome: 'passed' },
    { name: 'a malformed patch exits 2', argv: ['check', 'p', '--repo'], patch: 'diff --git a/x b/x\n--- a/x\n+++ b/x\n@@ bad\n', code: 2, outcome: 'parse_error' },
    { name: 'JSON operations are recognised', argv: ['check', 'p', '--repo'], patch: '[{"path": "n.txt", "mode": "create", "content": "x"}]', code: 0, outcome: 'passed' },
  ])('$name', ({ argv, patch, code, outcome }) => {
    const result = run([...argv, repo], { p: patch });
    expect(result.code).toBe(code);
    expect(JSON.parse(result.stdout)).toMatchObject({ outcome });
  });

  it('check leaves the file alone; apply writes it', () => {
    run(['check', 'p', '--repo', repo], { p: ok });
    expect(fs.readFileSync(path.join(repo, 'src/a.ts'), 'utf8')).toBe('a\n');
    expect(run(['apply', 'p', '--repo', repo], { p: ok }).code).toBe(0);
    expect(fs.readFileSync(path.join(repo, 'src/a.ts'), 'utf8')).toBe('b\n');
  });

  it.each(['99999999999999999999999', '100000000', '11'])('refuses --fuzz %s, naming the limit', (fuzz) => {
    const result = run(['check', 'p', '--repo', repo, '--fuzz', fuzz], { p: ok });
    expect(result.code).toBe(2);
    expect(JSON.parse(result.stdout)).toMatchObject({ outcome: 'failed', error: { code: 'invalid_options', message: expect.stringMatching(/from 0 to 10/) } });
  });

  it.each([
    { name: 'no command', argv: [] },
    { name: 'unknown command', argv: ['frobnicate', 'p', '--repo', '/'] },
    { name: 'missing --repo', argv: ['check', 'p'] },
    { name: 'unknown option', argv: ['check', 'p', '--repo', '/', '--nope'] },
    { name: 'bad number', argv: ['check', 'p', '--repo', '/', '--max-files', 'many'] },
    { name: 'unreadable patch file', argv: ['check', 'missing', '--repo', '/'] },
  ])('usage errors exit 2: $name', ({ argv }) => {
    const result = run(argv, { p: ok });
    expect(result.code).toBe(2);
    expect(result.stderr).not.toBe('');
  });
});

describe('package boundaries', () => {
  it('no source file imports an HTTP module (no network in the safety kernel)', () => {
    const files: string[] = [];
    const walk = (dir: string) => {
      for (const e of fs.readdirSync(dir, { withFileTypes: true })) {
        if (e.isDirectory()) walk(path.join(dir, e.name));
        else files.push(path.join(dir, e.name));
      }
    };
    walk(path.join(__dirname, '..', 'src'));
    for (const file of files) {
      expect({ file, http: /from ['"](node:)?(http|https|http2|net|dgram)['"]/.test(fs.readFileSync(file, 'utf8')) }).toEqual({ file, http: false });
    }
  });
});
