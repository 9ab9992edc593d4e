import * as fs from 'node:fs';
import * as path from 'node:path';
import { applyPatch, checkPatch, DEFAULT_PROTECTED_PATHS, nodeFsLayer, type FsLayer } from '../src';
import { readSnapshot } from '../src/apply/snapshot';
import { compileGlobAncestors } from '../src/policy/globs';
import { listTree, makeRepo, removeTree, type TreeEntry } from './helpers/temp-tree';

const newFile = (rel: string, line: string) => `diff --git a/${rel} b/${rel}\nnew file mode 100644\n--- /dev/null\n+++ b/${rel}\n@@ -0,0 +1 @@\n+${line}\n`;
const newLink = (rel: string, target: string) =>
  `diff --git a/${rel} b/${rel}\nnew file mode 120000\n--- /dev/null\n+++ b/${rel}\n@@ -0,0 +1 @@\n+${target}\n\\ No newline at end of file\n`;
const deleteLink = (rel: string, target: string) =>
  `diff --git a/${rel} b/${rel}\ndeleted file mode 120000\n--- a/${rel}\n+++ /dev/null\n@@ -1 +0,0 @@\n-${target}\n\\ No newline at end of file\n`;
const copy = (from: string, to: string) => `diff --git a/${from} b/${to}\nsimilarity index 100%\ncopy from ${from}\ncopy to ${to}\n`;

let work: string;
let repo: string;
let outside: string;

function setUp(entries: Record<string, TreeEntry>): void {
  ({ work, repo } = makeRepo('links', { 'README.md': '# r\n', ...entries }));
  outside = path.join(work, 'outside');
  fs.mkdirSync(outside);
  fs.writeFileSync(path.join(outside, 'creds'), 'token=s3cret\n');
}
afterEach(() => removeTree(work));

/** The real filesystem, recording every path whose content is read. */
function recordingFs(): FsLayer & { read: string[] } {
  const read: string[] = [];
  const layer: FsLayer = {
    ...nodeFsLayer,
    readFile: (p) => {
      read.push(p);
      return nodeFsLayer.readFile(p);
    },
  };
  return Object.assign(layer, { read });
}

/** Check, then apply: both refuse with `codes`, nothing changes inside the repository or beside it. */
function expectRefused(diff: string, codes: string[], options: { allowSymlinks?: boolean } = {}): void {
  const before = [listTree(repo), listTree(outside)];
  const fsLayer = recordingFs();
  for (const run of [checkPatch, applyPatch]) {
    const report = run({ diff }, { repo, fs: fsLayer, ...options });
    expect(report.outcome).toBe('rejected');
    expect([...new Set(report.violations.map((v) => v.code))].sort()).toEqual(codes);
  }
  expect([listTree(repo), listTree(outside)]).toEqual(before);
  const throughLink = (p: string) => !p.startsWith(`${repo}/`) || /\/(vendor|gl)\//.test(p);
  expect(fsLayer.read.filter(throughLink)).toEqual([]);
}

describe('reads judged against the disk as it is', () => {
  it('refuses a copy through a symlink the same patch deletes, and never reads the file behind it', () => {
    setUp({ vendor: { symlink: '../outside' } });
    expectRefused(deleteLink('vendor', '../outside') + copy('vendor/creds', 'docs/creds.txt'), ['symlink_escape']);
  });

  it('refuses a copy of .git/config through a deleted symlink to .git', () => {
    setUp({ gl: { symlink: '.git' }, '.git/config': '[core]\n' });
    expectRefused(deleteLink('gl', '.git') + copy('gl/config', 'docs/config.txt'), ['beyond_symlink', 'git_directory']);
  });

  it('refuses to read content through a symlinked parent even when policy is bypassed', () => {
    setUp({ vendor: { symlink: '../outside' } });
    expect(() => readSnapshot(nodeFsLayer, repo, 'vendor/creds', 'refuse')).toThrow(/through the symlink vendor/);
    expect(readSnapshot(nodeFsLayer, repo, 'vendor/creds', 'absent')).toBeNull();
  });
});

