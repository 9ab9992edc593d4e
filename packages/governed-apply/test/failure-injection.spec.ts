import * as fs from 'node:fs';
import * as path from 'node:path';
import { applyPatch, type GovernedApplyOptions } from '../src';
import { faultyFs, type Fault } from './helpers/faulty-fs';
import { git, listTree, makeRepo, makeTempDir, removeTree, writeTree } from './helpers/temp-tree';

// One patch that exercises every kind of step: modify (with exact permissions to restore), create in
// new directories, delete (emptying and pruning a directory with unusual permissions), rename into a
// new directory, mode change, symlink create and delete, binary literal.
const work = makeTempDir('faults');
const template = path.join(work, 'template');
const repo0 = path.join(template, 'repo');
fs.mkdirSync(repo0, { recursive: true });
writeTree(repo0, {
  'README.md': '# Readme\n',
  'src/app.ts': 'one\r\ntwo\r\nthree\r\nfour\r\n',
  'src/old/only.txt': 'the only file here\n',
  'lib/move.ts': Array.from({ length: 8 }, (_, i) => `line ${i}\n`).join(''),
  'bin/run.sh': '#!/bin/sh\necho run\n',
  'docs/link': { symlink: '../README.md' },
  'outside-target/keep.txt': 'outside\n',
});
fs.chmodSync(path.join(repo0, 'src/app.ts'), 0o600);
fs.chmodSync(path.join(repo0, 'src/old'), 0o750);
git(repo0, ['init', '-q']);
git(repo0, ['add', '-A']);
git(repo0, ['commit', '-qm', 'base']);
fs.writeFileSync(path.join(repo0, 'src/app.ts'), 'one\r\nTWO\r\nthree\r\nfour\r\n');
fs.rmSync(path.join(repo0, 'src/old'), { recursive: true });
fs.mkdirSync(path.join(repo0, 'lib/new/place'), { recursive: true });
fs.renameSync(path.join(repo0, 'lib/move.ts'), path.join(repo0, 'lib/new/place/moved.ts'));
fs.appendFileSync(path.join(repo0, 'lib/new/place/moved.ts'), 'line 8\n');
fs.chmodSync(path.join(repo0, 'bin/run.sh'), 0o755);
fs.unlinkSync(path.join(repo0, 'docs/link'));
writeTree(repo0, {
  'assets/img/logo.bin': Buffer.from([0, 1, 2, 3, 255, 0, 7]),
  'new/deep/dir/file.txt': 'created\n',
  'docs/readme-link': { symlink: '../README.md' },
});
git(repo0, ['add', '-A']);
const PATCH = git(repo0, ['diff', '--cached', '-M', '--binary']);
git(repo0, ['reset', '-q', '--hard']);
git(repo0, ['clean', '-fdxq']);
fs.chmodSync(path.join(repo0, 'src/app.ts'), 0o600);
fs.chmodSync(path.join(repo0, 'src/old'), 0o750);
fs.rmSync(path.join(repo0, '.git'), { recursive: true });

const OPTIONS: Omit<GovernedApplyOptions, 'repo' | 'fs'> = { allowBinary: true, allowSymlinks: true, allowMassDeletion: true };

let caseCounter = 0;
function freshRepo(): string {
  const dir = path.join(work, `case-${++caseCounter}`);
  fs.cpSync(template, dir, { recursive: true, verbatimSymlinks: true });
  return path.join(dir, 'repo');
}

// How many calls a successful apply makes decides which k exist.
const counting = faultyFs(null);
const probeRepo = freshRepo();
const probe = applyPatch({ diff: PATCH }, { ...OPTIONS, repo: probeRepo, fs: counting });
const counts = { ...counting.counts };

const faults: Fault[] = [
  ...Array.from({ length: counts.writeNewFile }, (_, i) => ({ call: 'writeNewFile' as const, k: i + 1 })),
  ...Array.from({ length: counts.rename }, (_, i) => ({ call: 'rename' as const, k: i + 1 })),
  ...Array.from({ length: counts.any }, (_, i) => ({ call: 'any' as const, k: i + 1 })),
];

afterAll(() => removeTree(work));

