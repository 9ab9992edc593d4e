/*
 * The run kernel: the only code that changes run, tier or phase state, creates or ends a lease, or
 * appends a run event. Feature folders call these functions; each opens (or joins) one transaction
 * that locks the run row first (locked-run.ts documents the lock order).
 */
export { lockRunOf, withLockedRun, type LockedRun } from './locked-run';
export { recordEvent, type EventSubject } from './events';
export { fencePhase, hashLeaseToken, type Fence, type FenceOutcome } from './fencing';
export { deriveTierState, finalRunVerdict } from './derived-states';
export { changePhaseState, type PhaseChange } from './update-status';
export { reportedStatus, type ReportedStatus } from './predecessor-status';
export { retryPhase, skipPhase, type OperatorAction } from './operator-actions';
export { claimPhase, expireLease, heartbeatLease, releaseLease, type GrantedLease, type HeartbeatOutcome } from './leases';
export { cancelRun, enforceBudget, timeOutRun } from './run-endings';
export { blockPhase, resolveBlocked } from './approval-hooks';
