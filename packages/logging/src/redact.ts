import winston from 'winston';
import { REDACTED, redactText } from './redact-text';

/** Field names whose values are secrets wherever they appear (headers, bodies, config, errors). */
const SECRET_KEY =
  /^(authorization|proxy-authorization|cookie|set-cookie|x-api-key|api[-_]?key|.*_api_key|password|passwd|secret|.*[-_]secret|client[-_]?secret|secret[-_]?key|private[-_]?key|token|.*[-_]token|access[-_]?token|refresh[-_]?token)$/i;

function redactValue(value: unknown, depth: number, seen: WeakSet<object>): unknown {
  if (typeof value === 'string') return redactText(value);
  if (value === null || typeof value !== 'object' || depth > 8) return value;
  if (seen.has(value)) return '[Circular]';
  seen.add(value);
  if (Array.isArray(value)) return value.map((v) => redactValue(v, depth + 1, seen));
  const out: Record<string, unknown> = {};
  for (const [key, v] of Object.entries(value)) {
    out[key] = SECRET_KEY.test(key) && v !== undefined && v !== null ? REDACTED : redactValue(v, depth + 1, seen);
  }
  return out;
}

/** A winston format that removes secrets from the message and every field, at any depth. */
export const redactSecrets = winston.format((info) => {
  const seen = new WeakSet<object>();
  for (const key of Object.keys(info)) {
    if (key === 'level') continue;
    info[key] = SECRET_KEY.test(key) && info[key] != null ? REDACTED : redactValue(info[key], 0, seen);
  }
  return info;
});
