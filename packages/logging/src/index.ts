import type { Writable } from 'node:stream';
import winston from 'winston';
import { redactSecrets } from './redact';

export { REDACTED, redactText } from './redact-text';

export type Logger = winston.Logger;
export const LOG_LEVELS = ['error', 'warn', 'info', 'http', 'verbose', 'debug', 'silly'] as const;
export type LogLevel = (typeof LOG_LEVELS)[number];

export interface LoggerOptions {
  /** Goes into every line, so mixed logs of server and executors can be told apart. */
  service: string;
  level?: LogLevel;
  /** Where lines go; default stdout. Tests pass a stream to read what was logged. */
  stream?: Writable;
  silent?: boolean;
}

/**
 * The one logger factory of Autopack: JSON lines with timestamp, level, message and fields.
 * Errors passed as `{ err }` are written with name, message and stack. Secrets (credentials,
 * tokens, keys, passwords — by field name or by their look in text) are redacted everywhere.
 */
export function createLogger(options: LoggerOptions): Logger {
  const transport = options.stream
    ? new winston.transports.Stream({ stream: options.stream })
    : new winston.transports.Console();
  return winston.createLogger({
    level: options.level ?? 'info',
    silent: options.silent ?? false,
    defaultMeta: { service: options.service },
    format: winston.format.combine(
      winston.format.timestamp(),
      serializeErrors(),
      redactSecrets(),
      winston.format.json(),
    ),
    transports: [transport],
  });
}

const serializeErrors = winston.format((info) => {
  for (const [key, value] of Object.entries(info)) {
    if (value instanceof Error) info[key] = { name: value.name, message: value.message, stack: value.stack };
  }
  return info;
});