describe('symlinks judged again against the final tree', () => {
  it.each([
    ['the link first', newLink('d', 'x/..') + newLink('x', '.')],
    ['the link it resolves through first', newLink('x', '.') + newLink('d', 'x/..')],
  ])('refuses d -> x/.. with x -> . (%s)', (_, diff) => {
    setUp({});
    expectRefused(diff, ['symlink_escape'], { allowSymlinks: true });
  });

  it('leaves an existing link that already pointed outside to the repository (not this patch)', () => {
    setUp({ vendor: { symlink: '../outside' } });
    expect(checkPatch({ diff: newLink('docs-link', 'README.md') }, { repo, allowSymlinks: true }).outcome).toBe('passed');
  });
});

describe('symlinks and protected paths', () => {
  it('refuses .github -> ci in a repository without .github', () => {
    setUp({});
    expectRefused(newFile('ci/workflows/evil.yml', 'on: push') + newLink('.github', 'ci'), ['protected_path'], { allowSymlinks: true });
  });

  it('judges a write below an existing .github -> ci as a write to .github/workflows', () => {
    setUp({ '.github': { symlink: 'ci' }, 'ci/README.md': 'ci\n' });
    expectRefused(newFile('ci/workflows/evil.yml', 'on: push'), ['protected_path']);
    expect(checkPatch({ diff: newFile('ci/other.yml', 'fine') }, { repo }).outcome).toBe('passed');
  });

  it('judges a write through an existing ci -> .github/workflows where it lands', () => {
    setUp({ '.github/workflows/ci.yml': 'on: push\n', ci: { symlink: '.github/workflows' } });
    expectRefused(newFile('ci/x.yml', 'on: push'), ['beyond_symlink', 'protected_path']);
  });

  it('lets a grant lift the protection a symlink place has', () => {
    setUp({});
    const report = checkPatch({ diff: newLink('.github', 'ci') }, { repo, allowSymlinks: true, grants: ['.github'] });
    expect(report.violations).toEqual([]);
  });
});

