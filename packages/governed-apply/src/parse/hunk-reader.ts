import type { Hunk, HunkLine } from '../change-set';
import type { LineCursor } from './line-cursor';
import { PatchParseError } from './parse-error';

const HUNK_HEADER = /^@@ -(\d+)(?:,(\d+))? \+(\d+)(?:,(\d+))? @@/;

/** Reads consecutive hunks at the cursor; leaves it on the first line after the last one. */
export function readHunks(cur: LineCursor, out: Hunk[]): void {
  while (cur.startsWith('@@ ')) {
    const header = cur.current()!;
    const m = HUNK_HEADER.exec(header);
    if (!m) throw new PatchParseError(`malformed hunk header "${header}"`, cur.line);
    const hunk: Hunk = {
      oldStart: Number(m[1]),
      oldCount: m[2] === undefined ? 1 : Number(m[2]),
      newStart: Number(m[3]),
      newCount: m[4] === undefined ? 1 : Number(m[4]),
      lines: [],
      line: cur.line,
    };
    if (![hunk.oldStart, hunk.oldCount, hunk.newStart, hunk.newCount].every(Number.isSafeInteger)) {
      throw new PatchParseError('hunk header numbers are too large', cur.line);
    }
    cur.advance();
    readHunkBody(cur, hunk);
    out.push(hunk);
  }
  // A counted hunk ends exactly; a further diff line means the header's counts were wrong, and
  // silently dropping that line (as tools that trust the counts do) would apply something else.
  const first = cur.first();
  if (first === '+' || first === ' ' || (first === '-' && cur.current() !== '-- ' && !cur.startsWith('--- '))) {
    throw new PatchParseError('hunk is longer than its header says', cur.line);
  }
}

function readHunkBody(cur: LineCursor, hunk: Hunk): void {
  let oldLeft = hunk.oldCount;
  let newLeft = hunk.newCount;
  let last: HunkLine | undefined;
  const expectation = () => `hunk at line ${hunk.line} needs ${oldLeft} more old and ${newLeft} more new lines`;
  while (oldLeft > 0 || newLeft > 0 || cur.startsWith('\\')) {
    if (cur.done) throw new PatchParseError(`patch ends inside a hunk (${expectation()})`, cur.line - 1);
    const first = cur.first();
    if (first === '\\') {
      if (!last) throw new PatchParseError('"\\ No newline at end of file" before any line', cur.line);
      last.text = last.text.slice(0, -1);
      last = undefined;
      cur.advance();
      continue;
    }
    // An empty line is an empty context line (some tools strip the space).
    const kind = first === '' ? ' ' : first;
    if (kind !== ' ' && kind !== '-' && kind !== '+') throw new PatchParseError(`unexpected line in hunk (${expectation()})`, cur.line);
    if (kind !== '+') oldLeft--;
    if (kind !== '-') newLeft--;
    if (oldLeft < 0 || newLeft < 0) throw new PatchParseError(`hunk is longer than its header says (${expectation()})`, cur.line);
    // A slice of the input, "\n" included: no copies of a patch that may run to megabytes.
    last = { kind, text: cur.restWithNewline(first === '' ? 0 : 1) };
    hunk.lines.push(last);
    cur.advance();
  }
}
