import { createHash } from 'node:crypto';
import * as fs from 'node:fs';
import * as path from 'node:path';
import {
  applyChangeSet,
  applyPatch,
  checkChangeSet,
  checkPatch,
  detectCaseInsensitive,
  MAX_FUZZ,
  nodeFsLayer,
  parsePatchInput,
  type FsLayer,
} from '../src';
import { binaryBlock } from './helpers/binary-patch';
import { listTree, makeRepo, removeTree } from './helpers/temp-tree';

let work: string;
let repo: string;

beforeEach(() => {
  ({ work, repo } = makeRepo('api', { 'src/a.ts': 'one\ntwo\nthree\nfour\nfive\n', 'README.md': '# r\n' }));
});
afterEach(() => removeTree(work));

const modifyA = 'diff --git a/src/a.ts b/src/a.ts\n--- a/src/a.ts\n+++ b/src/a.ts\n@@ -2,3 +2,3 @@\n two\n-three\n+THREE\n four\n';

describe('checkPatch and applyPatch', () => {
  it('check computes everything and writes nothing', () => {
    const before = listTree(repo);
    const report = checkPatch({ diff: modifyA }, { repo });
    expect(report).toMatchObject({ mode: 'check', outcome: 'passed', files: [{ path: 'src/a.ts', status: 'pending', lines_added: 1, lines_removed: 1 }] });
    expect(listTree(repo)).toEqual(before);
  });

  it('applies, then reports "already applied" instead of applying twice', () => {
    expect(applyPatch({ diff: modifyA }, { repo }).outcome).toBe('applied');
    const content = fs.readFileSync(path.join(repo, 'src/a.ts'), 'utf8');
    const again = applyPatch({ diff: modifyA }, { repo });
    expect(again).toMatchObject({ outcome: 'already_applied', files: [{ status: 'already_applied' }] });
    expect(fs.readFileSync(path.join(repo, 'src/a.ts'), 'utf8')).toBe(content);
  });

  it('applies a pre-parsed change set', () => {
    const set = parsePatchInput({ diff: modifyA });
    expect(checkChangeSet(set, { repo }).outcome).toBe('passed');
    expect(applyChangeSet(set, { repo }).outcome).toBe('applied');
  });

  it('locates a hunk with drifted context only when fuzz is allowed', () => {
    const drifted = 'diff --git a/src/a.ts b/src/a.ts\n--- a/src/a.ts\n+++ b/src/a.ts\n@@ -2,3 +2,3 @@\n two\n-three\n+THREE\n FOUR?\n';
    expect(checkPatch({ diff: drifted }, { repo }).outcome).toBe('conflict');
    expect(applyPatch({ diff: drifted }, { repo, fuzz: 1 }).outcome).toBe('applied');
    expect(fs.readFileSync(path.join(repo, 'src/a.ts'), 'utf8')).toBe('one\ntwo\nTHREE\nfour\nfive\n');
  });

  it('counts lines of full-file operations from the contents', () => {
    const report = checkPatch({ operations: [{ path: 'src/a.ts', mode: 'modify', content: 'one\ntwo\n3\n4\nfive\n' }] }, { repo });
    expect(report.files[0]).toMatchObject({ op: 'modify', lines_added: 2, lines_removed: 2, status: 'pending' });
  });

  it('counts a whole-file deletion without hunks (git diff -D) towards mass deletion, and wants a real blob id', () => {
    const big = Array.from({ length: 1000 }, (_, i) => `line ${i}\n`).join('');
    fs.writeFileSync(path.join(repo, 'big.txt'), big);
    const blob = createHash('sha1').update(`blob ${big.length}\0`).update(big).digest('hex');
    const irreversible = (id: string) => `diff --git a/big.txt b/big.txt\ndeleted file mode 100644\nindex ${id}..0000000\n`;
    const refused = checkPatch({ diff: irreversible(blob.slice(0, 7)) }, { repo });
    expect(refused.violations).toEqual([expect.objectContaining({ code: 'mass_deletion', path: '' })]);
    const allowed = checkPatch({ diff: irreversible(blob.slice(0, 7)) }, { repo, allowMassDeletion: true });
    expect(allowed).toMatchObject({ outcome: 'passed', files: [{ op: 'delete', lines_removed: 1000 }] });
    const vague = checkPatch({ diff: irreversible(blob.slice(0, 1)) }, { repo, allowMassDeletion: true });
    expect(vague).toMatchObject({ outcome: 'conflict', files: [{ status: 'conflict', detail: expect.stringMatching(/fewer than 7 digits/) }] });
    expect(fs.readFileSync(path.join(repo, 'big.txt'), 'utf8')).toBe(big);
  });

  it('reports risk from the touched paths', () => {
    const report = checkPatch({ operations: [{ path: 'package.json', mode: 'create', content: '{}\n' }] }, { repo });
    expect(report.risk_level).toBe('high');
  });

  it('scope applies to every written path; grants extend it', () => {
    const ops = { operations: [{ path: 'README.md', mode: 'modify' as const, content: '# new\n' }] };
    expect(checkPatch(ops, { repo, scope: ['src/'] }).violations).toEqual([{ code: 'out_of_scope', path: 'README.md', detail: 'outside the phase scope' }]);
    expect(checkPatch(ops, { repo, scope: ['src/'], grants: ['README.md'] }).outcome).toBe('passed');
  });

  it('answers bad options and a missing repository with a report, not an exception', () => {
    expect(checkPatch({ diff: modifyA }, { repo: '' })).toMatchObject({ outcome: 'failed', error: { code: 'invalid_options' } });
    expect(checkPatch({ diff: modifyA }, { repo, fuzz: -1 })).toMatchObject({ outcome: 'failed', error: { code: 'invalid_options' } });
    expect(checkPatch({ diff: modifyA }, { repo, fuzz: 11 })).toMatchObject({ outcome: 'failed', error: { code: 'invalid_options', message: expect.stringMatching(/from 0 to 10/) } });
    expect(checkPatch({ diff: modifyA }, { repo, fuzz: 1e23 })).toMatchObject({ outcome: 'failed', error: { code: 'invalid_options' } });
    expect(checkPatch({ diff: modifyA }, { repo, fuzz: MAX_FUZZ }).outcome).toBe('passed');
    expect(checkPatch({ diff: modifyA }, { repo, limits: { maxFiles: -5 } })).toMatchObject({ outcome: 'failed', error: { code: 'invalid_options' } });
    expect(checkPatch({ diff: modifyA }, { repo: path.join(work, 'missing') })).toMatchObject({ outcome: 'failed', error: { code: 'io_error' } });
  });

  it('refuses an oversized patch before parsing it', () => {
    const garbage = `not a patch ${'x'.repeat(200)}`;
    expect(checkPatch({ diff: garbage }, { repo, limits: { maxPatchBytes: 100 } })).toMatchObject({
      outcome: 'rejected',
      violations: [{ code: 'patch_too_large' }],
      risk_level: 'high',
    });
  });

  it('reports a parse error with its line', () => {
    expect(checkPatch({ diff: 'diff --git a/x b/x\n--- a/x\n+++ b/x\n@@ nonsense\n' }, { repo })).toMatchObject({
      outcome: 'parse_error',
      error: { code: 'parse_error', line: 4 },
    });
  });
});

