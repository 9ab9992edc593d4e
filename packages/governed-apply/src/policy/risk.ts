import type { ApplyRiskLevel } from '@autopack/contracts';
import { compileGlobs } from './globs';
import { CI_AND_HOOK_PATHS, ENV_FILE_PATHS } from './sensitive-paths';

// Paths are matched case-insensitively, like protected paths.
const CRITICAL = compileGlobs(
  [
    '**/.git',
    '.autopack',
    ...ENV_FILE_PATHS,
    ...CI_AND_HOOK_PATHS,
    '.gitmodules',
    '**/*.pem',
    '**/*.key',
    '**/id_rsa*',
  ],
  { nocase: true },
);

const HIGH = compileGlobs(
  [
    '**/package.json',
    '**/package-lock.json',
    '**/npm-shrinkwrap.json',
    '**/yarn.lock',
    '**/pnpm-lock.yaml',
    '**/.npmrc',
    '**/requirements*.txt',
    '**/pyproject.toml',
    '**/poetry.lock',
    '**/setup.py',
    '**/setup.cfg',
    '**/go.mod',
    '**/go.sum',
    '**/Cargo.toml',
    '**/Cargo.lock',
    '**/Gemfile',
    '**/Gemfile.lock',
    '**/Dockerfile*',
    '**/docker-compose*.yml',
    '**/*.tf',
    '**/migrations',
    '**/auth',
    '**/security',
    '**/Makefile',
    '.github',
    '.gitattributes',
    '.gitignore',
  ],
  { nocase: true },
);

const TESTS_AND_DOCS = compileGlobs(
  [
    '**/test',
    '**/tests',
    '**/__tests__',
    '**/spec',
    '**/*.spec.*',
    '**/*.test.*',
    '**/*_test.*',
    '**/test_*.py',
    '**/docs',
    '**/doc',
    '**/*.md',
    '**/*.mdx',
    '**/*.rst',
    '**/*.adoc',
    '**/*.txt',
    '**/LICENSE*',
    '**/CHANGELOG*',
  ],
  { nocase: true },
);

/** Changes up to this many lines may be low risk (SPEC §4.7's auto-approve bound). */
export const LOW_RISK_MAX_CHANGED_LINES = 100;

/**
 * Risk of a change from the paths it touches, for governance (SPEC §4.7). `critical`: repository
 * internals, secrets, CI configuration; `high`: dependencies, build, infrastructure, migrations,
 * auth code; `low`: tests and docs only, at most 100 changed lines; `medium`: everything else.
 * Pure: the server may call it on requested paths without touching a repository.
 */
export function assessRisk(paths: readonly string[], changedLines: number): ApplyRiskLevel {
  if (paths.some((p) => CRITICAL(p))) return 'critical';
  if (paths.some((p) => HIGH(p))) return 'high';
  if (paths.length > 0 && paths.every((p) => TESTS_AND_DOCS(p)) && changedLines <= LOW_RISK_MAX_CHANGED_LINES) return 'low';
  return paths.length === 0 ? 'low' : 'medium';
}
