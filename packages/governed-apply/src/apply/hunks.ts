import type { ByteString, Hunk, HunkLine } from '../change-set';
import { GAVE_UP, LineImage, type SearchBudget } from './line-image';

export interface HunkOptions {
  /** Context lines a hunk may drop at each end when it does not match as is. */
  fuzz: number;
  ignoreWhitespace: boolean;
  /** Shared by every search of one apply (see SEARCH_BUDGET). */
  budget: SearchBudget;
}

/** `gaveUp`: the search budget ran out before the hunk was found or ruled out. */
export type HunkResult = { ok: true; content: ByteString } | { ok: false; hunk: Hunk; gaveUp: boolean };

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
 * `LineImage.find` would look first, in the part of the file no earlier hunk touched (so never over
 * lines an earlier hunk wrote, which the search refuses too). Then the result is the same as the
 * general algorithm's, built from slices of the file. Null means "not that simple": the caller falls
 * back to the general algorithm.
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
  return patch(content, hunks, options, false);
}

/**
 * Undoes `hunks` (how a change already in the file is recognised), counting only an undo that says
 * something about the file. A reversed hunk with nothing to remove matches anywhere, so it counts
 * only where it must match a whole empty file (it starts at line 0/1 and has no context); and fuzz
 * keeps at least one context line, since a bare added line may occur anywhere.
 */
export function revertHunks(content: ByteString, hunks: readonly Hunk[], options: HunkOptions): HunkResult {
  const reversed = hunks.map(reverseHunk);
  const vacuous = reversed.find((h) => h.oldStart > 1 && h.lines.every((l) => l.kind === '+'));
  if (vacuous) return { ok: false, hunk: vacuous, gaveUp: false };
  return patch(content, reversed, options, true);
}

function patch(content: ByteString, hunks: readonly Hunk[], options: HunkOptions, keepContext: boolean): HunkResult {
  if (options.fuzz === 0 && !options.ignoreWhitespace) {
    const simple = applyAtExpectedLines(content, hunks);
    if (simple !== null) return { ok: true, content: simple };
  }
  const image = new LineImage(splitLines(content), options.ignoreWhitespace, options.budget);
  for (const hunk of hunks) {
    const leading = leadingContext(hunk.lines);
    const trailing = trailingContext(hunk.lines);
    // Past the longer context run every further drop is the same attempt again.
    const maxDrop = Math.max(0, Math.min(options.fuzz, Math.max(leading, trailing) - (keepContext ? 1 : 0)));
    let placed = false;
    for (let drop = 0; drop <= maxDrop && !placed; drop++) {
      const lines = hunk.lines.slice(Math.min(drop, leading), hunk.lines.length - Math.min(drop, trailing));
      const pre: string[] = [];
      const post: string[] = [];
      for (const l of lines) {
        if (l.kind !== '+') pre.push(l.text);
        if (l.kind !== '-') post.push(l.text);
      }
      // An empty preimage matches anywhere: fuzz never gets a hunk placed that way.
      if (drop > 0 && pre.length === 0) break;
      // Fuzzed attempts give up the beginning/end anchors, as GNU patch and git's context reduction do.
      const anchorStart = drop === 0 && (hunk.oldStart === 0 || hunk.oldStart === 1);
      const anchorEnd = drop === 0 && trailing === 0;
      const expected = (hunk.newStart === 0 ? 0 : hunk.newStart - 1) + Math.min(drop, leading);
      const at = image.find(pre, expected, anchorStart, anchorEnd);
      if (at === GAVE_UP) return { ok: false, hunk, gaveUp: true };
      if (at < 0) continue;
      if (options.ignoreWhitespace) {
        // Keep the file's own context lines (their whitespace), replace only what the hunk changes.
        let k = 0;
        const merged: string[] = [];
        for (const l of lines) {
          if (l.kind === ' ') merged.push(image.line(at + k++));
          else if (l.kind === '-') k++;
          else merged.push(l.text);
        }
        image.replace(at, pre.length, merged);
      } else {
        image.replace(at, pre.length, post);
      }
      placed = true;
    }
    if (!placed) return { ok: false, hunk, gaveUp: false };
  }
  return { ok: true, content: image.toString() };
}

/** The hunk that undoes `h`. */
function reverseHunk(h: Hunk): Hunk {
  return {
    oldStart: h.newStart,
    oldCount: h.newCount,
    newStart: h.oldStart,
    newCount: h.oldCount,
    line: h.line,
    lines: h.lines.map((l) => (l.kind === ' ' ? l : { kind: l.kind === '+' ? '-' : '+', text: l.text })),
  };
}
