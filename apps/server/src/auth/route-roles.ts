import type { Role, RouteId } from '@autopack/contracts';

export type RouteAccess = 'public' | readonly Role[];

const readers: readonly Role[] = ['admin', 'operator', 'executor', 'viewer'];
const phaseWriters: readonly Role[] = ['admin', 'operator', 'executor'];
const operators: readonly Role[] = ['admin', 'operator'];

/**
 * Who may call each route: the one table of access rules (SPEC §7, least privilege per route).
 * The compiler insists on an entry for every route of the contract.
 */
export const ROUTE_ACCESS: Readonly<Record<RouteId, RouteAccess>> = {
  startRun: operators,
  listRuns: readers,
  getRun: readers,
  getRunProgress: readers,
  listRunEvents: readers,
  updatePhaseStatus: phaseWriters,
  recordBuilderResult: phaseWriters,
  recordAuditorResult: phaseWriters,
  recordIssue: phaseWriters,
  getIssueBacklog: readers,
  getHealth: 'public',
  getReady: 'public',
  getOpenApi: 'public',
};
