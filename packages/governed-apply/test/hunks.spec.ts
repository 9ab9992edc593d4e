import { applyHunks, revertHunks, type HunkOptions } from '../src/apply/hunks';
import { newSearchBudget } from '../src/apply/line-image';
import type { Hunk } from '../src';

function hunk(oldStart: number, newStart: number, body: string[]): Hunk {
  const lines = body.map((l) => ({ kind: l[0] as ' ' | '-' | '+', text: l.slice(1) }));
  return {
    oldStart,
    newStart,
    oldCount: lines.filter((l) => l.kind !== '+').length,
    newCount: lines.filter((l) => l.kind !== '-').length,
    lines,
    line: 1,
  };
}

const options = (more: Partial<HunkOptions> = {}): HunkOptions => ({ fuzz: 0, ignoreWhitespace: false, budget: newSearchBudget(), ...more });
const exact = options();
const file = ['a\n', 'b\n', 'c\n', 'd\n', 'e\n', 'f\n'].join('');

describe('applyHunks', () => {
  it.each([
    { name: 'applies at the stated line', hunks: [hunk(2, 2, [' b\n', '-c\n', '+C\n', ' d\n'])], result: 'a\nb\nC\nd\ne\nf\n' },
    { name: 'finds a hunk whose line numbers are off', hunks: [hunk(1, 1, [' b\n', '-c\n', '+C\n', ' d\n'])].map((h) => ({ ...h, oldStart: 3, newStart: 3 })), result: 'a\nb\nC\nd\ne\nf\n' },
    { name: 'applies several hunks in order', hunks: [hunk(1, 1, ['-a\n', '+A\n', ' b\n']), hunk(5, 5, [' e\n', '-f\n', '+F\n'])], result: 'A\nb\nc\nd\ne\nF\n' },
    { name: 'inserts at the start with context', hunks: [hunk(1, 1, ['+z\n', ' a\n'])], result: 'z\na\nb\nc\nd\ne\nf\n' },
    { name: 'appends at the end (no trailing context)', hunks: [hunk(6, 6, [' f\n', '+g\n'])], result: file + 'g\n' },
    { name: 'removes the final newline', hunks: [hunk(6, 6, ['-f\n', '+f'])], result: 'a\nb\nc\nd\ne\nf' },
  ])('$name', ({ hunks, result }) => {
    expect(applyHunks(file, hunks, exact)).toEqual({ ok: true, content: result });
  });

  it.each([
    { name: 'refuses context that does not match byte for byte', hunks: [hunk(2, 2, [' b\r\n', '-c\n', '+C\n'])] },
    { name: 'refuses a hunk without trailing context away from the end', hunks: [hunk(3, 3, ['-c\n', '+C\n'])] },
    { name: 'refuses a context-free insertion at line 0 of a non-empty file (as git does)', hunks: [hunk(0, 1, ['+z\n'])] },
    { name: 'refuses a hunk at line 1 that does not match at the beginning', hunks: [hunk(1, 1, [' b\n', '-c\n', '+C\n'])] },
  ])('$name', ({ hunks }) => {
    expect(applyHunks(file, hunks, exact).ok).toBe(false);
  });

  it('fills an empty file from line 0', () => {
    expect(applyHunks('', [hunk(0, 1, ['+z\n'])], exact)).toEqual({ ok: true, content: 'z\n' });
  });

  it('drops context lines when fuzz is configured, and only then', () => {
    const h = [hunk(2, 2, [' x\n', ' b\n', '-c\n', '+C\n', ' d\n', ' y\n'])];
    expect(applyHunks(file, h, exact).ok).toBe(false);
    expect(applyHunks(file, h, options({ fuzz: 1 }))).toEqual({ ok: true, content: 'a\nb\nC\nd\ne\nf\n' });
  });

  it('matches through whitespace differences when asked, keeping the file\'s own context lines', () => {
    const spaced = 'a\n  b  \nc\n';
    const h = [hunk(1, 1, [' a\n', ' b\n', '-c\n', '+C\n'])];
    expect(applyHunks(spaced, h, exact).ok).toBe(false);
    expect(applyHunks(spaced, h, options({ ignoreWhitespace: true }))).toEqual({ ok: true, content: 'a\n  b  \nC\n' });
  });

  it('reverse hunks undo the change (how "already applied" is recognised)', () => {
    const h = [hunk(2, 2, [' b\n', '-c\n', '+C\n', ' d\n'])];
    const forward = applyHunks(file, h, exact);
    expect(forward.ok).toBe(true);
    if (forward.ok) expect(revertHunks(forward.content, h, exact)).toEqual({ ok: true, content: file });
  });

  it('never lets fuzz reduce a preimage to nothing (it would match anywhere)', () => {
    const insertion = [hunk(2, 2, [' x\n', '+NEW\n', ' y\n'])];
    expect(applyHunks(file, insertion, options({ fuzz: 1 })).ok).toBe(false);
    expect(applyHunks(file, insertion, options({ fuzz: 5, ignoreWhitespace: true })).ok).toBe(false);
  });

  it('inserts a hunk of 150 000 lines through the search (no argument-spread stack overflow)', () => {
    const added = Array<string>(150_000).fill('+x\n');
    const result = applyHunks(file, [hunk(2, 2, [' b\n', ...added, ' c\n'])], options({ fuzz: 1 }));
    expect(result).toEqual({ ok: true, content: `a\nb\n${'x\n'.repeat(150_000)}c\nd\ne\nf\n` });
  });

  it('stops dropping context where the context ends, however large fuzz is', () => {
    const budget = newSearchBudget();
    const h = [hunk(2, 2, [' x\n', '-c\n', '+C\n', ' y\n'])];
    expect(applyHunks('a\nb\nd\n', h, options({ fuzz: 100_000_000, budget }))).toMatchObject({ ok: false, gaveUp: false });
    // Two attempts (as is, one line dropped) over a three-line file: a handful of comparisons.
    expect(newSearchBudget().remaining - budget.remaining).toBeLessThan(20);
  });
});

