import winston from 'winston';
import { REDACTED, redactText } from './redact-text';
import { isSecretName } from './secret-name';

function redactValue(value: unknown, depth: number, seen: WeakSet<object>): unknown {
  if (typeof value === 'string') return redactText(value);
  if (value === null || typeof value !== 'object' || depth > 8) return value;
  if (seen.has(value)) return '[Circular]';
  seen.add(value);
  if (Array.isArray(value)) return value.map((v) => redactValue(v, depth + 1, seen));
  const out: Record<string, unknown> = {};
  for (const [key, v] of Object.entries(value)) {
    out[key] = isSecretName(key) && v !== undefined && v !== null ? REDACTED : redactValue(v, depth + 1, seen);
  }
  return out;
}

/**
 * A winston format that removes secrets from the message and every field, at any depth. A field is
 * secret by the same name rule as `name=value` in text (`isSecretName`), whatever its value.
 */
export const redactSecrets = winston.format((info) => {
  const seen = new WeakSet<object>();
  for (const key of Object.keys(info)) {
    if (key === 'level') continue;
    info[key] = isSecretName(key) && info[key] != null ? REDACTED : redactValue(info[key], 0, seen);
  }
  return info;
});
