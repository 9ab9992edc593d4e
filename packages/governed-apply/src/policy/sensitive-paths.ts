/*
 * Paths whose change reaches beyond the repository's code: CI configuration and hooks run with the
 * repository's secrets or on people's machines, and env files hold secrets. Protected by default
 * (SPEC §6: `.git/**`, `.env*`, `.autopack/**`, CI config) and rated critical for governance.
 * A pattern names a path and everything below it (see globs.ts).
 */

export const CI_AND_HOOK_PATHS: readonly string[] = Object.freeze([
  '.github/workflows',
  '.github/actions',
  '.gitlab-ci.yml',
  '.gitlab/ci',
  '.circleci',
  '.travis.yml',
  'azure-pipelines.yml',
  '.azure-pipelines',
  '.buildkite',
  'Jenkinsfile',
  'bitbucket-pipelines.yml',
  '.drone.yml',
  '.husky',
  '.githooks',
]);

/** `.env`, `.env.local`, `.envrc`, `.env-prod`… at any depth. */
export const ENV_FILE_PATHS: readonly string[] = Object.freeze(['**/.env*']);
