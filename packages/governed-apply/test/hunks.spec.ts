import { applyHunks, reverseHunks } from '../src/apply/hunks';
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

const exact = { fuzz: 0, ignoreWhitespace: false };
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
    expect(applyHunks(file, h, { fuzz: 1, ignoreWhitespace: false })).toEqual({ ok: true, content: 'a\nb\nC\nd\ne\nf\n' });
  });

  it('matches through whitespace differences when asked, keeping the file\'s own context lines', () => {
    const spaced = 'a\n  b  \nc\n';
    const h = [hunk(1, 1, [' a\n', ' b\n', '-c\n', '+C\n'])];
    expect(applyHunks(spaced, h, exact).ok).toBe(false);
    expect(applyHunks(spaced, h, { fuzz: 0, ignoreWhitespace: true })).toEqual({ ok: true, content: 'a\n  b  \nC\n' });
  });

  it('reverse hunks undo the change (how "already applied" is recognised)', () => {
    const h = [hunk(2, 2, [' b\n', '-c\n', '+C\n', ' d\n'])];
    const forward = applyHunks(file, h, exact);
    expect(forward.ok).toBe(true);
    if (forward.ok) expect(applyHunks(forward.content, reverseHunks(h), exact)).toEqual({ ok: true, content: file });
  });
});
