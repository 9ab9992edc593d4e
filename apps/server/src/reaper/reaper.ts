import { listExpiredLeases, listTimedOutApprovals, purgeIdempotencyKeys, listOverdueRuns, type Db } from '@autopack/db';
import type { Logger } from '@autopack/logging';
import type { AppServices } from '../app-context';
import { timeOutRequest } from '../governance/approval-decisions';
import { expireLease, timeOutRun } from '../kernel';

/** Idempotency keys are kept this long: far longer than any client retries a request. */
const IDEMPOTENCY_KEY_TTL_MS = 24 * 60 * 60 * 1000;
/** Items handled per kind and sweep; the next sweep continues. */
const BATCH = 100;

export interface SweepResult {
  leases_expired: number;
  runs_timed_out: number;
  approvals_timed_out: number;
  idempotency_keys_purged: number;
}

export interface Reaper {
  /** One pass over everything that is due by the injected clock. Tests call it directly. */
  sweep(): Promise<SweepResult>;
  /** Sweeps every `reaperIntervalMs` until `stop()`; a sweep that fails is logged and retried next time. */
  start(): void;
  stop(): Promise<void>;
}

/**
 * The background task of SPEC §4.3/§4.7: expired leases, runs past max_duration_minutes, approval
 * timeouts. Safe when several server instances run it at once: each item is re-checked and changed
 * under its run's lock in its own transaction, so a second reaper finds nothing left to do.
 */
export function createReaper(services: Pick<AppServices, 'database' | 'clock' | 'config' | 'logger'>): Reaper {
  const { clock, config, logger } = services;
  const db: Db = services.database.db;
  let timer: NodeJS.Timeout | undefined;
  let running: Promise<unknown> | undefined;
  let stopped = false;

  async function each<T>(items: T[], act: (item: T) => Promise<boolean>, what: string, log: Logger): Promise<number> {
    let done = 0;
    for (const item of items) {
      try {
        if (await act(item)) done += 1;
      } catch (err) {
        log.error(`reaper: ${what} failed`, { err, item });
      }
    }
    return done;
  }

  async function sweep(): Promise<SweepResult> {
    const now = clock.now();
    const leases = await listExpiredLeases(db, now, BATCH);
    const leases_expired = await each(leases, (l) => expireLease(db, clock, l.lease_id), 'lease expiry', logger);
    const runs = await listOverdueRuns(db, now, BATCH);
    const runs_timed_out = await each(runs, (r) => timeOutRun(db, clock, r.run_id), 'run timeout', logger);
    const approvals = await listTimedOutApprovals(db, now, BATCH);
    const approvals_timed_out = await each(approvals, (a) => timeOutRequest(db, clock, config, a.request_id), 'approval timeout', logger);
    const idempotency_keys_purged = await purgeIdempotencyKeys(db, new Date(now.getTime() - IDEMPOTENCY_KEY_TTL_MS));
    const result = { leases_expired, runs_timed_out, approvals_timed_out, idempotency_keys_purged };
    if (leases_expired + runs_timed_out + approvals_timed_out > 0) logger.info('reaper sweep', result);
    return result;
  }

  const schedule = () => {
    if (stopped) return;
    timer = setTimeout(() => {
      running = sweep()
        .catch((err: unknown) => logger.error('reaper sweep failed; retrying at the next interval', { err }))
        .finally(() => {
          running = undefined;
          schedule();
        });
    }, config.work.reaperIntervalMs);
  };

  return {
    sweep,
    start: () => {
      stopped = false;
      schedule();
    },
    stop: async () => {
      stopped = true;
      clearTimeout(timer);
      await running;
    },
  };
}
