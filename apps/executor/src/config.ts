import { hostname } from 'node:os';
import { resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { z } from 'zod';
import { LOG_LEVELS } from '@autopack/logging';

/**
 * Every environment variable the executor reads. README's table is checked against this list.
 * Command-line flags (`--server`, `--api-key`, `--concurrency`, `--work-dir`, `--once`) win over
 * the variables.
 */
export const EXECUTOR_ENV = {
  AUTOPACK_SERVER_URL: 'Server to work for (default http://127.0.0.1:8000); or --server',
  AUTOPACK_EXECUTOR_API_KEY: 'API key with role executor; or --api-key',
  AUTOPACK_EXECUTOR_ID: 'Name of this executor in leases and events (default <hostname>:<pid>)',
  AUTOPACK_EXECUTOR_CONCURRENCY: 'Phases worked on at once (default 1); or --concurrency',
  AUTOPACK_WORK_DIR: 'Where run worktrees, the repository cache and baselines live (default .autopack/work); or --work-dir',
  AUTOPACK_EXECUTOR_LOG_LEVEL: 'error, warn, info (default), http, verbose, debug or silly',
  AUTOPACK_EXECUTOR_GRACE_SECONDS: 'On SIGTERM, how long to finish current phases before releasing them (default 30)',
  AUTOPACK_AUDITOR: 'none (default) or llm',
  AUTOPACK_LLM_PROVIDER: 'anthropic or openai: for phases without a builder and for the llm auditor',
  AUTOPACK_LLM_MODEL: 'Model name for the provider (a default per provider)',
  AUTOPACK_LLM_MAX_TOKENS: 'Output token limit per call (default 16384)',
  AUTOPACK_LLM_TIMEOUT_SECONDS: 'Per-call timeout (default 600)',
  AUTOPACK_LLM_MAX_ATTEMPTS: 'Tries per call on 429/529/5xx/network errors (default 4)',
  ANTHROPIC_API_KEY: 'Key for the Anthropic Messages API',
  AUTOPACK_ANTHROPIC_BASE_URL: 'Anthropic-compatible base URL (default https://api.anthropic.com)',
  OPENAI_API_KEY: 'Key for the OpenAI Chat Completions API',
  AUTOPACK_OPENAI_BASE_URL: 'OpenAI-compatible base URL (default https://api.openai.com)',
} as const;

const count = (min: number, max: number, fallback: number) =>
  z.coerce.number({ message: 'must be a number' }).int().min(min).max(max).default(fallback);
const url = z.url({ protocol: /^https?$/, message: 'must be an http(s) URL' });

const Schema = z.object({
  AUTOPACK_SERVER_URL: url.default('http://127.0.0.1:8000'),
  AUTOPACK_EXECUTOR_API_KEY: z.string().min(1).optional(),
  AUTOPACK_EXECUTOR_ID: z
    .string()
    .regex(/^[A-Za-z0-9][A-Za-z0-9._:@-]{0,127}$/, { message: 'letters, digits, ".", "_", ":", "@", "-" (at most 128)' })
    .optional(),
  AUTOPACK_EXECUTOR_CONCURRENCY: count(1, 64, 1),
  AUTOPACK_WORK_DIR: z.string().min(1).default('.autopack/work'),
  AUTOPACK_EXECUTOR_LOG_LEVEL: z.enum(LOG_LEVELS).default('info'),
  AUTOPACK_EXECUTOR_GRACE_SECONDS: count(0, 3600, 30),
  AUTOPACK_AUDITOR: z.enum(['none', 'llm'], { message: 'must be none or llm' }).default('none'),
  AUTOPACK_LLM_PROVIDER: z.enum(['anthropic', 'openai'], { message: 'must be anthropic or openai' }).optional(),
  AUTOPACK_LLM_MODEL: z.string().min(1).optional(),
  AUTOPACK_LLM_MAX_TOKENS: count(1, 1_000_000, 16_384),
  AUTOPACK_LLM_TIMEOUT_SECONDS: count(1, 3600, 600),
  AUTOPACK_LLM_MAX_ATTEMPTS: count(1, 10, 4),
  ANTHROPIC_API_KEY: z.string().min(1).optional(),
  AUTOPACK_ANTHROPIC_BASE_URL: url.default('https://api.anthropic.com'),
  OPENAI_API_KEY: z.string().min(1).optional(),
  AUTOPACK_OPENAI_BASE_URL: url.default('https://api.openai.com'),
});

export interface ExecutorSecrets {
  /** The executor's own API key for the server. */
  apiKey: string;
  anthropicApiKey: string | undefined;
  openaiApiKey: string | undefined;
}

export interface ExecutorConfig {
  serverUrl: string;
  executorId: string;
  concurrency: number;
  workDir: string;
  once: boolean;
  logLevel: (typeof LOG_LEVELS)[number];
  graceMs: number;
  auditor: 'none' | 'llm';
  llm: {
    provider: 'anthropic' | 'openai' | undefined;
    model: string | undefined;
    maxTokens: number;
    timeoutMs: number;
    maxAttempts: number;
    anthropicBaseUrl: string;
    openaiBaseUrl: string;
  };
  /** Not enumerable: printing or logging the config never shows them. */
  readonly secrets: ExecutorSecrets;
}

export class ExecutorConfigError extends Error {
  constructor(readonly problems: string[]) {
    super(`invalid configuration:\n${problems.map((p) => `  - ${p}`).join('\n')}`);
  }
}

const FLAGS = {
  server: { type: 'string' },
  'api-key': { type: 'string' },
  concurrency: { type: 'string' },
  'work-dir': { type: 'string' },
  once: { type: 'boolean' },
  help: { type: 'boolean' },
} as const;

export const EXECUTOR_USAGE = `usage: node apps/executor/dist/main.js [--server URL] [--api-key KEY] [--concurrency N] [--work-dir DIR] [--once]`;

/** Flags over environment, validated once; every problem reported, one line each. */
export function loadExecutorConfig(env: NodeJS.ProcessEnv, argv: string[]): ExecutorConfig {
  let flags;
  try {
    flags = parseArgs({ args: argv, options: FLAGS, strict: true }).values;
  } catch (err) {
    throw new ExecutorConfigError([`${(err as Error).message}; ${EXECUTOR_USAGE}`]);
  }
  const merged: Record<string, string | undefined> = Object.fromEntries(
    Object.keys(EXECUTOR_ENV).map((k) => [k, env[k] === '' ? undefined : env[k]]),
  );
  if (flags.server !== undefined) merged['AUTOPACK_SERVER_URL'] = flags.server;
  if (flags['api-key'] !== undefined) merged['AUTOPACK_EXECUTOR_API_KEY'] = flags['api-key'];
  if (flags.concurrency !== undefined) merged['AUTOPACK_EXECUTOR_CONCURRENCY'] = flags.concurrency;
  if (flags['work-dir'] !== undefined) merged['AUTOPACK_WORK_DIR'] = flags['work-dir'];
  const parsed = Schema.safeParse(merged);
  if (!parsed.success) throw new ExecutorConfigError(parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`));
  const e = parsed.data;
  const problems: string[] = [];
  if (!e.AUTOPACK_EXECUTOR_API_KEY) problems.push('AUTOPACK_EXECUTOR_API_KEY (or --api-key) is required: an API key with role executor');
  if (e.AUTOPACK_AUDITOR === 'llm' && !e.AUTOPACK_LLM_PROVIDER) problems.push('AUTOPACK_AUDITOR=llm needs AUTOPACK_LLM_PROVIDER');
  if (e.AUTOPACK_LLM_PROVIDER === 'anthropic' && !e.ANTHROPIC_API_KEY) problems.push('AUTOPACK_LLM_PROVIDER=anthropic needs ANTHROPIC_API_KEY');
  if (e.AUTOPACK_LLM_PROVIDER === 'openai' && !e.OPENAI_API_KEY) problems.push('AUTOPACK_LLM_PROVIDER=openai needs OPENAI_API_KEY');
  if (problems.length > 0) throw new ExecutorConfigError(problems);
  const config: Omit<ExecutorConfig, 'secrets'> = {
    serverUrl: e.AUTOPACK_SERVER_URL.replace(/\/+$/, ''),
    executorId: e.AUTOPACK_EXECUTOR_ID ?? `${hostname().replace(/[^A-Za-z0-9._-]/g, '-') || 'executor'}:${process.pid}`,
    concurrency: e.AUTOPACK_EXECUTOR_CONCURRENCY,
    workDir: resolve(e.AUTOPACK_WORK_DIR),
    once: flags.once ?? false,
    logLevel: e.AUTOPACK_EXECUTOR_LOG_LEVEL,
    graceMs: e.AUTOPACK_EXECUTOR_GRACE_SECONDS * 1000,
    auditor: e.AUTOPACK_AUDITOR,
    llm: {
      provider: e.AUTOPACK_LLM_PROVIDER,
      model: e.AUTOPACK_LLM_MODEL,
      maxTokens: e.AUTOPACK_LLM_MAX_TOKENS,
      timeoutMs: e.AUTOPACK_LLM_TIMEOUT_SECONDS * 1000,
      maxAttempts: e.AUTOPACK_LLM_MAX_ATTEMPTS,
      anthropicBaseUrl: e.AUTOPACK_ANTHROPIC_BASE_URL.replace(/\/+$/, ''),
      openaiBaseUrl: e.AUTOPACK_OPENAI_BASE_URL.replace(/\/+$/, ''),
    },
  };
  const secrets: ExecutorSecrets = {
    apiKey: e.AUTOPACK_EXECUTOR_API_KEY!,
    anthropicApiKey: e.ANTHROPIC_API_KEY,
    openaiApiKey: e.OPENAI_API_KEY,
  };
  return Object.defineProperty(config, 'secrets', { value: secrets, enumerable: false }) as ExecutorConfig;
}
