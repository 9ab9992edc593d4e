/**
 * Masks secrets in text artifacts (logs) before they are stored (SPEC §8 "redaction"): provider and
 * Autopack keys, bearer tokens, lease tokens, `*_KEY=…`/`*SECRET*=…`/`*TOKEN*=…`/`*PASSWORD*=…`
 * assignments and passwords in database URLs. What was never stored cannot leak from a download.
 */
const RULES: readonly [RegExp, string | ((...m: string[]) => string)][] = [
  [/\b((?:postgres(?:ql)?|mysql|redis|amqp|mongodb(?:\+srv)?):\/\/[^:/@\s]+:)[^@\s]+@/gi, '$1[REDACTED]@'],
  [/\b([A-Z][A-Z0-9_]*(?:API_KEY|SECRET|TOKEN|PASSWORD|PASSWD)[A-Z0-9_]*)(\s*[=:]\s*)(["']?)[^\s"']+\3/g, '$1$2$3[REDACTED]$3'],
  [/\bBearer\s+[A-Za-z0-9._~+/=-]{8,}/g, 'Bearer [REDACTED]'],
  [/\bsk-(?:ant-)?[A-Za-z0-9_-]{16,}/g, '[REDACTED]'],
  [/\bapk_[A-Za-z0-9]+_[A-Za-z0-9]+/g, '[REDACTED]'],
  [/\blt_[A-Za-z0-9_-]{43}\b/g, '[REDACTED]'],
  [/-----BEGIN [A-Z ]*PRIVATE KEY-----[\s\S]*?-----END [A-Z ]*PRIVATE KEY-----/g, '[REDACTED PRIVATE KEY]'],
];

export function redactSecrets(text: string): string {
  return RULES.reduce((out, [pattern, replacement]) => out.replace(pattern, replacement as string), text);
}
