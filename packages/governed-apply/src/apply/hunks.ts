import type { ByteString, Hunk, HunkLine } from '../change-set';

export interface HunkOptions {
  /** Context lines a hunk may drop at each end when it does not match as is. */
  fuzz: number;
  ignoreWhitespace: boolean;
}

export type HunkResult = { ok: true; content: ByteString } | { ok: false; hunk: Hunk };

/** Splits into lines that keep their "\n" (the last one may have none); slices, not copies. */
export function splitLines(content: ByteString): string[] {
  const lines: string[] = [];
  let start = 0;
  for (let nl = content.indexOf('\n'); nl >= 0; nl = content.indexOf('\n', start)) {
    lines.push(content.slice(start, nl + 1));
    start = nl + 1;
  }
  if (start < content.length) lines.push(content.slice(start));
  return lines;
}

/** Number of lines (a last line without "\n" counts). */
export function lineCount(content: ByteString): number {
  let count = 0;
  for (let nl = content.indexOf('\n'); nl >= 0; nl = content.indexOf('\n', nl + 1)) count++;
  return content.length > 0 && !content.endsWith('\n') ? count + 1 : count;
}

const collapse = (s: string) => s.replace(/[ \t\r\f\v]+/g, ' ').trim();

function matchesAt(image: string[], at: number, pre: string[], ignoreWhitespace: boolean): boolean {
  if (at < 0 || at + pre.length > image.length) return false;
  for (let k = 0; k < pre.length; k++) {
    const a = image[at + k]!;
    const b = pre[k]!;
    if (a === b) continue;
    // Whitespace-tolerant mode still requires the same line ending presence (a missing final newline).
    if (!ignoreWhitespace || a.endsWith('\n') !== b.endsWith('\n') || collapse(a) !== collapse(b)) return false;
  }
  return true;
}

/**
 * Where the preimage sits, the way git apply looks for it: at the expected line first, then one
 * line further, one line earlier, two further, …; a hunk that starts at line 0/1 must match at the
 * beginning and one without trailing context must match at the end.
 */
function findPosition(image: string[], pre: string[], expected: number, anchorStart: boolean, anchorEnd: boolean, ws: boolean): number {
  if (pre.length > image.length) return -1;
  if (anchorStart) {
    const ok = matchesAt(image, 0, pre, ws) && (!anchorEnd || pre.length === image.length);
    return ok ? 0 : -1;
  }
  if (anchorEnd) return matchesAt(image, image.length - pre.length, pre, ws) ? image.length - pre.length : -1;
  const start = Math.min(Math.max(expected, 0), image.length);
  if (matchesAt(image, start, pre, ws)) return start;
  for (let step = 1; start - step >= 0 || start + step <= image.length; step++) {
    if (matchesAt(image, start + step, pre, ws)) return start + step;
    if (matchesAt(image, start - step, pre, ws)) return start - step;
  }
  return -1;
}

function leadingContext(lines: HunkLine[]): number {
  let n = 0;
  while (n < lines.length && lines[n]!.kind === ' ') n++;
  return n;
}

function trailingContext(lines: HunkLine[]): number {
  let n = 0;
  while (n < lines.length && lines[lines.length - 1 - n]!.kind === ' ') n++;
  return n;
}

/**
 * The common case, without splitting the file into lines: every hunk sits exactly where
 * `findPosition` would look first, in the part of the file no earlier hunk touched. Then the result
 * is the same as the general algorithm's, built from slices of the file. Null means "not that
 * simple": the caller falls back to the general algorithm.
 */
