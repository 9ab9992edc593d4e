import { readFileSync } from 'node:fs';
import { isIP } from 'node:net';
import { z } from 'zod';
import { isLegacyApiKey, LEGACY_API_KEY_MIN_LENGTH, parseApiKey } from '@autopack/auth';
import { LOG_LEVELS } from '@autopack/logging';

const flag = z
  .enum(['0', '1', 'true', 'false'], { message: 'must be 1 or 0' })
  .default('0')
  .transform((v) => v === '1' || v === 'true');
const count = (min: number, max: number, fallback: number) =>
  z.coerce.number({ message: 'must be a number' }).int().min(min).max(max).default(fallback);

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
  AUTOPACK_API_KEY: 'Admin API key (apk_…) stored hashed at start; make one with `keys generate`. A free-form key of 32+ characters (the predecessor\'s) is accepted too, with a warning',
  AUTOPACK_API_KEY_FILE: 'File holding AUTOPACK_API_KEY (for secret mounts)',
  AUTOPACK_SECRET_KEY: 'At least 32 characters; encrypts the stored JWT signing keys (required in production)',
  AUTOPACK_PUBLIC_READ: '1 = anonymous callers may read (development only)',
  AUTOPACK_ALLOW_REGISTRATION: '1 = anyone may register as a viewer (development only)',
  AUTOPACK_PUBLIC_API_DOCS: '1 = /openapi.json and /docs need no credentials in production (always so in development)',
  AUTOPACK_TRUSTED_PROXIES: 'Comma-separated proxy addresses/CIDRs whose X-Forwarded-For is believed (default none)',
  AUTOPACK_JWT_ISSUER: 'iss of access tokens (default autopack)',
  AUTOPACK_JWT_AUDIENCE: 'aud of access tokens (default autopack-api)',
  AUTOPACK_JWT_TTL_SECONDS: 'Lifetime of access tokens (default 3600)',
  AUTOPACK_JWT_KEY_PUBLISH_SECONDS: 'How long a rotated key is in JWKS before it signs (default 300)',
  AUTOPACK_RATE_LIMIT_LOGIN_PER_MINUTE: 'Login attempts per client address per minute (default 5)',
  AUTOPACK_RATE_LIMIT_WRITES_PER_MINUTE: 'Writes per principal per minute (default 600)',
  AUTOPACK_RATE_LIMIT_READS_PER_MINUTE: 'Reads per principal (or anonymous address) per minute (default 3000)',
  AUTOPACK_RATE_LIMIT_STORE: 'memory (default; one instance) or database (shared by every instance)',
  AUTOPACK_LEASE_SECONDS: 'How long a claim or heartbeat holds a phase (default 60)',
  AUTOPACK_REAPER_INTERVAL_SECONDS: 'How often the reaper looks for expired leases, runs past their time and approval timeouts (default 5, at most 10)',
  AUTOPACK_APPROVAL_TIMEOUT_MINUTES: 'How long an approval or governance request waits for a decision (default 15)',
  AUTOPACK_APPROVAL_DEFAULT_ON_TIMEOUT: 'reject (default) or approve: the decision when nobody decided in time',
  AUTOPACK_ARTIFACT_STORE: 'database (default: bytea rows) or directory (files under AUTOPACK_ARTIFACT_DIR)',
  AUTOPACK_ARTIFACT_DIR: 'Directory of the directory artifact store (default .autopack/artifacts)',
  AUTOPACK_ARTIFACT_MAX_BYTES: 'Largest artifact accepted, in bytes after decoding (default 5242880)',
} as const;

const proxyEntry = /^(loopback|linklocal|uniquelocal)$|^[0-9a-fA-F:.]+(\/\d{1,3})?$/;

