import { LlmProvider } from '@autopack/contracts';
import { z } from 'zod';

export const LLM_PROVIDERS = LlmProvider.options;
export type LlmProviderKind = LlmProvider;

/** Used when neither the settings nor the phase's builder spec name a model. */
export const DEFAULT_MODELS: Readonly<Record<LlmProviderKind, string>> = {
  anthropic: 'claude-sonnet-4-5',
  openai: 'gpt-4.1',
};

export const DEFAULT_BASE_URLS: Readonly<Record<LlmProviderKind, string>> = {
  anthropic: 'https://api.anthropic.com',
  openai: 'https://api.openai.com',
};

/**
 * How to reach one provider. The executor's config module fills it from the environment
 * (`ANTHROPIC_API_KEY`, `AUTOPACK_ANTHROPIC_BASE_URL`, `AUTOPACK_LLM_MODEL`, …); nothing here reads
 * `process.env`. Parse with this schema to get the defaults and one message per bad field.
 */
export const LlmSettings = z.strictObject({
  provider: z.enum(LLM_PROVIDERS),
  apiKey: z.string().min(1, { message: 'the provider API key is required' }),
  /**
   * Origin (optionally with a path prefix) of the API; `/v1/...` is appended. A base URL that
   * already ends in `/v1` (the OpenAI SDK convention, e.g. `http://localhost:8000/v1`) is accepted too.
   */
  baseUrl: z
    .url({ protocol: /^https?$/, message: 'must be an http(s) URL' })
    .optional(),
  model: z.string().min(1).max(200).optional(),
  /** Output budget of one call; full-file answers need room. */
  maxTokens: z.int().min(1).max(1_000_000).default(16_384),
  /** One HTTP call, from request to the end of the body. */
  timeoutMs: z.int().min(1).max(3_600_000).default(600_000),
  /** HTTP calls per completion, first one included. */
  maxAttempts: z.int().min(1).max(10).default(4),
  /**
   * OpenAI only: newer OpenAI models accept only `max_completion_tokens`; many compatible servers
   * know only `max_tokens`.
   */
  openaiMaxTokensField: z.enum(['max_tokens', 'max_completion_tokens']).default('max_tokens'),
});
/** What callers write (defaults optional). */
export type LlmSettingsInput = z.input<typeof LlmSettings>;
/** After parsing: every default filled in. */
export type LlmSettings = z.output<typeof LlmSettings>;

/** `https://host/v1/` and `https://host` both become the endpoint `https://host/v1<path>`. */
export function endpointUrl(baseUrl: string, path: string): string {
  const trimmed = baseUrl.replace(/\/+$/, '');
  const root = trimmed.endsWith('/v1') ? trimmed.slice(0, -'/v1'.length) : trimmed;
  return `${root}/v1${path}`;
}
