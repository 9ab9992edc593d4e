import { parseUnifiedDiff, PatchParseError } from '../src';
import { binaryBlock } from './helpers/binary-patch';
import { thrown } from './helpers/thrown';

const lines = (change: { hunks: { lines: { kind: string; text: string }[] }[] }) => change.hunks.flatMap((h) => h.lines.map((l) => l.kind + l.text));

describe('parseUnifiedDiff', () => {
  it.each([
    {
      name: 'reads modes, index and a modification',
      patch: 'diff --git a/x.sh b/x.sh\nold mode 100644\nnew mode 100755\nindex 1234567..89abcde\n--- a/x.sh\n+++ b/x.sh\n@@ -1,2 +1,2 @@\n a\n-b\n+c\n',
      expected: { op: 'modify', path: 'x.sh', oldMode: '100644', newMode: '100755', oldBlob: '1234567', newBlob: '89abcde' },
    },
    {
      name: 'takes the mode of the index line when no mode lines are given',
      patch: 'diff --git a/x b/x\nindex 1234567..89abcde 100755\n--- a/x\n+++ b/x\n@@ -1 +1 @@\n-a\n+b\n',
      expected: { op: 'modify', oldMode: '100755', newMode: '100755' },
    },
    {
      name: 'reads a rename with quoted, escaped names',
      patch: 'diff --git "a/caf\\303\\251 \\"x\\".md" "b/t\\303\\251.md"\nsimilarity index 90%\nrename from "caf\\303\\251 \\"x\\".md"\nrename to "t\\303\\251.md"\n',
      expected: { op: 'rename', path: 'té.md', oldPath: 'café "x".md', hunks: [] },
    },
    {
      name: 'reads a copy',
      patch: 'diff --git a/a.txt b/b.txt\nsimilarity index 100%\ncopy from a.txt\ncopy to b.txt\n',
      expected: { op: 'copy', path: 'b.txt', oldPath: 'a.txt' },
    },
    {
      name: 'reads names with spaces from a symmetric header',
      patch: 'diff --git a/my file.txt b/my file.txt\nold mode 100644\nnew mode 100755\n',
      expected: { op: 'modify', path: 'my file.txt' },
    },
    {
      name: 'reads a deletion of an empty file (no hunks)',
      patch: 'diff --git a/e b/e\ndeleted file mode 100644\nindex e69de29..0000000\n',
      expected: { op: 'delete', path: 'e', oldMode: '100644', hunks: [] },
    },
    {
      name: 'marks "Binary files … differ" as binary without data',
      patch: 'diff --git a/b.bin b/b.bin\nindex 1111111..2222222 100644\nBinary files a/b.bin and b/b.bin differ\n',
      expected: { op: 'modify', binary: true, binaryPatch: null },
    },
    {
      name: 'reads a plain diff and strips the timestamp after the tab',
      patch: '--- a/src/x.ts\t2024-01-01 10:00:00\n+++ b/src/x.ts\t2024-01-02 10:00:00\n@@ -1 +1 @@\n-a\n+b\n',
      expected: { op: 'modify', path: 'src/x.ts' },
    },
    {
      name: 'keeps a leading "/" instead of stripping it as a prefix',
      patch: '--- /dev/null\n+++ /etc/passwd\n@@ -0,0 +1 @@\n+x\n',
      expected: { op: 'create', path: '/etc/passwd' },
    },
  ])('$name', ({ patch, expected }) => {
    const [change] = parseUnifiedDiff(patch).changes;
    expect(change).toMatchObject(expected);
  });

  it('keeps CR bytes and "\\ No newline" exactly', () => {
    const set = parseUnifiedDiff(Buffer.from('--- a/f\n+++ b/f\n@@ -1,2 +1,2 @@\n a\r\n-b\r\n\\ No newline at end of file\n+B\r\n\\ No newline at end of file\n', 'latin1'));
    expect(lines(set.changes[0]!)).toEqual([' a\r\n', '-b\r', '+B\r']);
  });

  it('treats a bare empty line in a hunk as an empty context line', () => {
    const set = parseUnifiedDiff('--- a/f\n+++ b/f\n@@ -1,3 +1,3 @@\n a\n\n-b\n+c\n');
    expect(lines(set.changes[0]!)).toEqual([' a\n', ' \n', '-b\n', '+c\n']);
  });

  it('reads counts-less hunk headers as one line each', () => {
    const [change] = parseUnifiedDiff('--- a/f\n+++ b/f\n@@ -3 +3 @@\n-a\n+b\n').changes;
    expect(change!.hunks[0]).toMatchObject({ oldStart: 3, oldCount: 1, newStart: 3, newCount: 1 });
  });

  it('keeps every byte of non-UTF-8 content', () => {
    const bytes = Buffer.from([...Buffer.from('--- a/f\n+++ b/f\n@@ -1 +1 @@\n-'), 0xff, 0xfe, 10, ...Buffer.from('+'), 0x80, 10]);
    const [change] = parseUnifiedDiff(bytes).changes;
    expect(Buffer.from(lines(change!).join(''), 'latin1')).toEqual(Buffer.from([45, 0xff, 0xfe, 10, 43, 0x80, 10]));
  });

  it('decodes a GIT binary patch literal (base85 + zlib)', () => {
    const data = Buffer.from([0, 1, 2, 250, 251, 252, 9, 10]);
    const patch = `diff --git a/b.bin b/b.bin\nnew file mode 100644\nindex 0000000..1111111\nGIT binary patch\n${binaryBlock('literal', data)}literal 0\nHcmV?d00001\n\n`;
    const [change] = parseUnifiedDiff(patch).changes;
    expect(change).toMatchObject({ op: 'create', binary: true });
    expect(change!.binaryPatch!.forward).toEqual({ kind: 'literal', data });
    expect(change!.binaryPatch!.reverse).toEqual({ kind: 'literal', data: Buffer.alloc(0) });
  });

  describe('binary data larger than it should be', () => {
    const header = 'diff --git a/b.bin b/b.bin\nnew file mode 100644\nindex 0000000..1111111\nGIT binary patch\n';

    it('stops inflating at the declared size: a deflate bomb is a parse error naming its line', () => {
      // 32 MiB of zeros deflate to about 32 KiB; the header claims 4 bytes.
      const bomb = `${header}${binaryBlock('literal', Buffer.alloc(32 * 1024 * 1024), 4)}`;
      const error = thrown(() => parseUnifiedDiff(bomb));
      expect(error).toBeInstanceOf(PatchParseError);
      expect(error).toMatchObject({ line: 5, message: expect.stringMatching(/inflates to more than the 4 bytes its header says/) });
    });

    it('refuses a declared size over the file size limit before inflating anything', () => {
      const huge = `${header}literal 1500000000\nzzzzz\n\n`;
      expect(thrown(() => parseUnifiedDiff(huge))).toMatchObject({ line: 5, message: expect.stringMatching(/declares 1500000000 bytes, more than the 1048576-byte file size limit/) });
      const delta = `${header}${binaryBlock('literal', Buffer.from('x'))}delta 2000\nzzzzz\n\n`;
      expect(thrown(() => parseUnifiedDiff(delta, 1000))).toMatchObject({ line: 8, message: expect.stringMatching(/declares 2000 bytes, more than the 1000-byte/) });
    });

    it('takes the limit it is given', () => {
      const data = Buffer.alloc(2000, 7);
      const patch = `${header}${binaryBlock('literal', data)}`;
      expect(thrown(() => parseUnifiedDiff(patch, 1999))).toBeInstanceOf(PatchParseError);
      expect(parseUnifiedDiff(patch, 2000).changes[0]!.binaryPatch!.forward.data).toEqual(data);
    });

    it('still reports data shorter than declared', () => {
      const short = `${header}${binaryBlock('literal', Buffer.from('abc'), 4)}`;
      expect(thrown(() => parseUnifiedDiff(short))).toMatchObject({ line: 5, message: expect.stringMatching(/inflates to 3 bytes, header says 4/) });
    });
  });

  it('skips text around file patches (mail headers, commit message, signature)', () => {
    const set = parseUnifiedDiff('From: x\nSubject: y\n\nmessage\n---\n f | 1 +\n\ndiff --git a/f b/f\n--- a/f\n+++ b/f\n@@ -1 +1 @@\n-a\n+b\n-- \n2.39.5\n');
    expect(set.changes).toHaveLength(1);
  });

  it('returns an empty change set for empty input', () => {
    expect(parseUnifiedDiff('').changes).toEqual([]);
  });

  it.each([
    { name: 'no patch at all', patch: 'just words\n', line: 1, message: /no file patch found/ },
    { name: 'malformed hunk header in a plain diff', patch: '--- a/f\n+++ b/f\n@@ -1,x +1 @@\n', line: 3, message: /malformed hunk header/ },
    { name: 'malformed hunk header after a git header', patch: 'diff --git a/f b/f\n--- a/f\n+++ b/f\n@@ -1,x +1 @@\n-a\n', line: 4, message: /malformed hunk header/ },
    { name: 'hunk ends early', patch: 'diff --git a/f b/f\n--- a/f\n+++ b/f\n@@ -1,2 +1,2 @@\n a\nfoo\n', line: 6, message: /unexpected line in hunk/ },
    { name: 'input ends inside a hunk', patch: 'diff --git a/f b/f\n--- a/f\n+++ b/f\n@@ -1,3 +1,3 @@\n a\n', line: 5, message: /ends inside a hunk/ },
    { name: 'more lines than counted', patch: 'diff --git a/f b/f\n--- a/f\n+++ b/f\n@@ -1 +1 @@\n-a\n+b\n+c\n', line: 7, message: /longer than its header/ },
    { name: 'unknown escape', patch: 'diff --git "a/\\x" "b/\\x"\n', line: 1, message: /unknown escape/ },
    { name: 'unterminated quote', patch: 'diff --git "a/x b/x\n', line: 1, message: /unterminated/ },
    { name: 'unsupported mode', patch: 'diff --git a/f b/f\nnew file mode 040000\n', line: 2, message: /unsupported file mode/ },
    { name: '+++ names another file', patch: 'diff --git a/f b/f\n--- a/f\n+++ b/g\n@@ -1 +1 @@\n-a\n+b\n', line: 1, message: /does not match/ },
    { name: 'names differ without rename', patch: 'diff --git a/f b/g\nold mode 100644\nnew mode 100755\n', line: 1, message: /without a rename header/ },
    { name: 'rename without its pair', patch: 'diff --git a/f b/g\nrename from f\n', line: 1, message: /go together/ },
    { name: 'new file with old content', patch: 'diff --git a/f b/f\nnew file mode 100644\n--- /dev/null\n+++ b/f\n@@ -1 +1 @@\n-a\n+b\n', line: 5, message: /new file cannot depend/ },
    { name: 'hunk without file names', patch: 'diff --git a/f b/f\n@@ -1 +1 @@\n-a\n+b\n', line: 2, message: /without "---"/ },
    { name: 'corrupt binary patch', patch: 'diff --git a/b b/b\nGIT binary patch\nliteral 3\nzzzz\n\n', line: 4, message: /corrupt line/ },
  ])('throws a PatchParseError naming the line: $name', ({ patch, line, message }) => {
    const error = thrown(() => parseUnifiedDiff(patch));
    expect(error).toBeInstanceOf(PatchParseError);
    expect((error as PatchParseError).message).toMatch(message);
    expect((error as PatchParseError).line).toBe(line);
  });
});