const EnvSchema = z.object({
  AUTOPACK_ENV: z.enum(['development', 'production'], { message: 'must be development or production' }).default('development'),
  AUTOPACK_HOST: z.string().min(1).default('127.0.0.1'),
  AUTOPACK_PORT: count(0, 65535, 8000),
  DATABASE_URL: z
    .string()
    .regex(/^postgres(ql)?:\/\//, { message: 'must start with postgres:// or postgresql://' })
    .optional(),
  AUTOPACK_DATA_DIR: z.string().min(1).default('.autopack/data'),
  AUTOPACK_DB_BOOTSTRAP: flag,
  AUTOPACK_LOG_LEVEL: z.enum(LOG_LEVELS).default('info'),
  AUTOPACK_MAX_BODY_BYTES: count(1024, 256 * 1024 * 1024, 10 * 1024 * 1024),
  AUTOPACK_SHUTDOWN_GRACE_SECONDS: z.coerce.number({ message: 'must be a number' }).min(0).max(600).default(10),
  AUTOPACK_HEALTH_DB_TIMEOUT_MS: count(100, 60_000, 2000),
  AUTOPACK_ENABLE_CONSOLIDATED_METRICS: flag,
  AUTOPACK_ENABLE_PHASE6_METRICS: flag,
  AUTOPACK_API_KEY: z.string().optional(),
  AUTOPACK_API_KEY_FILE: z.string().optional(),
  AUTOPACK_SECRET_KEY: z
    .string()
    .min(32, { message: 'must be at least 32 characters' })
    // A long run of one character passes a length check and protects nothing.
    .refine((v) => new Set(v.replace(/\s/g, '')).size >= 10, { message: 'must be random: at least 10 different non-blank characters (e.g. openssl rand -hex 32)' })
    .optional(),
  AUTOPACK_PUBLIC_READ: flag,
  AUTOPACK_ALLOW_REGISTRATION: flag,
  AUTOPACK_PUBLIC_API_DOCS: flag,
  AUTOPACK_TRUSTED_PROXIES: z
    .string()
    .transform((v) => v.split(',').map((s) => s.trim()).filter(Boolean))
    .refine((list) => list.every((e) => proxyEntry.test(e) && (/^[a-z]+$/.test(e) || isIP(e.split('/')[0]!) !== 0)), {
      message: 'must be IP addresses or CIDRs (or loopback, linklocal, uniquelocal), comma-separated',
    })
    .default([]),
  AUTOPACK_JWT_ISSUER: z.string().min(1).default('autopack'),
  AUTOPACK_JWT_AUDIENCE: z.string().min(1).default('autopack-api'),
  AUTOPACK_JWT_TTL_SECONDS: count(60, 7 * 24 * 3600, 3600),
  AUTOPACK_JWT_KEY_PUBLISH_SECONDS: count(0, 24 * 3600, 300),
  AUTOPACK_RATE_LIMIT_LOGIN_PER_MINUTE: count(1, 10_000, 5),
  AUTOPACK_RATE_LIMIT_WRITES_PER_MINUTE: count(1, 1_000_000, 600),
  AUTOPACK_RATE_LIMIT_READS_PER_MINUTE: count(1, 1_000_000, 3000),
  AUTOPACK_RATE_LIMIT_STORE: z.enum(['memory', 'database'], { message: 'must be memory or database' }).default('memory'),
  AUTOPACK_LEASE_SECONDS: z.coerce.number({ message: 'must be a number' }).int().min(5).max(3600).default(60),
  AUTOPACK_REAPER_INTERVAL_SECONDS: z.coerce.number({ message: 'must be a number' }).min(0.1).max(10).default(5),
  AUTOPACK_APPROVAL_TIMEOUT_MINUTES: z.coerce.number({ message: 'must be a number' }).min(1).max(7 * 24 * 60).default(15),
  AUTOPACK_APPROVAL_DEFAULT_ON_TIMEOUT: z.enum(['reject', 'approve'], { message: 'must be reject or approve' }).default('reject'),
  AUTOPACK_ARTIFACT_STORE: z.enum(['database', 'directory'], { message: 'must be database or directory' }).default('database'),
  AUTOPACK_ARTIFACT_DIR: z.string().min(1).default('.autopack/artifacts'),
  AUTOPACK_ARTIFACT_MAX_BYTES: z.coerce.number({ message: 'must be a number' }).int().min(1).max(256 * 1024 * 1024).default(5 * 1024 * 1024),
});

export interface ServerSecrets {
  /** AUTOPACK_API_KEY (or the content of AUTOPACK_API_KEY_FILE). */
  bootstrapApiKey?: string;
  /** AUTOPACK_SECRET_KEY. */
  secretKey?: string;
}

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
  auth: {
    publicRead: boolean;
    allowRegistration: boolean;
    /** /openapi.json and /docs without credentials: always in development, in production when asked. */
    publicApiDocs: boolean;
    trustedProxies: string[];
    jwt: { issuer: string; audience: string; ttlSeconds: number; publishLeadSeconds: number };
  };
  rateLimits: { loginPerMinute: number; writesPerMinute: number; readsPerMinute: number; store: 'memory' | 'database' };
  work: { leaseSeconds: number; reaperIntervalMs: number };
  approvals: { timeoutMinutes: number; onTimeout: 'reject' | 'approve' };
  artifacts: { store: 'database' | 'directory'; dir: string; maxBytes: number };
  /** Check every response against its contract schema (off in production: a bug there is a 500 for nobody). */
  validateResponses: boolean;
  /** Not enumerable: logging or serialising the config never shows them. */
  readonly secrets: ServerSecrets;
}

