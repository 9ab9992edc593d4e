import type { Claim } from '@autopack/contracts';
import type { TestApp } from './test-app';

/** Headers of a test principal with the executor role (see testAuthenticate). */
export const EXECUTOR = { 'X-Test-Role': 'executor', 'X-Test-Principal': 'executor-key' };
export const OPERATOR = { 'X-Test-Role': 'operator', 'X-Test-Principal': 'ops' };
export const VIEWER = { 'X-Test-Role': 'viewer', 'X-Test-Principal': 'watcher' };

export function claimRequest(t: TestApp, executorId = 'ex-1', waitSeconds = 0) {
  return t.http.post('/executors/claim').set(EXECUTOR).send({ executor_id: executorId, wait_seconds: waitSeconds });
}

/** Claims and expects a phase. */
export async function claim(t: TestApp, executorId = 'ex-1'): Promise<Claim> {
  const res = await claimRequest(t, executorId);
  if (res.status !== 200) throw new Error(`expected a claim, got ${res.status} ${JSON.stringify(res.body)}`);
  return res.body as Claim;
}

/** A fenced executor write about the claimed phase. */
export function leased(t: TestApp, c: Pick<Claim, 'lease_token' | 'run' | 'phase'>, what: string, body: object, token = c.lease_token) {
  return t.http
    .post(`/runs/${c.run.run_id}/phases/${c.phase.phase_id}/${what}`)
    .set(EXECUTOR)
    .set('X-Lease-Token', token)
    .send(body);
}

export function heartbeat(t: TestApp, c: Pick<Claim, 'lease_id' | 'lease_token'>, token = c.lease_token) {
  return t.http.post(`/executors/leases/${c.lease_id}/heartbeat`).set(EXECUTOR).send({ lease_token: token });
}

export interface EventLike {
  id: number;
  type: string;
  actor: string;
  phase_id: string | null;
  payload: Record<string, unknown>;
}

export async function eventsOf(t: TestApp, runId: string): Promise<EventLike[]> {
  return (await t.http.get(`/runs/${runId}/events?limit=500`)).body.events as EventLike[];
}

export async function phaseOf(t: TestApp, runId: string, phaseId: string) {
  const run = (await t.http.get(`/runs/${runId}`)).body;
  return run.phases.find((p: { phase_id: string }) => p.phase_id === phaseId) as { state: string; attempt: number; failure_reason: string | null };
}

/**
 * Claims take the oldest work of the whole database: each test cancels what it left open, so the
 * next one starts from an empty queue.
 */
export async function cancelOpenRuns(t: TestApp): Promise<void> {
  for (const state of ['RUN_CREATED', 'PHASE_EXECUTION']) {
    const page = (await t.http.get(`/runs?limit=100&state=${state}`)).body as { runs: { run_id: string }[] };
    for (const run of page.runs) await t.http.post(`/runs/${run.run_id}/cancel`).send({ reason: 'test cleanup' }).expect(200);
  }
}