describe('hunks that must not apply', () => {
  const write = (rel: string, content: string) => fs.writeFileSync(path.join(repo, rel), content);

  it('gives up a hostile search in bounded time and says so (one hunk of 100 000 context lines in a 200 000-line file)', () => {
    write('f.txt', 'a\n'.repeat(200_000));
    const diff = `--- a/f.txt\n+++ b/f.txt\n@@ -100000,100002 +100000,100002 @@\n${' a\n'.repeat(100_000)}-b\n+c\n a\n`;
    const started = performance.now();
    const report = checkPatch({ diff }, { repo });
    expect(performance.now() - started).toBeLessThan(5000);
    expect(report).toMatchObject({ outcome: 'conflict', files: [{ status: 'conflict', detail: expect.stringMatching(/search for the hunk at line 3 gave up/) }] });
  });

  it('does not call a patch "already applied" because its reverse has nothing to match', () => {
    write('f', 'a\nb\nc\n');
    const report = applyPatch({ diff: '--- a/f\n+++ b/f\n@@ -3 +2,0 @@\n-DOES NOT EXIST\n' }, { repo, fuzz: 2 });
    expect(report).toMatchObject({ outcome: 'conflict', files: [{ status: 'conflict', detail: 'hunk at line 3 does not match the file' }] });
    expect(fs.readFileSync(path.join(repo, 'f'), 'utf8')).toBe('a\nb\nc\n');
  });

  it('never matches a later hunk over lines an earlier one inserted (git apply refuses it too)', () => {
    const letters = 'abcdefghij'.split('').map((c) => `${c}\n`).join('');
    write('f', letters);
    const diff = '--- a/f\n+++ b/f\n@@ -1,2 +1,3 @@\n-a\n+SAFE\n+check()\n b\n@@ -8,3 +9,2 @@\n SAFE\n-check()\n b\n';
    expect(applyPatch({ diff }, { repo })).toMatchObject({ outcome: 'conflict', files: [{ detail: 'hunk at line 8 does not match the file' }] });
    expect(fs.readFileSync(path.join(repo, 'f'), 'utf8')).toBe(letters);
  });
});

