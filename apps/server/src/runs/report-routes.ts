import { Router } from 'express';
import { routes } from '@autopack/contracts';
import type { AppServices } from '../app-context';
import { mount, mountOptions } from '../http/mount';
import { listPhases } from '../phases/phase-listing';
import { getRunErrorSummary, listRunErrors } from './run-errors';
import { getRunIssueIndex } from './run-issue-index';

/** Reads the predecessor's tools call: a run's issue index and failures, and the list of phases. */
export function runReportRoutes(services: AppServices): Router {
  const router = Router();
  const db = services.database.db;
  const opts = mountOptions(services);

  mount(router, 'getRunIssueIndex', routes.getRunIssueIndex, async ({ params }) => ({
    status: 200,
    body: await getRunIssueIndex(db, params.run_id),
  }), opts);

  mount(router, 'listRunErrors', routes.listRunErrors, async ({ params, query }) => ({
    status: 200,
    body: await listRunErrors(db, params.run_id, query),
  }), opts);

  mount(router, 'getRunErrorSummary', routes.getRunErrorSummary, async ({ params }) => ({
    status: 200,
    body: await getRunErrorSummary(db, params.run_id),
  }), opts);

  mount(router, 'listPhases', routes.listPhases, async ({ query }) => ({ status: 200, body: await listPhases(db, query) }), opts);

  return router;
}
