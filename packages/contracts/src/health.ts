import { z } from 'zod';
import { LlmProvider } from './run-plan';

export const DatabaseDialect = z.enum(['pglite', 'postgres']);
export type DatabaseDialect = z.infer<typeof DatabaseDialect>;

export const KILL_SWITCHES = ['consolidated_metrics', 'phase6_metrics'] as const;

export const Health = z.strictObject({
  status: z.enum(['healthy', 'degraded', 'unhealthy']),
  service: z.literal('autopack'),
  version: z.string(),
  database: z.strictObject({
    ok: z.boolean(),
    latency_ms: z.number().min(0).nullable(),
    dialect: DatabaseDialect,
    error: z.string().optional().describe('Why the check failed; never contains credentials'),
  }),
  database_identity: z.string().regex(/^[0-9a-f]{12}$/),
  auth: z.strictObject({
    mode: z.enum(['open', 'enforced']).describe('open: development server with no key or user yet; every caller is admin'),
    public_read: z.boolean(),
    registration: z.boolean(),
  }),
  llm_providers: z.strictObject({
    configured: z.array(LlmProvider).describe('Providers the active executors have keys for (the server itself calls none)'),
  }),
  executors: z.strictObject({
    active: z.int().min(0).nullable().describe('Claim loops seen in the last 90 s or holding a lease; null when the database is down'),
    working: z.int().min(0).nullable().describe('Claim loops holding a lease now'),
  }),
  kill_switches: z.strictObject(
    Object.fromEntries(KILL_SWITCHES.map((k) => [k, z.boolean()])) as Record<(typeof KILL_SWITCHES)[number], z.ZodBoolean>,
  ),
});
export type Health = z.infer<typeof Health>;

export const Readiness = z.strictObject({
  ready: z.boolean(),
  database: z.strictObject({ ok: z.boolean() }),
  migrations: z.strictObject({ applied: z.number().int(), pending: z.array(z.string()) }),
});
export type Readiness = z.infer<typeof Readiness>;
