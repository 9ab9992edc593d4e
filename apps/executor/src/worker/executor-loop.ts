import { AutopackClient, AutopackHttpError, backoffDelay, sleep, type Backoff, type Lease } from '@autopack/executor-client';
import type { Logger } from '@autopack/logging';
import type { Auditor } from '../auditor/auditor';
import { LLM_PROVIDERS } from '../llm/settings';
import type { BuilderSettings } from '../pipeline/choose-builder';
import { runAttempt } from '../pipeline/run-attempt';

export interface ExecutorOptions {
  client: AutopackClient;
  executorId: string;
  concurrency: number;
  workDir: string;
  once: boolean;
  builders: BuilderSettings;
  auditor: Auditor;
  logger: Logger;
  /** How long a shutdown waits for running attempts before releasing their leases. */
  graceMs: number;
}

export interface RunningExecutor {
  /** Resolves when every slot has stopped. */
  done: Promise<void>;
  /** Stop claiming; finish current attempts within the grace period, then release them. */
  shutdown(): Promise<void>;
}

const CLAIM_WAIT_SECONDS = 30;
/** After a failed claim (the client's own retries spent): 1–2 s, doubling up to 15–30 s while the server stays away. */
const CLAIM_BACKOFF: Backoff = { baseDelayMs: 2_000, maxDelayMs: 30_000 };

/**
 * N claim loops (one per slot) against the server, all through the typed client: claim (long-poll),
 * keep the lease alive, run the attempt, repeat. `once`: each slot handles at most one claim.
 */
export function startExecutor(opts: ExecutorOptions): RunningExecutor {
  const stopClaiming = new AbortController();
  const running = new Set<{ lease: Lease; abort: AbortController }>();
  const { client, logger } = opts;

  const fetchArtifact = async (runId: string, artifactId: number) =>
    Buffer.from(await client.getArtifactFile(runId, { artifact_id: artifactId })).toString('utf8');

  async function work(lease: Lease): Promise<void> {
    const abort = new AbortController();
    const entry = { lease, abort };
    running.add(entry);
    const log = logger.child({ run_id: lease.runId, phase_id: lease.phaseId, attempt: lease.attempt });
    const stopHeartbeat = lease.keepAlive({
      onCancelRequested: () => {
        log.warn('the server asked to stop this phase');
        abort.abort(new Error('cancel requested'));
      },
      onLost: () => {
        log.warn('lease lost; stopping without writing');
        abort.abort(new Error('lease lost'));
      },
    });
    try {
      await runAttempt({
        lease,
        fetchArtifact: (id) => fetchArtifact(lease.runId, id),
        workDir: opts.workDir,
        builders: opts.builders,
        auditor: opts.auditor,
        logger,
        signal: abort.signal,
      });
    } catch (err) {
      if (err instanceof AutopackHttpError && (err.code === 'lease_lost' || err.code === 'illegal_transition')) {
        log.warn('the server no longer accepts this attempt', { code: err.code });
      } else {
        log.error('attempt crashed', { err });
        await lease.updateStatus({ state: 'FAILED', failure_reason: 'builder_error', message: `executor error: ${(err as Error).message}`.slice(0, 4000) }).catch(() => undefined);
      }
    } finally {
      stopHeartbeat();
      running.delete(entry);
    }
  }

  // Told to the server with every claim, so operators see in /health which providers can be used.
  const providers = LLM_PROVIDERS.filter((p) => opts.builders.providers[p]);

  async function slot(n: number): Promise<void> {
    let failedClaims = 0;
    while (!stopClaiming.signal.aborted) {
      let lease: Lease | null = null;
      try {
        const request = { executor_id: `${opts.executorId}:${n}`, wait_seconds: CLAIM_WAIT_SECONDS, providers };
        lease = await client.claim(request, { signal: stopClaiming.signal });
        failedClaims = 0;
      } catch (err) {
        if (stopClaiming.signal.aborted) break;
        const waitMs = backoffDelay(CLAIM_BACKOFF, ++failedClaims);
        logger.warn('claim failed; retrying', { err, wait_ms: waitMs });
        // A shutdown ends the wait at once.
        await sleep(waitMs, stopClaiming.signal).catch(() => undefined);
        continue;
      }
      if (lease) await work(lease);
      if (opts.once) break;
    }
  }

  const done = Promise.all(Array.from({ length: opts.concurrency }, (_, i) => slot(i + 1))).then(() => undefined);

  return {
    done,
    async shutdown() {
      stopClaiming.abort();
      const graceOver = new Promise((r) => setTimeout(r, opts.graceMs).unref());
      await Promise.race([done, graceOver]);
      // Still working after the grace period: give the phases back, untouched (QUEUED, attempt kept).
      for (const entry of running) {
        entry.abort.abort(new Error('shutting down'));
        await entry.lease.release('executor shutting down').catch(() => undefined);
        logger.info('lease released at shutdown', { run_id: entry.lease.runId, phase_id: entry.lease.phaseId });
      }
      await done;
    },
  };
}
