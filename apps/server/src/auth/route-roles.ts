import type { Role, RouteId } from '@autopack/contracts';

export type RouteAccess = 'public' | readonly Role[];

const readers: readonly Role[] = ['admin', 'operator', 'executor', 'viewer'];
const phaseWriters: readonly Role[] = ['admin', 'operator', 'executor'];
const operators: readonly Role[] = ['admin', 'operator'];
const executors: readonly Role[] = ['admin', 'executor'];

/**
 * Who may call each route: the one table of access rules (SPEC §7, least privilege per route).
 * Executors claim, heartbeat, release and write about the phases they lease (fenced writes also
 * need the lease token, see phases/lease-fence.ts); operators and admins steer (cancel, retry,
 * skip, pause, resume, decide); viewers read.
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
  recordUsage: phaseWriters,
  claimPhase: executors,
  heartbeatLease: executors,
  releaseLease: executors,
  cancelRun: operators,
  retryPhase: operators,
  skipPhase: operators,
  pauseExecution: operators,
  resumeExecution: operators,
  getExecutionStatus: readers,
  createGovernanceRequest: phaseWriters,
  listGovernancePending: readers,
  decideGovernance: operators,
  createApprovalRequest: phaseWriters,
  getApprovalStatus: readers,
  listApprovalPending: readers,
  decideApproval: operators,
  uploadArtifact: phaseWriters,
  getArtifactIndex: readers,
  getArtifactFile: readers,
  getIssueBacklog: readers,
  getHealth: 'public',
  getReady: 'public',
  getOpenApi: 'public',
};
