export const REDACTED = '[REDACTED]';

/*
 * Secrets inside free text: log lines, error messages, and the logs executors upload as artifacts
 * (SPEC §8 "redaction"). The one implementation for both, so a gap is closed everywhere at once.
 *
 * Artifacts are megabytes, and their content is chosen by whoever uploads them, so every pattern
 * stays linear: no unbounded loop over an alternation (V8 keeps a backtrack entry per iteration and
 * throws RangeError past a few MB), and no unbounded scan that can fail and restart at the next
 * character (a start is anchored by a lookbehind, or the scan is bounded).
 */

/**
 * A name whose value is a secret when it is assigned (`=` or `:`): it *ends* in token, secret,
 * password, passphrase, authorization or a qualified key (`api_key`, `apiKey`, `x-api-key`,
 * `SIGNING_KEY`). `tokens_used`, `token_count` or `primary key` do not. Any `*_key` counts: a
 * redacted cache key costs a reader little, a leaked signing key costs a rotation.
 */
const SECRET_NAME = String.raw`[\w.-]*?(?:token|secret|passw(?:or)?d|passphrase|authorization|(?:api|secret|private|access|signing|[_.-])key)`;
/** The name, bare or quoted (`"api_key"` in JSON), then the assignment; the start is not inside a longer name or a URL path. */
const ASSIGNED = String.raw`(?<![\w./-])(["']?)(${SECRET_NAME})\1([ \t]*[=:][ \t]*)`;
/** `Authorization: Bearer …` keeps its scheme, so a reader still sees what kind of credential it was. */
const SCHEME = String.raw`(?:(?:bearer|basic|token|digest)[ \t]+)?`;
/** Up to 4096 characters of a quoted value, escapes included; the closing quote stays where it is. */
const quoted = (q: string) => String.raw`(${q}${SCHEME})(?:[^${q}\\\n]|\\.){1,4096}`;

const SECRET_TEXT: [RegExp, string][] = [
  // First: a JSON-quoted private key would otherwise be cut at 4096 characters by the assignment rules.
  // A PEM body never contains "-----", so a BEGIN without END stops at the next marker (linear).
  [/-----BEGIN [A-Z ]{0,64}PRIVATE KEY-----(?:(?!-----)[\s\S]){1,16384}-----END [A-Z ]{0,64}PRIVATE KEY-----/g, '[REDACTED PRIVATE KEY]'],
  [new RegExp(ASSIGNED + quoted('"'), 'gi'), `$1$2$1$3$4${REDACTED}`],
  [new RegExp(ASSIGNED + quoted("'"), 'gi'), `$1$2$1$3$4${REDACTED}`],
  [new RegExp(ASSIGNED + String.raw`(${SCHEME})[^\s"',;&]+`, 'gi'), `$1$2$1$3$4${REDACTED}`],
  [/\bapk_[0-9a-z]{12}_[0-9A-Za-z]{8,}/g, REDACTED],
  [/\blt_[A-Za-z0-9_-]{43}/g, REDACTED],
  [/(?<![\w-])eyJ[\w-]{5,}\.[\w-]{5,}\.[\w-]*/g, REDACTED],
  [/\bsk-(?:ant-|proj-)?[A-Za-z0-9_-]{16,}/g, REDACTED],
  [/\b(Bearer)\s+[A-Za-z0-9._~+/=-]{8,}/gi, `$1 ${REDACTED}`],
  // Bounded: `://u:` repeated without an `@` must not rescan the rest of the line from every match.
  [/(:\/\/[^:/@\s]{1,256}:)[^@\s]{1,256}@/g, `$1${REDACTED}@`],
];

/** `text` with every secret it recognises replaced by `[REDACTED]` (quotes and names kept). */
export function redactText(text: string): string {
  return SECRET_TEXT.reduce((out, [pattern, replacement]) => out.replace(pattern, replacement), text);
}
