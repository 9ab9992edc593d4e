import type { ByteString, Hunk, HunkLine } from '../change-set';

export interface HunkOptions {
  /** Context lines a hunk may drop at each end when it does not match as is. */
  fuzz: number;
  ignoreWhitespace: boolean;
}

export type HunkResult = { ok: true; content: ByteString } | { ok: false; hunk: Hunk };

/** Splits into lines that keep their "\n" (the last one may have none). */
export function splitLines(content: ByteString): string[] {
  if (content === '') return [];
  const parts = content.split('\n');
  const last = parts.pop()!;
  const lines = parts.map((p) => p + '\n');
  if (last !== '') lines.push(last);
  return lines;
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
 * Applies `hunks` in order to `content` (a byte string). Exact by default: every context and removed
 * line must match byte for byte. Returns the first hunk that does not fit.
 */
export function applyHunks(content: ByteString, hunks: readonly Hunk[], options: HunkOptions): HunkResult {
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