describe('failure injection', () => {
  it('the patch applies cleanly without faults and exercises every kind of step', () => {
    expect(probe.outcome).toBe('applied');
    expect(counts.writeNewFile).toBeGreaterThanOrEqual(4);
    expect(counts.rename).toBeGreaterThanOrEqual(6);
    expect(counts.mkdir).toBeGreaterThanOrEqual(5);
    expect(counts.unlink).toBeGreaterThanOrEqual(3);
    expect(counts.rmdir).toBeGreaterThanOrEqual(1);
    expect(counts.symlink).toBe(1);
  });

  it.each(faults)('fails the $k-th $call: the tree is byte-identical to before and the report says why', (fault) => {
    const repo = freshRepo();
    const before = listTree(path.dirname(repo));
    const report = applyPatch({ diff: PATCH }, { ...OPTIONS, repo, fs: faultyFs(fault) });
    expect(report.outcome).toBe('failed');
    expect(report.error?.message).toMatch(/injected failure/);
    expect(report.rollback.status).toBe('complete');
    expect(report.files.every((f) => f.status === 'rolled_back')).toBe(true);
    expect(listTree(path.dirname(repo))).toEqual(before);
  });

  it('reports an incomplete rollback honestly when undoing fails too', () => {
    const repo = freshRepo();
    const report = applyPatch({ diff: PATCH }, { ...OPTIONS, repo, fs: faultyFs({ call: 'rename', k: 3, sticky: true }) });
    expect(report.outcome).toBe('failed');
    expect(report.rollback.status).toBe('incomplete');
    expect(report.rollback.errors.length).toBeGreaterThan(0);
  });

  it('does not overwrite a file that changed after it was checked, and rolls back the rest', () => {
    const repo = freshRepo();
    const concurrent = 'someone else wrote this\n';
    let done = false;
    const fsLayer = faultyFs(null, () => {
      if (done) return;
      done = true;
      fs.writeFileSync(path.join(repo, 'src/app.ts'), concurrent);
    });
    const before = listTree(repo).filter((e) => !e.startsWith('src/app.ts '));
    const report = applyPatch({ diff: PATCH }, { ...OPTIONS, repo, fs: fsLayer });
    expect(report.outcome).toBe('failed');
    expect(report.error?.message).toMatch(/src\/app\.ts changed on disk/);
    expect(report.rollback.status).toBe('complete');
    expect(fs.readFileSync(path.join(repo, 'src/app.ts'), 'utf8')).toBe(concurrent);
    expect(listTree(repo).filter((e) => !e.startsWith('src/app.ts '))).toEqual(before);
  });

  it('refuses to write through a directory swapped for a symlink after the check', () => {
    const repo = freshRepo();
    const outside = path.join(repo, 'outside-target');
    const outsideBefore = listTree(outside);
    let done = false;
    const fsLayer = faultyFs(null, (call) => {
      if (done || call !== 'writeNewFile') return;
      done = true;
      fs.renameSync(path.join(repo, 'src'), path.join(repo, 'src-real'));
      fs.symlinkSync('outside-target', path.join(repo, 'src'));
    });
    const report = applyPatch({ diff: PATCH }, { ...OPTIONS, repo, fs: fsLayer });
    expect(report.outcome).toBe('failed');
    expect(report.error?.message).toMatch(/src is not a directory/);
    // src/old/only.txt cannot be put back through the symlink either: said, not done.
    expect(report.rollback.status).toBe('incomplete');
    expect(report.rollback.errors.map((e) => e.path)).toContain('src/old/only.txt');
    expect(listTree(outside)).toEqual(outsideBefore);
  });

  it('reports a complete rollback when the temp file could not exist (its path is over PATH_MAX)', () => {
    const { work: longWork, repo } = makeRepo('long', {});
    try {
      // A directory chain whose absolute path leaves room for "/f" but not for "/.ga-<pid>-<n>.tmp".
      const segments: string[] = [];
      while (`${repo}/${[...segments, 'x'].join('/')}`.length < 4080) segments.push('d'.repeat(Math.min(200, 4080 - `${repo}/${segments.join('/')}`.length)));
      const dir = segments.join('/');
      fs.mkdirSync(path.join(repo, dir), { recursive: true });
      fs.writeFileSync(path.join(repo, dir, 'f'), 'a\n');
      const before = listTree(repo);
      const report = applyPatch({ diff: `--- a/${dir}/f\n+++ b/${dir}/f\n@@ -1 +1 @@\n-a\n+b\n` }, { repo });
      expect(report).toMatchObject({ outcome: 'failed', error: { code: 'io_error', message: expect.stringMatching(/ENAMETOOLONG/) } });
      expect(report.rollback).toEqual({ status: 'complete', restored: [], removed: [], errors: [] });
      expect(listTree(repo)).toEqual(before);
    } finally {
      removeTree(longWork);
    }
  });
});
