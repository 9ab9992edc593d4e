import { checkPatch, isLiteralPath } from '../src';
import { makeRepo, removeTree } from './helpers/temp-tree';

let work: string;
let repo: string;

beforeEach(() => {
  ({ work, repo } = makeRepo('grants', { '.env': 'SECRET=1\n', '.github/workflows/x.yml': 'on: push\n', '.github/workflows/notes.txt': 'n\n', 'docs/a.md': '# a\n' }));
});
afterEach(() => removeTree(work));

const modify = (path: string) => ({ operations: [{ path, mode: 'modify' as const, content: 'changed\n' }] });

describe('grants are literal paths, not globs', () => {
  // Each of these matches the protected target as a picomatch glob; an approved grant must not.
  it.each([
    ['**/*.txt', '.github/workflows/notes.txt'],
    ['**', '.env'],
    ['*', '.env'],
    ['?env', '.env'],
    ['!x', '.env'],
    ['!docs/a.md', '.env'],
    ['docs/a.md|.env', '.env'],
    ['{docs/a.md,.env}', '.env'],
    ['[.]env', '.env'],
    ['.env*', '.env'],
    ['!(x)/**/*.yml', '.github/workflows/x.yml'],
    ['.github/**', '.github/workflows/x.yml'],
    ['.github', '.github/workflows/x.yml'],
    ['.ENV', '.env'],
  ])('a grant of %j does not unlock the protected %s', (grant, target) => {
    const report = checkPatch(modify(target), { repo, grants: [grant] });
    expect(report.violations).toEqual([{ code: 'protected_path', path: target, detail: 'protected path' }]);
  });

  it.each([
    ['.env', '.env'],
    ['./.env', '.env'],
    ['.github\\workflows\\x.yml', '.github/workflows/x.yml'],
  ])('a grant of %j unlocks exactly %s', (grant, target) => {
    expect(checkPatch(modify(target), { repo, grants: [grant] }).outcome).toBe('passed');
  });

  it('grants a real name that looks like a pattern, and only that name', () => {
    const create = (path: string) => ({ operations: [{ path, mode: 'create' as const, content: 'x\n' }] });
    const scope = ['src/'];
    expect(checkPatch(create('app/[slug]/page.tsx'), { repo, scope, grants: ['app/[slug]/page.tsx'] }).outcome).toBe('passed');
    expect(checkPatch(create('app/s/page.tsx'), { repo, scope, grants: ['app/[slug]/page.tsx'] }).violations).toMatchObject([{ code: 'out_of_scope' }]);
  });
});

describe('isLiteralPath', () => {
  it.each([
    ['docs/a.md', true],
    ['src/routes/+page.svelte', true],
    ['packages/@scope/pkg/README.md', true],
    ['docs/wow!.md', true],
    ['docs/c++.md', true],
    ['*', false],
    ['?env', false],
    ['**/*.txt', false],
    ['!docs/a.md', false],
    ['docs/a.md|.env', false],
    ['{docs/a.md,.env}', false],
    ['docs/[.]env', false],
    ['@(docs)/a.md', false],
    ['!(x)/a.md', false],
    ['app/(auth)/page.tsx', false],
  ])('%s → %s', (path, expected) => {
    expect(isLiteralPath(path)).toBe(expected);
  });
});
