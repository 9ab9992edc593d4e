import { examinePath, normalizePath } from '../src';

describe('normalizePath', () => {
  it.each([
    ['./src/a.ts', 'src/a.ts'],
    ['src//a.ts', 'src/a.ts'],
    ['src/./a.ts', 'src/a.ts'],
    ['src\\lib\\a.ts', 'src/lib/a.ts'],
    ['././a', 'a'],
  ])('%s → %s', (raw, normalized) => {
    expect(normalizePath(raw)).toBe(normalized);
  });
});

describe('examinePath', () => {
  it.each([
    ['src/app.ts'],
    ['docs/café.md'],
    ['docs/100%.md'],
    ['a%2fb.txt'],
    ['.gitignore'],
    ['src/.gitkeep'],
    ['x.git/readme'],
    ['.github/workflows.md'],
    ['dir with spaces/file name.txt'],
  ])('accepts %s', (raw) => {
    expect(examinePath(raw).problems).toEqual([]);
  });

  it.each([
    ['', ['invalid_path']],
    ['src/', ['invalid_path']],
    ['/etc/passwd', ['absolute_path']],
    ['\\\\server\\share\\x', ['absolute_path']],
    ['C:/Windows/x', ['drive_letter']],
    ['c:\\x', ['drive_letter']],
    ['../x', ['path_traversal']],
    ['a/../../x', ['path_traversal']],
    ['src//..//../x', ['path_traversal']],
    ['src\\..\\..\\x', ['path_traversal']],
    ['.git/config', ['git_directory']],
    ['./.git/config', ['git_directory']],
    ['a/b/.git/hooks/x', ['git_directory']],
    ['.GIT/config', ['git_directory']],
    ['.Git/config', ['git_directory']],
    ['.git./config', ['git_directory']],
    ['.git /config', ['git_directory']],
    ['GIT~1/config', ['git_directory']],
    ['.git', ['git_directory']],
    ['a\u0000b', ['control_character']],
    ['a\nb', ['control_character']],
    ['a\rb', ['control_character']],
    ['a\u001b[31mb', ['control_character']],
    ['a\u0085b', ['control_character']],
    ['%2e%2e/x', ['encoded_path']],
    ['..%2fx', ['encoded_path']],
    ['%252e%252e/x', ['encoded_path']],
    ['.%67it/config', ['encoded_path']],
    ['%00x', ['encoded_path']],
    ['\uff0e\uff0e/x', ['confusable_path']],
    ['\u2025/x', ['confusable_path']],
    ['.\uff47\uff49\uff54/config', ['confusable_path']],
    ['.git\u200c/config', ['confusable_path']],
    ['src/\u202egnp.ts', ['confusable_path']],
    ['a/\ufffd.ts', ['invalid_path']],
    [`src/${'a'.repeat(256)}`, ['invalid_path']],
  ])('refuses %j with %j', (raw, codes) => {
    expect([...new Set(examinePath(raw).problems.map((p) => p.code))].sort()).toEqual(codes);
  });

  it('collects every problem of one path', () => {
    const codes = examinePath('/a/../.git/\u0000').problems.map((p) => p.code).sort();
    expect(codes).toEqual(['absolute_path', 'control_character', 'git_directory', 'path_traversal']);
  });

  it('offers decoded and folded spellings for protected-path checks', () => {
    expect(examinePath('%2eenv').variants).toEqual([{ code: 'encoded_path', path: '.env' }]);
    expect(examinePath('.\uff45\uff4e\uff56').variants).toEqual([{ code: 'confusable_path', path: '.env' }]);
  });
});
