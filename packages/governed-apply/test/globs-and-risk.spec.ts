import { assessRisk, compileGlobs, DEFAULT_PROTECTED_PATHS } from '../src';

describe('compileGlobs', () => {
  const scope = compileGlobs(['src', 'docs/', 'packages/*/src/**/*.ts'], { nocase: false });
  it.each([
    ['src/a.ts', true],
    ['src/deep/.hidden', true],
    ['src', true],
    ['docs/guide.md', true],
    ['packages/db/src/x/y.ts', true],
    ['packages/db/src/x/y.js', false],
    ['SRC/a.ts', false],
    ['srcx/a.ts', false],
    ['README.md', false],
  ])('scope matches %s: %s', (path, expected) => {
    expect(scope(path)).toBe(expected);
  });

  const isProtected = compileGlobs(DEFAULT_PROTECTED_PATHS, { nocase: true });
  it.each([
    ['.env', true],
    ['.ENV', true],
    ['.env.local', true],
    ['apps/api/.env', true],
    ['apps/api/.env.production', true],
    ['.envrc', true],
    ['.env-prod', true],
    ['config/.env_local', true],
    ['environment.ts', false],
    ['.github/workflows/ci.yml', true],
    ['.github/actions/setup/action.yml', true],
    ['.gitlab-ci.yml', true],
    ['.circleci/config.yml', true],
    ['Jenkinsfile', true],
    ['azure-pipelines.yml', true],
    ['.husky/pre-commit', true],
    ['.githooks/pre-push', true],
    ['docs/Jenkinsfile.md', false],
    ['.GitHub/Workflows/ci.yml', true],
    ['.github/CODEOWNERS', false],
    ['.autopack/data/x', true],
    ['.git/config', true],
    ['src/env.ts', false],
  ])('default protected paths: %s → %s', (path, expected) => {
    expect(isProtected(path)).toBe(expected);
  });

  it('matches nothing with no patterns', () => {
    expect(compileGlobs([], { nocase: false })('anything')).toBe(false);
  });
});

describe('assessRisk', () => {
  it.each([
    [['test/a.spec.ts', 'docs/x.md'], 20, 'low'],
    [['README.md'], 100, 'low'],
    [['README.md'], 101, 'medium'],
    [['src/app.ts'], 1, 'medium'],
    [['src/app.ts', 'package.json'], 1, 'high'],
    [['db/migrations/001.sql'], 1, 'high'],
    [['src/auth/keys.ts'], 1, 'high'],
    [['Dockerfile'], 1, 'high'],
    [['.github/workflows/ci.yml'], 1, 'critical'],
    [['config/.env.production'], 1, 'critical'],
    [['docs/x.md', '.gitlab-ci.yml'], 1, 'critical'],
    [['certs/server.pem'], 1, 'critical'],
    [[], 0, 'low'],
  ])('%j with %i changed lines is %s', (paths, lines, level) => {
    expect(assessRisk(paths, lines)).toBe(level);
  });
});