describe('lines an earlier hunk wrote', () => {
  const letters = 'abcdefghij'.split('').map((c) => `${c}\n`).join('');
  const insertCheck = hunk(1, 1, ['-a\n', '+SAFE\n', '+check()\n', ' b\n']);

  it('are never matched by a later hunk (git apply refuses this patch too)', () => {
    const removeCheck = hunk(8, 9, [' SAFE\n', '-check()\n', ' b\n']);
    expect(applyHunks(letters, [insertCheck, removeCheck], exact)).toMatchObject({ ok: false, hunk: removeCheck });
  });

  it('are refused even where the later hunk says it belongs (the fast path gives way to the search)', () => {
    const removeCheck = hunk(2, 2, [' SAFE\n', '-check()\n', ' b\n']);
    expect(applyHunks(letters, [insertCheck, removeCheck], exact)).toMatchObject({ ok: false, hunk: removeCheck });
  });

  it('leave untouched lines before them available to a later hunk (hunks out of order, as git allows)', () => {
    const late = hunk(8, 8, [' g\n', '-h\n', '+H\n', ' i\n']);
    const early = hunk(9, 9, [' b\n', '-c\n', '+C\n', ' d\n']);
    expect(applyHunks(letters, [late, early], exact)).toEqual({ ok: true, content: 'a\nb\nC\nd\ne\nf\ng\nH\ni\nj\n' });
  });

  it('are respected with fuzz and when ignoring whitespace', () => {
    const removeCheck = hunk(8, 9, [' x\n', ' SAFE\n', '-check()\n', ' b\n', ' y\n']);
    expect(applyHunks(letters, [insertCheck, removeCheck], options({ fuzz: 1, ignoreWhitespace: true })).ok).toBe(false);
  });
});

describe('the search budget', () => {
  const run = 'a\n'.repeat(2000);
  // Matches the first 1000 lines everywhere, then fails: O(file × hunk) without a budget.
  const hostile = hunk(1000, 1000, [...Array<string>(1000).fill(' a\n'), '-b\n', '+c\n', ' a\n']);

  it('gives up when spent, and says so', () => {
    const budget = newSearchBudget(100_000);
    expect(applyHunks(run, [hostile], options({ budget }))).toMatchObject({ ok: false, gaveUp: true, hunk: hostile });
    expect(budget.remaining).toBeLessThanOrEqual(0);
  });

  it('is shared: once spent, the next search gives up at once', () => {
    const budget = newSearchBudget(100_000);
    applyHunks(run, [hostile], options({ budget }));
    const ordinary = hunk(500, 500, [' a\n', '-x\n', '+y\n', ' a\n']);
    expect(applyHunks(run, [ordinary], options({ budget }))).toMatchObject({ ok: false, gaveUp: true });
  });

  it('is ample for a full search that fails normally', () => {
    expect(applyHunks(run, [hostile], exact)).toMatchObject({ ok: false, gaveUp: false });
  });

  it('still finds a displaced hunk in a long file of repeated lines', () => {
    const content = `${run}b\n${run}`;
    const displaced = hunk(100, 100, [' a\n', ' a\n', '-b\n', '+B\n', ' a\n']);
    expect(applyHunks(content, [displaced], exact)).toEqual({ ok: true, content: `${run}B\n${run}` });
  });
});

describe('revertHunks (is the change already there?)', () => {
  const abc = 'a\nb\nc\n';

  it('does not count a reversed hunk with nothing to remove: it would match anywhere', () => {
    // `@@ -3 +2,0 @@ -DOES NOT EXIST`: reversed, an insertion without context at the end.
    const h = [hunk(3, 2, ['-DOES NOT EXIST\n'])];
    expect(applyHunks(abc, h, exact).ok).toBe(false);
    expect(revertHunks(abc, h, exact).ok).toBe(false);
    expect(revertHunks(abc, h, options({ fuzz: 3 })).ok).toBe(false);
  });

  it('counts an emptied file: the reversed hunk must match the whole (empty) file', () => {
    const h = [hunk(1, 0, ['-a\n', '-b\n'])];
    expect(revertHunks('', h, exact)).toEqual({ ok: true, content: 'a\nb\n' });
    expect(revertHunks('x\n', h, exact).ok).toBe(false);
  });

  it('keeps at least one context line when fuzz is configured', () => {
    // The added line occurs in the file, but not between the hunk's context lines.
    const h = [hunk(2, 2, [' x\n', '+NEW\n', ' y\n'])];
    expect(revertHunks('p\nNEW\nq\n', h, options({ fuzz: 1 })).ok).toBe(false);
    const wider = [hunk(2, 2, [' w\n', ' x\n', '+NEW\n', ' y\n', ' z\n'])];
    expect(revertHunks('p\nx\nNEW\ny\nq\n', wider, options({ fuzz: 1 }))).toEqual({ ok: true, content: 'p\nx\ny\nq\n' });
    expect(revertHunks('p\nx\nNEW\nq\nq\n', wider, options({ fuzz: 5 })).ok).toBe(false);
  });
});
