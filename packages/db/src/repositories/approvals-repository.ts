import type { Insertable } from 'kysely';
import type { ApprovalStatus } from '@autopack/contracts';
import type { ApprovalRequestKind, ApprovalRequestRow, ApprovalRequestsTable } from '../schema';
import type { Db } from '../transaction';

export type NewApprovalRequest = Omit<Insertable<ApprovalRequestsTable>, 'requested_paths' | 'details'> & {
  requested_paths: string[];
  details: Record<string, unknown>;
};

export async function insertApprovalRequest(db: Db, request: NewApprovalRequest): Promise<ApprovalRequestRow> {
  return db
    .insertInto('approval_requests')
    .values({ ...request, requested_paths: JSON.stringify(request.requested_paths), details: JSON.stringify(request.details) })
    .returningAll()
    .executeTakeFirstOrThrow();
}

export async function findApprovalRequest(db: Db, requestId: string): Promise<ApprovalRequestRow | undefined> {
  return db.selectFrom('approval_requests').selectAll().where('request_id', '=', requestId).executeTakeFirst();
}

export async function listPendingApprovals(
  db: Db,
  kinds: readonly ApprovalRequestKind[],
  limit: number,
  offset: number,
): Promise<ApprovalRequestRow[]> {
  return db
    .selectFrom('approval_requests')
    .selectAll()
    .where('status', '=', 'pending')
    .where('kind', 'in', kinds)
    .orderBy('created_at')
    .orderBy('request_id')
    .limit(limit)
    .offset(offset)
    .execute();
}

/** How many requests of these kinds are pending (every page of listPendingApprovals). */
export async function countPendingApprovals(db: Db, kinds: readonly ApprovalRequestKind[]): Promise<number> {
  const row = await db
    .selectFrom('approval_requests')
    .select((eb) => eb.fn.countAll<string | number>().as('count'))
    .where('status', '=', 'pending')
    .where('kind', 'in', kinds)
    .executeTakeFirstOrThrow();
  return Number(row.count);
}

/** Records a decision on a pending request; undefined when it was no longer pending. */
export async function decideApprovalRequest(
  db: Db,
  requestId: string,
  decision: { status: Exclude<ApprovalStatus, 'pending'>; decided_by: string; decision_reason: string; decided_at: Date },
): Promise<ApprovalRequestRow | undefined> {
  return db
    .updateTable('approval_requests')
    .set(decision)
    .where('request_id', '=', requestId)
    .where('status', '=', 'pending')
    .returningAll()
    .executeTakeFirst();
}

/** Cancels every pending request of a phase (its run finished or the phase was taken over). */
export async function cancelPendingApprovals(
  db: Db,
  key: { run_id: string; phase_id: string },
  decidedBy: string,
  reason: string,
  now: Date,
): Promise<number> {
  const result = await db
    .updateTable('approval_requests')
    .set({ status: 'cancelled', decided_by: decidedBy, decision_reason: reason, decided_at: now })
    .where('run_id', '=', key.run_id)
    .where('phase_id', '=', key.phase_id)
    .where('status', '=', 'pending')
    .executeTakeFirst();
  return Number(result.numUpdatedRows);
}

/** Pending requests past their deadline (the reaper's work list). */
export async function listTimedOutApprovals(db: Db, now: Date, limit: number): Promise<Pick<ApprovalRequestRow, 'request_id' | 'run_id'>[]> {
  return db
    .selectFrom('approval_requests')
    .select(['request_id', 'run_id'])
    .where('status', '=', 'pending')
    .where('expires_at', '<=', now)
    .orderBy('expires_at')
    .limit(limit)
    .execute();
}

/** What was approved for a phase: governance grants (paths) and approved decision kinds. */
export async function listApproved(db: Db, runId: string, phaseId: string): Promise<Pick<ApprovalRequestRow, 'kind' | 'requested_paths'>[]> {
  return db
    .selectFrom('approval_requests')
    .select(['kind', 'requested_paths'])
    .where('run_id', '=', runId)
    .where('phase_id', '=', phaseId)
    .where('status', '=', 'approved')
    .orderBy('created_at')
    .execute();
}
