import { PatchParseError } from './parse-error';

// Git quotes a path (core.quotePath) when it holds a control character, `"`, `\` or, by default, any
// byte ≥ 0x80: C escapes plus three-digit octal bytes. Input and output are byte strings.
const SIMPLE_ESCAPES: Record<string, string> = {
  a: '\x07',
  b: '\b',
  t: '\t',
  n: '\n',
  v: '\v',
  f: '\f',
  r: '\r',
  '"': '"',
  '\\': '\\',
};

/**
 * Reads a quoted path starting at `text[start]` (which must be `"`). Returns the decoded byte string
 * and the index just past the closing quote.
 */
export function readQuotedPath(text: string, start: number, line: number): { value: string; end: number } {
  let out = '';
  let i = start + 1;
  while (i < text.length) {
    const c = text[i]!;
    if (c === '"') return { value: out, end: i + 1 };
    if (c !== '\\') {
      out += c;
      i++;
      continue;
    }
    const e = text[i + 1];
    if (e === undefined) break;
    if (e >= '0' && e <= '3') {
      const digits = text.slice(i + 1, i + 4);
      if (!/^[0-3][0-7]{2}$/.test(digits)) {
        throw new PatchParseError(`bad octal escape "\\${digits}" in quoted path`, line);
      }
      out += String.fromCharCode(parseInt(digits, 8));
      i += 4;
      continue;
    }
    const simple = SIMPLE_ESCAPES[e];
    if (simple === undefined) throw new PatchParseError(`unknown escape "\\${e}" in quoted path`, line);
    out += simple;
    i += 2;
  }
  throw new PatchParseError('unterminated quoted path', line);
}

/** A whole header value: quoted (decoded) or bare (taken as is). */
export function readPathValue(text: string, line: number): string {
  if (!text.startsWith('"')) return text;
  const { value, end } = readQuotedPath(text, 0, line);
  if (end !== text.length) throw new PatchParseError('unexpected text after quoted path', line);
  return value;
}
