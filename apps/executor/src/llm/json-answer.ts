import type { z } from 'zod';
import { oneLine } from './text';

export type JsonAnswer<T> = { ok: true; value: T } | { ok: false; message: string };

// The whole answer may be wrapped in one ```json (or bare ```) fence; nothing else is tolerated.
const FENCED = /^```(?:json)?[ \t]*\r?\n([\s\S]*)\r?\n[ \t]*```$/i;

/**
 * Reads a model's answer that must be exactly one JSON value matching `schema`. The message of a
 * failure says what was wrong in words the next attempt's prompt can carry.
 */
export function parseJsonAnswer<S extends z.ZodType>(text: string, schema: S): JsonAnswer<z.output<S>> {
  const trimmed = text.trim();
  if (trimmed === '') return { ok: false, message: 'the answer was empty' };
  const body = FENCED.exec(trimmed)?.[1] ?? trimmed;
  let value: unknown;
  try {
    value = JSON.parse(body);
  } catch (err) {
    const reason = err instanceof Error ? err.message : String(err);
    return { ok: false, message: `the answer is not valid JSON (${reason}); it begins "${oneLine(body, 80)}"` };
  }
  const parsed = schema.safeParse(value);
  if (!parsed.success) return { ok: false, message: `the answer does not match the required shape: ${describeZodError(parsed.error)}` };
  return { ok: true, value: parsed.data };
}

/** `operations[0].mode: Invalid option…; notes: …`: the first few problems, each with its path. */
export function describeZodError(error: z.ZodError, limit = 5): string {
  const lines = error.issues.slice(0, limit).map((issue) => {
    const path = issue.path.reduce<string>(
      (out, key) => (typeof key === 'number' ? `${out}[${key}]` : out === '' ? String(key) : `${out}.${String(key)}`),
      '',
    );
    return path === '' ? issue.message : `${path}: ${issue.message}`;
  });
  const more = error.issues.length > limit ? `; and ${error.issues.length - limit} more` : '';
  return lines.join('; ') + more;
}
