import type { Migration } from 'kysely';
import * as core from './2026-11-22T10-00-00-core';
import * as auth from './2026-11-22T11-00-00-auth';
import * as workDistribution from './2026-11-22T12-00-00-work-distribution';
import * as executors from './2026-11-22T13-00-00-executors';
import * as runBaseCommit from './2026-11-22T14-00-00-run-base-commit';
import * as externalRuns from './2026-12-06T10-00-00-external-runs';
import * as userEmail from './2026-12-06T11-00-00-user-email';
import * as attemptNewlyFailing from './2026-12-06T12-00-00-attempt-newly-failing';

/**
 * Every migration, by name. Names are timestamps so that they sort in the order they must run.
 * A test checks that each file in this folder is listed here.
 */
export const migrations: Readonly<Record<string, Migration>> = {
  '2026-11-22T10-00-00-core': core,
  '2026-11-22T11-00-00-auth': auth,
  '2026-11-22T12-00-00-work-distribution': workDistribution,
  '2026-11-22T13-00-00-executors': executors,
  '2026-11-22T14-00-00-run-base-commit': runBaseCommit,
  '2026-12-06T10-00-00-external-runs': externalRuns,
  '2026-12-06T11-00-00-user-email': userEmail,
  '2026-12-06T12-00-00-attempt-newly-failing': attemptNewlyFailing,
};
