import { isRunFinished, type RunEvent, type RunState } from '@autopack/contracts';
import type { AutopackClient } from '@autopack/executor-client';


/** Follows a run's events until it finishes (or the deadline passes); returns its final state. */
export async function watchRun(
  client: AutopackClient,
  runId: string,
  opts: { onEvent?: (e: RunEvent) => void; timeoutMs?: number; pollMs?: number } = {},
): Promise<{ state: RunState; events: RunEvent[] }> {
  const deadline = Date.now() + (opts.timeoutMs ?? 5 * 60_000);
  const events: RunEvent[] = [];
  let after = 0;
  for (;;) {
    const page = await client.listRunEvents(runId, { after, limit: 500 });
    for (const e of page.events) {
      events.push(e);
      opts.onEvent?.(e);
      after = e.id;
    }
    const run = await client.getRun(runId);
    if (isRunFinished(run.state) && page.events.length === 0) return { state: run.state, events };
    if (Date.now() > deadline) throw new Error(`run ${runId} did not finish in time (state ${run.state})`);
    await new Promise((r) => setTimeout(r, opts.pollMs ?? 300));
  }
}

/** One line per event a person wants to see while a run moves. */
export function describeEvent(e: RunEvent): string | null {
  const p = e.payload as Record<string, unknown>;
  switch (e.type) {
    case 'phase_state_changed':
      return `phase ${e.phase_id}: ${String(p['from'])} → ${String(p['to'])}${p['failure_reason'] ? ` (${String(p['failure_reason'])})` : ''}`;
    case 'phase_claimed':
      return `phase ${e.phase_id}: claimed by ${e.actor} (attempt ${String(p['attempt'])})`;
    case 'approval_requested':
      return `phase ${e.phase_id}: waiting for approval`;
    case 'run_state_changed':
      return `run: ${String(p['from'])} → ${String(p['to'])}${p['failure_reason'] ? ` — ${String(p['failure_reason'])}` : ''}`;
    default:
      return null;
  }
}
