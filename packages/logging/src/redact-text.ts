import { redactAssignments } from './redact-assignments';

export const REDACTED = '[REDACTED]';

/*
 * Secrets inside free text: log lines, error messages, and the logs executors upload as artifacts
 * (SPEC §8 "redaction"). The one implementation for both, so a gap is closed everywhere at once.
 *
 * Artifacts are megabytes, and their content is chosen by whoever uploads them, so every pattern
 * stays linear: no unbounded loop over an alternation (V8 keeps a backtrack entry per iteration and
 * throws RangeError past a few MB), and no unbounded scan that can fail and restart at the next
 * character (a start is anchored by a lookbehind, or the scan is bounded). Values of secret names
 * are walked in code (`redact-assignments.ts`), which has neither problem.
 */

type Rule = (text: string) => string;
const replace =
  (pattern: RegExp, replacement: string): Rule =>
  (text) =>
    text.replace(pattern, replacement);

const SECRET_TEXT: Rule[] = [
  // Secrets recognisable by their look go first, so they are gone whatever surrounds them, even
  // where the name rules decide a value is not a secret (`authorization: denied, eyJ…`).
  // A PEM body never contains "-----", so a BEGIN without END stops at the next marker (linear).
  replace(/-----BEGIN [A-Z ]{0,64}PRIVATE KEY-----(?:(?!-----)[\s\S]){1,16384}-----END [A-Z ]{0,64}PRIVATE KEY-----/g, '[REDACTED PRIVATE KEY]'),
  replace(/\bapk_[0-9a-z]{12}_[0-9A-Za-z]{8,}/g, REDACTED),
  replace(/\blt_[A-Za-z0-9_-]{43}/g, REDACTED),
  replace(/(?<![\w-])eyJ[\w-]{5,}\.[\w-]{5,}\.[\w-]*/g, REDACTED),
  replace(/\bsk-(?:ant-|proj-)?[A-Za-z0-9_-]{16,}/g, REDACTED),
  (text) => redactAssignments(text, REDACTED),
  replace(/\b(Bearer)\s+[A-Za-z0-9._~+/=-]{8,}/gi, `$1 ${REDACTED}`),
  // Bounded: `://u:` repeated without an `@` must not rescan the rest of the line from every match.
  replace(/(:\/\/[^:/@\s]{1,256}:)[^@\s]{1,256}@/g, `$1${REDACTED}@`),
];

/** `text` with every secret it recognises replaced by `[REDACTED]` (quotes and names kept). */
export function redactText(text: string): string {
  return SECRET_TEXT.reduce((out, rule) => rule(out), text);
}