function applyAtExpectedLines(content: ByteString, hunks: readonly Hunk[]): ByteString | null {
  const starts = [0];
  for (let nl = content.indexOf('\n'); nl >= 0; nl = content.indexOf('\n', nl + 1)) starts.push(nl + 1);
  if (starts[starts.length - 1] !== content.length) starts.push(content.length);
  const lineTotal = starts.length - 1;
  const pieces: string[] = [];
  let done = 0; // old lines consumed (kept or replaced) so far
  let delta = 0; // lines added minus lines removed by earlier hunks
  for (const hunk of hunks) {
    let preLength = 0;
    for (const l of hunk.lines) if (l.kind !== '+') preLength++;
    const anchorStart = hunk.oldStart === 0 || hunk.oldStart === 1;
    const anchorEnd = trailingContext(hunk.lines) === 0;
    let at: number;
    if (anchorStart) {
      if (done !== 0 || delta !== 0 || (anchorEnd && preLength !== lineTotal)) return null;
      at = 0;
    } else if (anchorEnd) {
      at = lineTotal - preLength;
    } else {
      at = Math.min(Math.max(hunk.newStart === 0 ? 0 : hunk.newStart - 1, 0), lineTotal + delta) - delta;
    }
    if (at < done || at + preLength > lineTotal) return null;
    let k = at;
    for (const l of hunk.lines) {
      if (l.kind === '+') continue;
      if (starts[k + 1]! - starts[k]! !== l.text.length || content.slice(starts[k], starts[k + 1]) !== l.text) return null;
      k++;
    }
    pieces.push(content.slice(starts[done], starts[at]));
    for (const l of hunk.lines) if (l.kind !== '-') pieces.push(l.text);
    delta += hunk.lines.length - 2 * preLength;
    done = at + preLength;
  }
  pieces.push(content.slice(starts[done]));
  return pieces.join('');
}

/**
 * Applies `hunks` in order to `content` (a byte string). Exact by default: every context and removed
 * line must match byte for byte. Returns the first hunk that does not fit.
 */
export function applyHunks(content: ByteString, hunks: readonly Hunk[], options: HunkOptions): HunkResult {
  if (options.fuzz === 0 && !options.ignoreWhitespace) {
    const simple = applyAtExpectedLines(content, hunks);
    if (simple !== null) return { ok: true, content: simple };
  }
  const image = splitLines(content);
  for (const hunk of hunks) {
    const leading = leadingContext(hunk.lines);
    const trailing = trailingContext(hunk.lines);
    let placed = false;
    for (let drop = 0; drop <= options.fuzz && !placed; drop++) {
      const lines = hunk.lines.slice(Math.min(drop, leading), hunk.lines.length - Math.min(drop, trailing));
      const pre: string[] = [];
      const post: string[] = [];
      for (const l of lines) {
        if (l.kind !== '+') pre.push(l.text);
        if (l.kind !== '-') post.push(l.text);
      }
      // Fuzzed attempts give up the beginning/end anchors, as GNU patch and git's context reduction do.
      const anchorStart = drop === 0 && (hunk.oldStart === 0 || hunk.oldStart === 1);
      const anchorEnd = drop === 0 && trailing === 0;
      const expected = (hunk.newStart === 0 ? 0 : hunk.newStart - 1) + Math.min(drop, leading);
      const at = findPosition(image, pre, expected, anchorStart, anchorEnd, options.ignoreWhitespace);
      if (at < 0) continue;
      if (options.ignoreWhitespace) {
        // Keep the file's own context lines (their whitespace), replace only what the hunk changes.
        let k = 0;
        const merged: string[] = [];
        for (const l of lines) {
          if (l.kind === ' ') merged.push(image[at + k++]!);
          else if (l.kind === '-') k++;
          else merged.push(l.text);
        }
        image.splice(at, pre.length, ...merged);
      } else {
        image.splice(at, pre.length, ...post);
      }
      placed = true;
    }
    if (!placed) return { ok: false, hunk };
  }
  return { ok: true, content: image.join('') };
}

/** The hunks that undo `hunks`: used to recognise a change that is already applied. */
export function reverseHunks(hunks: readonly Hunk[]): Hunk[] {
  return hunks.map((h) => ({
    oldStart: h.newStart,
    oldCount: h.newCount,
    newStart: h.oldStart,
    newCount: h.oldCount,
    line: h.line,
    lines: h.lines.map((l) => (l.kind === ' ' ? l : { kind: l.kind === '+' ? '-' : '+', text: l.text })),
  }));
}
