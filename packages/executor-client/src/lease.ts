import type { z } from 'zod';
import type {
  ApprovalRequestBody,
  AuditorResult,
  BuilderResult,
  Claim,
  GovernanceRequestBody,
  HeartbeatRequest,
  RecordIssueRequest,
  UpdateStatusRequest,
  UploadArtifactRequest,
  UsageRequest,
} from '@autopack/contracts';
import type { AutopackClient } from './client';
import { AutopackHttpError } from './errors';
import type { CallOptions } from './transport';

type In<T extends z.ZodType> = z.input<T>;
type WithoutIds<T> = Omit<T, 'run_id' | 'phase_id'>;

export interface KeepAliveOptions {
  /** Between heartbeats; default a third of the lease's remaining time, at least 1 s. */
  intervalMs?: number;
  /** The server asked to stop (run cancelled, out of budget or time, an operator took over). */
  onCancelRequested?: () => void;
  /** The lease is gone (expired or taken over): stop writing, nothing more will be accepted. */
  onLost?: (error: unknown) => void;
}

/**
 * A claimed phase. Every write goes out with the lease token (X-Lease-Token) and the run and
 * phase ids filled in; a `lease_lost` answer throws AutopackHttpError with code "lease_lost".
 */
export class Lease {
  /** Updated by every heartbeat. */
  expiresAt: Date;

  constructor(
    private readonly client: AutopackClient,
    readonly claim: Claim,
  ) {
    this.expiresAt = new Date(claim.lease_expires_at);
  }

  get leaseId(): string {
    return this.claim.lease_id;
  }
  get runId(): string {
    return this.claim.run.run_id;
  }
  get phaseId(): string {
    return this.claim.phase.phase_id;
  }
  get attempt(): number {
    return this.claim.attempt;
  }

  private fenced(options: CallOptions = {}): CallOptions {
    return { ...options, leaseToken: this.claim.lease_token };
  }

  private get ids() {
    return { run_id: this.runId, phase_id: this.phaseId };
  }

  /** Extends the lease; `cancel_requested: true` means stop working on the phase. */
  async heartbeat(progress: Omit<In<typeof HeartbeatRequest>, 'lease_token'> = {}, options?: CallOptions) {
    const answer = await this.client.call(
      'heartbeatLease',
      { params: { lease_id: this.leaseId }, body: { ...progress, lease_token: this.claim.lease_token } },
      options,
    );
    this.expiresAt = new Date(answer.body.lease_expires_at);
    return answer.body;
  }

  /** Gives the phase back without failing it (QUEUED, attempt kept), e.g. on shutdown. */
  async release(reason?: string, options?: CallOptions) {
    const body = { lease_token: this.claim.lease_token, ...(reason ? { reason } : {}) };
    return (await this.client.call('releaseLease', { params: { lease_id: this.leaseId }, body }, options)).body;
  }

  updateStatus(body: In<typeof UpdateStatusRequest>, options?: CallOptions) {
    return this.client.updatePhaseStatus(this.runId, this.phaseId, body, this.fenced(options));
  }

  builderResult(body: WithoutIds<In<typeof BuilderResult>>, options?: CallOptions) {
    return this.client.recordBuilderResult({ ...body, ...this.ids }, this.fenced(options));
  }

  auditorResult(body: WithoutIds<In<typeof AuditorResult>>, options?: CallOptions) {
    return this.client.recordAuditorResult({ ...body, ...this.ids }, this.fenced(options));
  }

  recordIssue(body: In<typeof RecordIssueRequest>, options?: CallOptions) {
    return this.client.recordIssue(this.runId, this.phaseId, body, this.fenced(options));
  }

  recordUsage(body: Omit<In<typeof UsageRequest>, 'phase_id'>, options?: CallOptions) {
    return this.client.recordUsage(this.runId, { ...body, phase_id: this.phaseId }, this.fenced(options));
  }

  uploadArtifact(body: In<typeof UploadArtifactRequest>, options?: CallOptions) {
    return this.client.uploadArtifact(this.runId, this.phaseId, body, this.fenced(options));
  }

  requestGovernance(body: WithoutIds<In<typeof GovernanceRequestBody>>, options?: CallOptions) {
    return this.client.createGovernanceRequest({ ...body, ...this.ids }, this.fenced(options));
  }

  requestApproval(body: WithoutIds<In<typeof ApprovalRequestBody>>, options?: CallOptions) {
    return this.client.createApprovalRequest({ ...body, ...this.ids }, this.fenced(options));
  }

  /**
   * Heartbeats in the background until the returned function is called, the server asks to stop,
   * or the lease is lost. Transient failures are retried by the transport; a heartbeat that still
   * fails is tried again at the next tick.
   */
  keepAlive(options: KeepAliveOptions = {}): () => void {
    let stopped = false;
    let timer: ReturnType<typeof setTimeout> | undefined;
    const controller = new AbortController();
    const stop = () => {
      stopped = true;
      clearTimeout(timer);
      controller.abort();
    };
    const interval = () => options.intervalMs ?? Math.max(1000, (this.expiresAt.getTime() - Date.now()) / 3);
    const tick = async () => {
      try {
        const answer = await this.heartbeat({}, { signal: controller.signal });
        if (answer.cancel_requested) {
          stop();
          options.onCancelRequested?.();
          return;
        }
      } catch (err) {
        if (stopped) return;
        if (err instanceof AutopackHttpError && (err.code === 'lease_lost' || err.status === 404)) {
          stop();
          options.onLost?.(err);
          return;
        }
      }
      if (!stopped) timer = setTimeout(() => void tick(), interval());
    };
    timer = setTimeout(() => void tick(), interval());
    return stop;
  }
}
