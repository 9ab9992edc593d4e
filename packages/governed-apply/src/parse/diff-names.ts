import { PatchParseError } from './parse-error';
import { readPathValue, readQuotedPath } from './quoted-path';

export const DEV_NULL = '/dev/null';

/**
 * Patch names are bytes; paths are UTF-8. Bytes that are not UTF-8 become U+FFFD, which the path
 * policy refuses (a name we cannot spell back is a name we must not write).
 */
export function decodeName(bytes: string): string {
  return Buffer.from(bytes, 'latin1').toString('utf8');
}

/**
 * Removes the first path component, like `git apply -p1` (`a/src/x` → `src/x`). A name that starts
 * with `/` keeps it, so `+++ /etc/passwd` stays absolute and the path policy refuses it instead of
 * the prefix strip silently turning it into `etc/passwd`.
 */
export function stripPrefix(name: string, line: number, lenient: boolean): string {
  if (name.startsWith('/')) return name;
  const slash = name.indexOf('/');
  if (slash < 0) {
    if (lenient) return name;
    throw new PatchParseError(`file name "${name}" has no leading directory to strip (a/, b/)`, line);
  }
  return name.slice(slash + 1);
}

/**
 * The name on a `---`/`+++` line: quoted, or bare up to a tab (git appends a tab to names with
 * spaces; traditional diffs put a timestamp after it). Returns the raw name, prefix not stripped.
 */
export function readMarkerName(value: string, line: number): string {
  if (value.startsWith('"')) {
    const { value: name, end } = readQuotedPath(value, 0, line);
    const tail = value.slice(end);
    if (tail !== '' && !tail.startsWith('\t')) throw new PatchParseError('unexpected text after quoted path', line);
    return name;
  }
  const tab = value.indexOf('\t');
  const name = tab < 0 ? value : value.slice(0, tab);
  if (name === '') throw new PatchParseError('missing file name', line);
  return name;
}

/**
 * The two names of `diff --git a/X b/Y`, prefixes stripped. Bare names with spaces are ambiguous; as
 * git does, they are split where both halves name the same file, and null is returned when no such
 * split exists (a rename: the `rename from/to` or `---/+++` lines then say which files).
 */
export function readGitHeaderNames(rest: string, line: number): { oldName: string; newName: string } | null {
  if (rest.startsWith('"')) {
    const first = readQuotedPath(rest, 0, line);
    if (rest[first.end] !== ' ') throw new PatchParseError('expected a space between the two file names', line);
    const second = readPathValue(rest.slice(first.end + 1), line);
    return { oldName: stripPrefix(first.value, line, false), newName: stripPrefix(second, line, false) };
  }
  const quotedSecond = rest.indexOf(' "');
  if (quotedSecond >= 0 && rest.endsWith('"')) {
    const second = readPathValue(rest.slice(quotedSecond + 1), line);
    return { oldName: stripPrefix(rest.slice(0, quotedSecond), line, false), newName: stripPrefix(second, line, false) };
  }
  const halves = rest.length % 2 === 1 ? (rest.length - 1) / 2 : -1;
  if (halves > 0 && rest[halves] === ' ') {
    const oldName = stripPrefix(rest.slice(0, halves), line, false);
    const newName = stripPrefix(rest.slice(halves + 1), line, false);
    if (oldName === newName) return { oldName, newName };
  }
  const spaces = rest.split(' ').length - 1;
  if (spaces === 1) {
    const [a, b] = rest.split(' ') as [string, string];
    return { oldName: stripPrefix(a, line, false), newName: stripPrefix(b, line, false) };
  }
  return null;
}