export class ConfigError extends Error {
  constructor(readonly problems: string[]) {
    super(`invalid configuration:\n${problems.map((p) => `  - ${p}`).join('\n')}`);
  }
}

const GENERATE_HINT = 'make one with `node apps/server/dist/main.js keys generate`';

function readBootstrapKey(e: z.infer<typeof EnvSchema>, problems: string[]): string | undefined {
  if (e.AUTOPACK_API_KEY !== undefined && e.AUTOPACK_API_KEY_FILE !== undefined) {
    problems.push('AUTOPACK_API_KEY and AUTOPACK_API_KEY_FILE are both set; set one');
    return undefined;
  }
  let key = e.AUTOPACK_API_KEY;
  if (e.AUTOPACK_API_KEY_FILE !== undefined) {
    try {
      key = readFileSync(e.AUTOPACK_API_KEY_FILE, 'utf8').trim();
    } catch (err) {
      problems.push(`AUTOPACK_API_KEY_FILE: cannot read ${e.AUTOPACK_API_KEY_FILE} (${(err as NodeJS.ErrnoException).code ?? 'error'})`);
      return undefined;
    }
  }
  if (key !== undefined && parseApiKey(key) === null && !isLegacyApiKey(key)) {
    const source = e.AUTOPACK_API_KEY_FILE !== undefined ? 'AUTOPACK_API_KEY_FILE' : 'AUTOPACK_API_KEY';
    problems.push(
      key.startsWith('apk_')
        ? `${source}: not a valid Autopack API key (apk_<id>_<secret>, checksum included); ${GENERATE_HINT}`
        : `${source}: not a valid Autopack API key, and too weak as a free-form key (at least ${LEGACY_API_KEY_MIN_LENGTH} characters, ` +
            `no spaces); switch to an Autopack key: ${GENERATE_HINT}`,
    );
    return undefined;
  }
  return key;
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
  const bootstrapApiKey = readBootstrapKey(e, problems);
  if (e.AUTOPACK_ENV === 'production') {
    if (e.AUTOPACK_PUBLIC_READ) problems.push('AUTOPACK_PUBLIC_READ=1 opens reads to anyone; it is refused in production');
    if (e.AUTOPACK_ALLOW_REGISTRATION) problems.push('AUTOPACK_ALLOW_REGISTRATION=1 lets anyone register; it is refused in production (admins create users)');
    if (!e.AUTOPACK_SECRET_KEY) problems.push('AUTOPACK_SECRET_KEY is required in production: it encrypts the stored JWT signing keys');
  }
  if (problems.length > 0) throw new ConfigError(problems);
  const config: Omit<ServerConfig, 'secrets'> = {
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
    auth: {
      publicRead: e.AUTOPACK_PUBLIC_READ,
      allowRegistration: e.AUTOPACK_ALLOW_REGISTRATION,
      publicApiDocs: e.AUTOPACK_ENV === 'development' || e.AUTOPACK_PUBLIC_API_DOCS,
      trustedProxies: e.AUTOPACK_TRUSTED_PROXIES,
      jwt: {
        issuer: e.AUTOPACK_JWT_ISSUER,
        audience: e.AUTOPACK_JWT_AUDIENCE,
        ttlSeconds: e.AUTOPACK_JWT_TTL_SECONDS,
        publishLeadSeconds: e.AUTOPACK_JWT_KEY_PUBLISH_SECONDS,
      },
    },
    rateLimits: {
      loginPerMinute: e.AUTOPACK_RATE_LIMIT_LOGIN_PER_MINUTE,
      writesPerMinute: e.AUTOPACK_RATE_LIMIT_WRITES_PER_MINUTE,
      readsPerMinute: e.AUTOPACK_RATE_LIMIT_READS_PER_MINUTE,
      store: e.AUTOPACK_RATE_LIMIT_STORE,
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
  const secrets: ServerSecrets = {
    ...(bootstrapApiKey ? { bootstrapApiKey } : {}),
    ...(e.AUTOPACK_SECRET_KEY ? { secretKey: e.AUTOPACK_SECRET_KEY } : {}),
  };
  return Object.defineProperty(config, 'secrets', { value: secrets, enumerable: false }) as ServerConfig;
}
