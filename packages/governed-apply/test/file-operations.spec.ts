import { parseFileOperations, PatchParseError } from '../src';
import { thrown } from './helpers/thrown';

describe('parseFileOperations', () => {
  it('turns operations into changes with UTF-8 contents as bytes', () => {
    const set = parseFileOperations([
      { path: 'a.txt', mode: 'create', content: 'é\n' },
      { path: 'b.txt', mode: 'modify', content: '' },
      { path: 'c.txt', mode: 'delete' },
    ]);
    expect(set.kind).toBe('operations');
    expect(set.changes.map((c) => [c.op, c.path, c.content])).toEqual([
      ['create', 'a.txt', '\u00c3\u00a9\n'],
      ['modify', 'b.txt', ''],
      ['delete', 'c.txt', undefined],
    ]);
  });

  it.each([
    { input: {}, message: /must be an array/ },
    { input: [1], message: /operations\[0\]: must be an object/ },
    { input: [{ path: 'a', mode: 'create', content: 'x', extra: 1 }], message: /operations\[0\]: unknown field "extra"/ },
    { input: [{ path: '', mode: 'create', content: 'x' }], message: /"path" must be a non-empty string/ },
    { input: [{ path: 'a', mode: 'rename', content: 'x' }], message: /"mode" must be/ },
    { input: [{ path: 'a', mode: 'create' }], message: /"content" \(a string\) is required/ },
    { input: [{ path: 'a', mode: 'delete', content: 'x' }], message: /not allowed with mode "delete"/ },
  ])('refuses $input', ({ input, message }) => {
    expect(() => parseFileOperations(input)).toThrow(message);
  });

  it('names the line of the offending element in JSON text', () => {
    const text = '[\n  {"path": "a", "mode": "create", "content": "x"},\n  {"path": "b",\n   "mode": "move", "content": "y"}\n]';
    const error = thrown(() => parseFileOperations(text));
    expect(error).toBeInstanceOf(PatchParseError);
    expect(error).toMatchObject({ line: 3, message: expect.stringMatching(/operations\[1\]/) });
  });

  it('names the line of invalid JSON', () => {
    expect(() => parseFileOperations('[\n{"path": "a",\n "mode": }]')).toThrow(/line 3: not valid JSON/);
  });
});