describe('grants for a file protected through an existing symlink', () => {
  const edit = (...paths: string[]) => ({ operations: paths.map((path) => ({ path, mode: 'modify' as const, content: 'changed\n' })) });
  const rename = (from: string, to: string) => ({ diff: `diff --git a/${from} b/${to}\nsimilarity index 100%\nrename from ${from}\nrename to ${to}\n` });
  const refusedAt = (input: Parameters<typeof checkPatch>[0], grants: string[]) => {
    const report = checkPatch(input, { repo, grants });
    expect(report.outcome).toBe('rejected');
    return report.violations.map((v) => `${v.code} ${v.path}`);
  };

  // What the executor does: file the reported paths as a governance request, retry with them granted.
  it.each([
    ['.github -> ci', { '.github': { symlink: 'ci' }, 'ci/workflows/x.yml': 'on: push\n' }, edit('ci/workflows/x.yml')],
    ['.github -> ci, renamed', { '.github': { symlink: 'ci' }, 'ci/workflows/x.yml': 'on: push\n' }, rename('ci/workflows/x.yml', 'ci/workflows/y.yml')],
    ['.husky -> tools/hooks', { '.husky': { symlink: 'tools/hooks' }, 'tools/hooks/pre-commit': 'npm test\n' }, edit('tools/hooks/pre-commit')],
    ['.github -> .circleci, protected itself too', { '.github': { symlink: '.circleci' }, '.circleci/workflows/x.yml': 'on: push\n' }, edit('.circleci/workflows/x.yml')],
  ] satisfies [string, Record<string, TreeEntry>, Parameters<typeof applyPatch>[0]][])(
    'a grant of exactly the reported paths unlocks the change (%s)',
    (_, entries, input) => {
      setUp(entries);
      const refused = checkPatch(input, { repo });
      expect(refused.outcome).toBe('rejected');
      expect(new Set(refused.violations.map((v) => v.code))).toEqual(new Set(['protected_path']));
      const grants = [...new Set(refused.violations.map((v) => v.path))];
      expect(applyPatch(input, { repo, grants }).outcome).toBe('applied');
    },
  );

  it('reports the file the patch changes, naming the protected path it is through the symlink', () => {
    setUp({ '.github': { symlink: 'ci' }, 'ci/workflows/x.yml': 'on: push\n' });
    expect(checkPatch(edit('ci/workflows/x.yml'), { repo }).violations).toEqual([
      {
        code: 'protected_path',
        path: 'ci/workflows/x.yml',
        detail: 'through the symlink ".github", this is the protected ".github/workflows/x.yml"',
        // A governance request names it too, so the server rates CI config, not a plain "ci/" file.
        protected_as: '.github/workflows/x.yml',
      },
    ]);
  });

  it('a grant of the name through the symlink does not unlock the file behind it', () => {
    setUp({ '.github': { symlink: 'ci' }, 'ci/workflows/x.yml': 'on: push\n' });
    expect(refusedAt(edit('ci/workflows/x.yml'), ['.github/workflows/x.yml', '.github/workflows', '.github'])).toEqual(['protected_path ci/workflows/x.yml']);
  });

  it('a grant unlocks only the file it names, not others below the same or another symlink', () => {
    setUp({
      '.github': { symlink: 'ci' },
      '.husky': { symlink: 'hooks' },
      'ci/workflows/x.yml': 'on: push\n',
      'ci/workflows/y.yml': 'on: push\n',
      'hooks/pre-commit': 'npm test\n',
    });
    const input = edit('ci/workflows/x.yml', 'ci/workflows/y.yml', 'hooks/pre-commit');
    expect(refusedAt(input, ['ci/workflows/x.yml'])).toEqual(['protected_path ci/workflows/y.yml', 'protected_path hooks/pre-commit']);
    expect(refusedAt(input, ['ci/workflows/x.yml', 'ci/workflows/y.yml', '.husky/pre-commit', 'ci/workflows/x.yml/pre-commit'])).toEqual([
      'protected_path hooks/pre-commit',
    ]);
  });

  it('a rename needs both of its reported paths granted', () => {
    setUp({ '.github': { symlink: 'ci' }, 'ci/workflows/x.yml': 'on: push\n' });
    const input = rename('ci/workflows/x.yml', 'ci/workflows/y.yml');
    expect(refusedAt(input, ['ci/workflows/x.yml'])).toEqual(['protected_path ci/workflows/y.yml']);
    expect(refusedAt(input, ['ci/workflows/y.yml'])).toEqual(['protected_path ci/workflows/x.yml']);
  });
});

describe('a directory in the planned tree', () => {
  it('cannot become a symlink without being deleted first: check reports the conflict apply would hit', () => {
    setUp({});
    const diff = newFile('a/b.txt', 'b') + newLink('a', 'README.md');
    const report = checkPatch({ diff }, { repo, allowSymlinks: true });
    expect(report.outcome).toBe('conflict');
    expect(report.files[1]).toMatchObject({ path: 'a', status: 'conflict', detail: '"a" is a directory' });
  });
});

describe('compileGlobAncestors', () => {
  const protectsBelow = compileGlobAncestors([...DEFAULT_PROTECTED_PATHS, 'deploy/*/secrets.yml', '**/keys/prod/**'], { nocase: true });
  it.each([
    ['.github', true],
    ['.GitHub', true],
    ['.autopack', true],
    ['deploy', true],
    ['deploy/eu', true],
    ['deploy/eu/other', false],
    ['src/keys', true],
    ['keys', true],
    ['src', false],
    ['docs/.github-notes', false],
    ['apps/api', false],
  ])('%s → %s', (dir, expected) => {
    expect(protectsBelow(dir)).toBe(expected);
  });
});
