import { z } from 'zod';
import { LOG_LEVELS } from '@autopack/logging';

const flag = z
  .enum(['0', '1', 'true', 'false'], { message: 'must be 1 or 0' })
  .default('0')
  .transform((v) => v === '1' || v === 'true');

/**
 * Every environment variable the server reads, with its meaning. README's table is checked
 * against this list, so a variable cannot be added without being documented.
 */
export const SERVER_ENV = {
  AUTOPACK_ENV: 'development (default) or production',
  AUTOPACK_HOST: 'Interface to listen on (default 127.0.0.1)',
  AUTOPACK_PORT: 'Port to listen on (default 8000; 0 picks a free port)',
  DATABASE_URL: 'postgres://… to use PostgreSQL; unset = embedded PGlite',
  AUTOPACK_DATA_DIR: 'PGlite data directory when DATABASE_URL is unset (default .autopack/data)',
  AUTOPACK_DB_BOOTSTRAP: '1 = apply pending migrations to PostgreSQL at start (default 0: refuse to start)',
  AUTOPACK_LOG_LEVEL: 'error, warn, info (default), http, verbose, debug or silly',
  AUTOPACK_MAX_BODY_BYTES: 'Largest accepted request body in bytes (default 10485760)',
  AUTOPACK_SHUTDOWN_GRACE_SECONDS: 'How long SIGTERM waits for in-flight requests (default 10)',
  AUTOPACK_HEALTH_DB_TIMEOUT_MS: 'Database answer time after which /health says 503 (default 2000)',
  AUTOPACK_ENABLE_CONSOLIDATED_METRICS: 'Kill switch, default 0 (off)',
  AUTOPACK_ENABLE_PHASE6_METRICS: 'Kill switch, default 0 (off)',
  AUTOPACK_LEASE_SECONDS: 'How long a claim or heartbeat holds a phase (default 60)',
  AUTOPACK_REAPER_INTERVAL_SECONDS: 'How often the reaper looks for expired leases, runs past their time and approval timeouts (default 5, at most 10)',
  AUTOPACK_APPROVAL_TIMEOUT_MINUTES: 'How long an approval or governance request waits for a decision (default 15)',
  AUTOPACK_APPROVAL_DEFAULT_ON_TIMEOUT: 'reject (default) or approve: the decision when nobody decided in time',
  AUTOPACK_ARTIFACT_STORE: 'database (default: bytea rows) or directory (files under AUTOPACK_ARTIFACT_DIR)',
  AUTOPACK_ARTIFACT_DIR: 'Directory of the directory artifact store (default .autopack/artifacts)',
  AUTOPACK_ARTIFACT_MAX_BYTES: 'Largest artifact accepted, in bytes after decoding (default 5242880)',
} as const;

