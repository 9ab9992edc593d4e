import { z } from 'zod';

/** `run_id`, `tier_id`, `phase_id`: safe in URLs, file names and branch names. */
export const IDENTIFIER_PATTERN = /^[A-Za-z0-9][A-Za-z0-9._-]{0,127}$/;

export const Identifier = z
  .string()
  .regex(IDENTIFIER_PATTERN, {
    message:
      'must start with a letter or digit and contain only letters, digits, ".", "_" or "-" (at most 128 characters)',
  })
  .describe('Identifier: ^[A-Za-z0-9][A-Za-z0-9._-]{0,127}$');

/** ISO-8601 UTC timestamp as the server writes it (`2026-11-22T10:00:00.000Z`). */
export const Timestamp = z.iso.datetime().describe('ISO-8601 UTC timestamp');

export const Severity = z.enum(['minor', 'major']);
export type Severity = z.infer<typeof Severity>;

/** A JSON object with arbitrary content (predecessor payloads such as probe results). */
export const JsonObject = z.record(z.string(), z.unknown());

/** Non-negative integer that fits in a JSON number without loss. */
export const Count = z.int().min(0).max(Number.MAX_SAFE_INTEGER);

/**
 * A whole number in a query string, written as plain decimal digits. `Number()` coercion would also
 * take "0x1", "1e0", " 1", "+1", "01" and "1.0"; an id that can be spelled many ways is not validated.
 * Numbers pass as they are (clients build queries from typed values).
 */
export const queryInteger = (min: number, max: number) =>
  z.preprocess(
    (v) => (typeof v === 'string' && /^(?:0|[1-9][0-9]*)$/.test(v) ? Number(v) : v),
    z.int({ error: (issue) => (issue.code === 'invalid_type' ? 'must be a whole number in decimal digits (no sign, spaces, leading zeros, decimal point, exponent or hex)' : undefined) })
      .min(min)
      .max(max),
  );

/** A git commit id: SHA-1 (40 hex) or SHA-256 (64 hex) repositories. */
export const CommitSha = z.string().regex(/^([0-9a-f]{40}|[0-9a-f]{64})$/, 'a full lowercase git commit id (40 or 64 hex digits)');
