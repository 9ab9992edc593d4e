import { Router } from 'express';
import { routes, type Claim } from '@autopack/contracts';
import { recordExecutorSeen } from '@autopack/db';
import type { AppServices } from '../app-context';
import { actorOf } from '../auth/actor';
import { mount, mountOptions } from '../http/mount';
import { heartbeatLease, releaseLease } from '../kernel';
import { claimNextPhase } from './claim-service';

class ClientGone extends Error {}

/** Throws (rolling the claim back) when the client has disconnected; gives pending I/O two turns first. */
async function throwIfClientGone(signal: AbortSignal): Promise<void> {
  for (let i = 0; i < 2; i++) await new Promise((resolve) => setImmediate(resolve));
  if (signal.aborted) throw new ClientGone('the client left before its claim was answered');
}

export function claimRoutes(services: AppServices): Router {
  const router = Router();
  const { clock, config, work } = services;
  const opts = mountOptions(services);
  const leaseSeconds = config.work.leaseSeconds;

  /**
   * Long-poll without polling the database: look once, then sleep until work is announced (or the
   * deadline, the client leaving, or shutdown), look again. The waiter is registered before each
   * look, so an announcement between the look and the sleep still wakes it.
   */
  mount(router, 'claimPhase', routes.claimPhase, async ({ body }, ctx) => {
    const deadline = Date.now() + body.wait_seconds * 1000;
    const input = { executorId: body.executor_id, actor: actorOf(ctx), leaseSeconds };
    await recordExecutorSeen(services.database.db, { ...input, providers: body.providers, now: clock.now() });
    const none = { status: 204 as const, body: undefined };
    const claimOnce = () =>
      ctx.once(async (trx) => {
        const claim = await claimNextPhase(trx, clock, input);
        if (!claim) return none;
        // A long-poll's client may have left while it waited, and the end of its connection may
        // still be queued behind the work that woke us: let the event loop deliver it first.
        if (body.wait_seconds > 0) await throwIfClientGone(ctx.signal);
        return { status: 200 as const, body: claim satisfies Claim };
      });
    for (;;) {
      // A client that left must not be handed a phase it will never hear of.
      if (ctx.signal.aborted) return none;
      const waiter = await work.next();
      try {
        const result = await claimOnce().catch((err: unknown) => {
          if (err instanceof ClientGone) return none;
          throw err;
        });
        if (result.status === 200) {
          const claim = (result as { body: Claim }).body;
          ctx.log.info('phase claimed', {
            run_id: claim.run.run_id,
            phase_id: claim.phase.phase_id,
            attempt: claim.attempt,
            executor_id: body.executor_id,
          });
          return result;
        }
        const left = deadline - Date.now();
        if (left <= 0 || ctx.signal.aborted || work.closed) return none;
        await waiter.wait(left, ctx.signal);
      } finally {
        waiter.cancel();
      }
    }
  }, opts);

  mount(router, 'heartbeatLease', routes.heartbeatLease, async ({ params, body }, ctx) =>
    ctx.once(async (trx) => {
      const { lease, cancelRequested } = await heartbeatLease(trx, clock, {
        leaseId: params.lease_id,
        token: body.lease_token,
        leaseSeconds,
        ...(body.stage !== undefined ? { stage: body.stage } : {}),
        ...(body.progress !== undefined ? { progress: body.progress } : {}),
      });
      return {
        status: 200,
        body: {
          lease_id: lease.lease_id,
          lease_expires_at: (lease.ended_at ?? lease.expires_at).toISOString(),
          cancel_requested: cancelRequested,
        },
      };
    }), opts);

  mount(router, 'releaseLease', routes.releaseLease, async ({ params, body }, ctx) =>
    ctx.once(async (trx) => {
      const { released, phase } = await releaseLease(trx, clock, {
        leaseId: params.lease_id,
        token: body.lease_token,
        actor: actorOf(ctx),
        ...(body.reason ? { reason: body.reason } : {}),
      });
      ctx.log.info('lease released', { run_id: phase.run_id, phase_id: phase.phase_id, released });
      return {
        status: 200,
        body: {
          lease_id: params.lease_id,
          released,
          phase: { run_id: phase.run_id, phase_id: phase.phase_id, state: phase.state, attempt: phase.attempt },
        },
      };
    }), opts);

  return router;
}
