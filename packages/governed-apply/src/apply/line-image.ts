import type { ByteString } from '../change-set';

/**
 * Line comparisons one apply may spend locating hunks, shared by all its files. Searching is
 * O(file × hunk) in the worst case (a long run of equal lines), and the API is synchronous, so a
 * hostile patch could otherwise hold the executor for minutes (this much is well under a second).
 * Real patches use a tiny fraction: a hunk found near its stated line costs a few comparisons per
 * line, and one that is not there costs a scan of its file at about one comparison per line, so even
 * hundreds of missing hunks in 100 000-line files fit.
 */
export const SEARCH_BUDGET = 50_000_000;

/** What is left of the search budget (one object per apply, passed to every file's search). */
export interface SearchBudget {
  remaining: number;
}

export const newSearchBudget = (comparisons = SEARCH_BUDGET): SearchBudget => ({ remaining: comparisons });

const NOT_FOUND = -1;
/** The budget ran out before the search could say whether the preimage is there. */
export const GAVE_UP = -2;

const collapse = (s: string) => s.replace(/[ \t\r\f\v]+/g, ' ').trim();

/** Whitespace-tolerant identity: collapsed whitespace, but a missing final newline still differs. */
const looseKey = (line: string) => (line.endsWith('\n') ? `${collapse(line)}\n` : collapse(line));

/** `array.splice(at, count, ...items)` without spreading: V8 overflows its stack past ~100k arguments. */
function replaceRange<T>(array: T[], at: number, count: number, items: readonly T[]): T[] {
  if (items.length < 10_000) {
    array.splice(at, count, ...items);
    return array;
  }
  return array.slice(0, at).concat(items, array.slice(at + count));
}

/**
 * A file being patched, one entry per line. Lines written by an earlier hunk (its whole postimage)
 * are marked, and no later hunk matches over them: git apply does the same, so a hunk can never
 * "find" its context in lines the patch itself just inserted.
 */
export class LineImage {
  private lines: string[];
  private patched: boolean[];
  /** Whitespace-tolerant mode: each line's looseKey, computed when first compared. */
  private keys: (string | undefined)[] | null;

  constructor(
    lines: string[],
    ignoreWhitespace: boolean,
    private readonly budget: SearchBudget,
  ) {
    this.lines = lines;
    this.patched = new Array<boolean>(lines.length).fill(false);
    this.keys = ignoreWhitespace ? new Array<string | undefined>(lines.length) : null;
  }

  line(index: number): string {
    return this.lines[index]!;
  }

  toString(): ByteString {
    return this.lines.join('');
  }

  /** Puts `post` where `count` lines at `at` were, marking it patched. */
  replace(at: number, count: number, post: readonly string[]): void {
    this.lines = replaceRange(this.lines, at, count, post);
    this.patched = replaceRange(this.patched, at, count, new Array<boolean>(post.length).fill(true));
    if (this.keys) this.keys = replaceRange(this.keys, at, count, new Array<string | undefined>(post.length));
  }

  private sameLine(index: number, line: string, key: string | undefined): boolean {
    if (this.patched[index]) return false;
    if (this.lines[index] === line) return true;
    return key !== undefined && (this.keys![index] ??= looseKey(this.lines[index]!)) === key;
  }

  /** Every comparison is charged to the budget, the failing one included. */
  private matchesAt(at: number, pre: readonly string[], preKeys: readonly string[] | null): boolean {
    if (at < 0 || at + pre.length > this.lines.length) return false;
    let k = 0;
    while (k < pre.length && this.sameLine(at + k, pre[k]!, preKeys?.[k])) k++;
    this.budget.remaining -= k + 1;
    return k === pre.length;
  }

  /**
   * Where the preimage sits, the way git apply looks for it: at the expected line first, then one
   * line further, one line earlier, two further, …; a hunk that starts at line 0/1 must match at the
   * beginning and one without trailing context must match at the end. NOT_FOUND, or GAVE_UP when
   * the search budget ran out first.
   */
  find(pre: readonly string[], expected: number, anchorStart: boolean, anchorEnd: boolean): number {
    const size = this.lines.length;
    if (pre.length > size) return NOT_FOUND;
    const preKeys = this.keys ? pre.map(looseKey) : null;
    if (anchorStart) return this.matchesAt(0, pre, preKeys) && (!anchorEnd || pre.length === size) ? 0 : NOT_FOUND;
    if (anchorEnd) return this.matchesAt(size - pre.length, pre, preKeys) ? size - pre.length : NOT_FOUND;
    const start = Math.min(Math.max(expected, 0), size);
    if (this.matchesAt(start, pre, preKeys)) return start;
    for (let step = 1; start - step >= 0 || start + step <= size; step++) {
      if (this.budget.remaining <= 0) return GAVE_UP;
      if (this.matchesAt(start + step, pre, preKeys)) return start + step;
      if (this.matchesAt(start - step, pre, preKeys)) return start - step;
    }
    return NOT_FOUND;
  }
}