const EnvSchema = z.object({
  AUTOPACK_ENV: z.enum(['development', 'production'], { message: 'must be development or production' }).default('development'),
  AUTOPACK_HOST: z.string().min(1).default('127.0.0.1'),
  AUTOPACK_PORT: z.coerce.number({ message: 'must be a number' }).int().min(0).max(65535).default(8000),
  DATABASE_URL: z
    .string()
    .regex(/^postgres(ql)?:\/\//, { message: 'must start with postgres:// or postgresql://' })
    .optional(),
  AUTOPACK_DATA_DIR: z.string().min(1).default('.autopack/data'),
  AUTOPACK_DB_BOOTSTRAP: flag,
  AUTOPACK_LOG_LEVEL: z.enum(LOG_LEVELS).default('info'),
  AUTOPACK_MAX_BODY_BYTES: z.coerce.number().int().min(1024).max(256 * 1024 * 1024).default(10 * 1024 * 1024),
  AUTOPACK_SHUTDOWN_GRACE_SECONDS: z.coerce.number().min(0).max(600).default(10),
  AUTOPACK_HEALTH_DB_TIMEOUT_MS: z.coerce.number().int().min(100).max(60_000).default(2000),
  AUTOPACK_ENABLE_CONSOLIDATED_METRICS: flag,
  AUTOPACK_ENABLE_PHASE6_METRICS: flag,
  AUTOPACK_LEASE_SECONDS: z.coerce.number({ message: 'must be a number' }).int().min(5).max(3600).default(60),
  AUTOPACK_REAPER_INTERVAL_SECONDS: z.coerce.number({ message: 'must be a number' }).min(0.1).max(10).default(5),
  AUTOPACK_APPROVAL_TIMEOUT_MINUTES: z.coerce.number({ message: 'must be a number' }).min(1).max(7 * 24 * 60).default(15),
  AUTOPACK_APPROVAL_DEFAULT_ON_TIMEOUT: z.enum(['reject', 'approve'], { message: 'must be reject or approve' }).default('reject'),
  AUTOPACK_ARTIFACT_STORE: z.enum(['database', 'directory'], { message: 'must be database or directory' }).default('database'),
  AUTOPACK_ARTIFACT_DIR: z.string().min(1).default('.autopack/artifacts'),
  AUTOPACK_ARTIFACT_MAX_BYTES: z.coerce.number({ message: 'must be a number' }).int().min(1).max(256 * 1024 * 1024).default(5 * 1024 * 1024),
});

export interface ServerConfig {
  env: 'development' | 'production';
  host: string;
  port: number;
  logLevel: (typeof LOG_LEVELS)[number];
  maxBodyBytes: number;
  shutdownGraceMs: number;
  healthDbTimeoutMs: number;
  killSwitches: { consolidated_metrics: boolean; phase6_metrics: boolean };
  database: { url?: string; dataDir: string; bootstrap: boolean };
  work: { leaseSeconds: number; reaperIntervalMs: number };
  approvals: { timeoutMinutes: number; onTimeout: 'reject' | 'approve' };
  artifacts: { store: 'database' | 'directory'; dir: string; maxBytes: number };
  /** Check every response against its contract schema (off in production: a bug there is a 500 for nobody). */
  validateResponses: boolean;
}

export class ConfigError extends Error {
  constructor(readonly problems: string[]) {
    super(`invalid configuration:\n${problems.map((p) => `  - ${p}`).join('\n')}`);
  }
}

/** Reads and validates the environment once; every problem is reported, one line each. */
export function loadConfig(env: NodeJS.ProcessEnv): ServerConfig {
  const present = Object.fromEntries(
    Object.keys(SERVER_ENV).flatMap((k) => (env[k] !== undefined && env[k] !== '' ? [[k, env[k]]] : [])),
  );
  const parsed = EnvSchema.safeParse(present);
  if (!parsed.success) {
    throw new ConfigError(parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`));
  }
  const e = parsed.data;
  const problems: string[] = [];
  if (e.AUTOPACK_ENV === 'production') {
    problems.push(
      'AUTOPACK_ENV=production: this build has no authentication yet, so it refuses to run as production (use development on a trusted host)',
    );
  }
  if (problems.length > 0) throw new ConfigError(problems);
  return {
    env: e.AUTOPACK_ENV,
    host: e.AUTOPACK_HOST,
    port: e.AUTOPACK_PORT,
    logLevel: e.AUTOPACK_LOG_LEVEL,
    maxBodyBytes: e.AUTOPACK_MAX_BODY_BYTES,
    shutdownGraceMs: e.AUTOPACK_SHUTDOWN_GRACE_SECONDS * 1000,
    healthDbTimeoutMs: e.AUTOPACK_HEALTH_DB_TIMEOUT_MS,
    killSwitches: {
      consolidated_metrics: e.AUTOPACK_ENABLE_CONSOLIDATED_METRICS,
      phase6_metrics: e.AUTOPACK_ENABLE_PHASE6_METRICS,
    },
    database: {
      ...(e.DATABASE_URL ? { url: e.DATABASE_URL } : {}),
      dataDir: e.AUTOPACK_DATA_DIR,
      bootstrap: e.AUTOPACK_DB_BOOTSTRAP,
    },
    work: { leaseSeconds: e.AUTOPACK_LEASE_SECONDS, reaperIntervalMs: Math.round(e.AUTOPACK_REAPER_INTERVAL_SECONDS * 1000) },
    approvals: { timeoutMinutes: e.AUTOPACK_APPROVAL_TIMEOUT_MINUTES, onTimeout: e.AUTOPACK_APPROVAL_DEFAULT_ON_TIMEOUT },
    artifacts: {
      store: e.AUTOPACK_ARTIFACT_STORE,
      dir: e.AUTOPACK_ARTIFACT_DIR,
      maxBytes: e.AUTOPACK_ARTIFACT_MAX_BYTES,
    },
    validateResponses: e.AUTOPACK_ENV !== 'production',
  };
}
