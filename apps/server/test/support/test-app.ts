import { PassThrough } from 'node:stream';
import request from 'supertest';
import type { Express } from 'express';
import { ROLES, type Role, type RunPlanInput } from '@autopack/contracts';
import type { DatabaseHandle } from '@autopack/db';
import type { TestDialect } from '@autopack/db/testing';
import { createLogger, type Logger } from '@autopack/logging';
import { createApp } from '../../src/app';
import type { Authenticate } from '../../src/auth/authenticate';
import { ManualClock } from '../../src/clock';
import { loadConfig, type ServerConfig } from '../../src/config';
import { createReaper, type Reaper } from '../../src/reaper/reaper';

/** The clock of server tests: moves only when told to (see ManualClock). */
export class TestClock extends ManualClock {}

export interface TestApp {
  app: Express;
  http: ReturnType<typeof request>;
  database: DatabaseHandle;
  clock: TestClock;
  /** Every JSON log line written so far. */
  logs: string[];
  logger: Logger;
  config: ServerConfig;
  /** The app's reaper, not started: tests call `sweep()` after moving the clock. */
  reaper: Reaper;
}

/**
 * Test-only authentication, tried before the real one: a request with `X-Test-Role` acts as that
 * role, with the id of `X-Test-Principal` (default "anonymous"). Without the header, API keys and
 * tokens work as in production, and a server with no credential yet is open (anonymous admin).
 * Production code never reads these headers; tests inject this through AppContext.authenticate.
 */
export const testAuthenticate: Authenticate = (req) => {
  const role = req.get('x-test-role');
  if (role === undefined || !ROLES.includes(role as Role)) return undefined;
  const id = req.get('x-test-principal') ?? 'anonymous';
  return { kind: 'api_key', id, role: role as Role, name: id };
};

export interface TestAppOptions {
  clock?: TestClock;
}

/** The real app on a real (fresh, migrated) database of the given dialect. */
export async function startTestApp(dialect: TestDialect, env: NodeJS.ProcessEnv = {}, opts: TestAppOptions = {}): Promise<TestApp> {
  const database = await dialect.create();
  return buildTestApp(database, env, opts);
}

/** The app on an existing database (a second server instance on the same database). */
export function buildTestApp(database: DatabaseHandle, env: NodeJS.ProcessEnv = {}, opts: TestAppOptions = {}): TestApp {
  const logs: string[] = [];
  const stream = new PassThrough();
  stream.on('data', (chunk: Buffer) => logs.push(...chunk.toString('utf8').split('\n').filter(Boolean)));
  // Tests write far faster than any principal should; rate-limit tests set their own limits.
  const config = loadConfig({
    AUTOPACK_LOG_LEVEL: 'info',
    AUTOPACK_RATE_LIMIT_WRITES_PER_MINUTE: '1000000',
    AUTOPACK_RATE_LIMIT_READS_PER_MINUTE: '1000000',
    ...env,
  });
  const logger = createLogger({ service: 'autopack-server-test', level: config.logLevel, stream });
  const clock = opts.clock ?? new TestClock();
  const app = createApp({ config, database, logger, clock, authenticate: testAuthenticate });
  const reaper = createReaper({ config, database, logger, clock });
  return { app, http: request(app), database, clock, logs, logger, config, reaper };
}

/** A plan as tests write it: tiers and phases always present. */
export type TestPlan = RunPlanInput & Required<Pick<RunPlanInput, 'tiers' | 'phases'>>;

/** A plan with `tiers` tiers of `perTier` phases: ids t0…, and t0-p0, t0-p1, … */
export function makePlan(
  runId: string,
  opts: { tiers?: number; perTier?: number; onPhaseFailure?: 'stop' | 'continue'; maxAttempts?: number } = {},
): TestPlan {
  const tiers = opts.tiers ?? 1;
  const perTier = opts.perTier ?? 1;
  return {
    run: { run_id: runId, repo: { path: '/srv/repos/demo' }, on_phase_failure: opts.onPhaseFailure ?? 'stop' },
    tiers: Array.from({ length: tiers }, (_, t) => ({ tier_id: `t${t}`, tier_index: t, name: `Tier ${t}` })),
    phases: Array.from({ length: tiers * perTier }, (_, i) => {
      const t = Math.floor(i / perTier);
      const p = i % perTier;
      return {
        phase_id: `t${t}-p${p}`,
        tier_id: `t${t}`,
        phase_index: p,
        name: `Phase ${t}.${p}`,
        ...(opts.maxAttempts !== undefined ? { max_attempts: opts.maxAttempts } : {}),
      };
    }),
  };
}

/** Phase ids of a plan in execution order. */
export const phaseIds = (plan: TestPlan) => plan.phases.map((p) => p.phase_id);

export function setState(t: TestApp, runId: string, phaseId: string, state: string, extra: object = {}) {
  return t.http.post(`/runs/${runId}/phases/${phaseId}/update_status`).send({ state, ...extra });
}

/** Every error answer has the same envelope, with the message again as the predecessor's `detail`. */
export function expectEnvelope(body: unknown, code: string): void {
  expect(body).toEqual({
    error: expect.objectContaining({ code, message: expect.any(String), correlation_id: expect.any(String) }),
    detail: expect.any(String),
  });
  expect((body as { detail: string }).detail).toBe((body as { error: { message: string } }).error.message);
}