describe('binary deltas', () => {
  const varint = (n: number) => {
    const bytes: number[] = [];
    for (; n >= 0x80; n = Math.floor(n / 0x80)) bytes.push((n % 0x80) | 0x80);
    return [...bytes, n];
  };
  const base = '0123456789abcdefghi\n';
  const baseBlob = '850c6ea7b7d2bd256e07c10c0b5f4f292ac02549';
  /** A delta against `base` that copies its first `copy` bytes, then appends `extra`, declaring `resultSize`. */
  const deltaPatch = (resultSize: number, extra = '', copy = base.length) => {
    const delta = Buffer.from([...varint(base.length), ...varint(resultSize), 0x91, 0x00, copy, ...(extra ? [extra.length, ...Buffer.from(extra)] : [])]);
    return `diff --git a/b.bin b/b.bin\nindex ${baseBlob}..89abcde 100644\nGIT binary patch\n${binaryBlock('delta', delta)}`;
  };
  beforeEach(() => fs.writeFileSync(path.join(repo, 'b.bin'), base));

  it('applies within the limits', () => {
    expect(applyPatch({ diff: deltaPatch(base.length + 1, '!') }, { repo, allowBinary: true }).outcome).toBe('applied');
    expect(fs.readFileSync(path.join(repo, 'b.bin'), 'utf8')).toBe(`${base}!`);
  });

  it('refuses a result over 4 GiB as a conflict before allocating it', () => {
    const report = checkPatch({ diff: deltaPatch(5 * 2 ** 30) }, { repo, allowBinary: true });
    expect(report).toMatchObject({ outcome: 'conflict', files: [{ status: 'conflict', detail: expect.stringMatching(/declares a result of 5368709120 bytes, more than the \d+-byte limit/) }] });
  });

  it('caps the result at the file size limit, or at the old size of a file already over it', () => {
    const declared100 = { diff: deltaPatch(100) };
    expect(checkPatch(declared100, { repo, allowBinary: true, limits: { maxFileBytes: 50 } })).toMatchObject({
      outcome: 'conflict',
      files: [{ detail: 'binary delta declares a result of 100 bytes, more than the 50-byte limit' }],
    });
    const limits = { maxFileBytes: 10 };
    expect(checkPatch({ diff: deltaPatch(base.length, '!', base.length - 1) }, { repo, allowBinary: true, limits }).outcome).toBe('passed');
    expect(checkPatch({ diff: deltaPatch(base.length + 1, '!') }, { repo, allowBinary: true, limits })).toMatchObject({
      outcome: 'conflict',
      files: [{ detail: `binary delta declares a result of ${base.length + 1} bytes, more than the ${base.length}-byte limit` }],
    });
  });
});

describe('detectCaseInsensitive', () => {
  it('says no on this filesystem (case-sensitive Linux)', () => {
    fs.mkdirSync(path.join(repo, '.git'));
    expect(detectCaseInsensitive(nodeFsLayer, fs.realpathSync(repo))).toBe(false);
  });

  it('says yes when a case-swapped name is the same inode', () => {
    const folding: FsLayer = { ...nodeFsLayer, lstat: (p) => nodeFsLayer.lstat(p) ?? nodeFsLayer.lstat(path.join(path.dirname(p), path.basename(p).toLowerCase())) };
    fs.mkdirSync(path.join(repo, 'lower'));
    const root = fs.realpathSync(repo);
    expect(detectCaseInsensitive({ ...folding, readdir: () => ['lower'] }, root)).toBe(true);
  });
});
