import type { DatabaseHandle } from '@autopack/db';
import type { Logger } from '@autopack/logging';

export interface WorkWaiter {
  /** Resolves when work is announced, after `ms`, or when `signal` aborts, whichever is first. */
  wait(ms: number, signal?: AbortSignal): Promise<void>;
  cancel(): void;
}

/**
 * Wakes long-polling claims when work may have appeared: committed `announceWork` calls of any
 * server instance (LISTEN/NOTIFY on PostgreSQL, PGlite's in-process notifications). Waiters never
 * poll the database; they run the claim query once per wake-up.
 */
export interface WorkSignal {
  /** A waiter registered now: take it before looking for work, so no announcement is missed in between. */
  next(): Promise<WorkWaiter>;
  /** Wakes every waiter and makes later waits return at once (shutdown: long-polls answer 204). */
  close(): Promise<void>;
  readonly closed: boolean;
}

export function createWorkSignal(database: DatabaseHandle, logger?: Logger): WorkSignal {
  const waiters = new Set<() => void>();
  const wakeAll = () => {
    for (const wake of [...waiters]) wake();
  };
  let unsubscribe: Promise<(() => void) | undefined> | undefined;
  let closed = false;
  const subscribe = () =>
    (unsubscribe ??= database.onWork(wakeAll).catch((err: Error) => {
      // Without the listener, long-polls still end at their deadline; claims without wait are unaffected.
      logger?.warn('cannot listen for work announcements; long-polls will wait until their deadline', { error: err.message });
      unsubscribe = undefined;
      return undefined;
    }));

  return {
    get closed() {
      return closed;
    },
    async next() {
      await subscribe();
      let wake!: () => void;
      const woken = new Promise<void>((resolve) => (wake = resolve));
      waiters.add(wake);
      return {
        wait: async (ms, signal) => {
          if (closed || signal?.aborted) return;
          let timer: NodeJS.Timeout | undefined;
          const onAbort = () => wake();
          signal?.addEventListener('abort', onAbort, { once: true });
          try {
            await Promise.race([woken, new Promise<void>((resolve) => (timer = setTimeout(resolve, ms)))]);
          } finally {
            clearTimeout(timer);
            signal?.removeEventListener('abort', onAbort);
          }
        },
        cancel: () => {
          waiters.delete(wake);
        },
      };
    },
    async close() {
      closed = true;
      wakeAll();
      (await unsubscribe)?.();
    },
  };
}
