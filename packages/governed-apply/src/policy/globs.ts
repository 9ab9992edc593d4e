import picomatch from 'picomatch';

/**
 * Glob semantics (picomatch, POSIX separators on every platform):
 * - `*` matches within one segment, `**` across segments, `?`, `[...]`, `{a,b}` as usual;
 * - dotfiles are matched like any other name (`src/**` covers `src/.eslintrc`);
 * - a pattern also covers everything below what it names (`src` and `src/` mean `src/**` too), as
 *   in .gitignore, so a scope of `packages/db` includes its files;
 * - patterns are matched against normalised repository paths (no leading `./`).
 */
export type GlobMatcher = (path: string) => boolean;

export function compileGlobs(patterns: readonly string[], options: { nocase: boolean }): GlobMatcher {
  const expanded: string[] = [];
  for (const raw of patterns) {
    const pattern = raw.replace(/\\/g, '/').replace(/^(\.\/)+/, '');
    if (pattern === '') continue;
    const base = pattern.replace(/\/+$/, '');
    if (base !== pattern) expanded.push(`${base}/**`);
    else expanded.push(pattern, `${pattern}/**`);
  }
  if (expanded.length === 0) return () => false;
  // One regular expression for the whole list: paths are matched thousands of times per patch.
  const sources = expanded.map((p) => picomatch.makeRe(p, { dot: true, nocase: options.nocase, windows: false }).source);
  const re = new RegExp(sources.map((s) => `(?:${s})`).join('|'), options.nocase ? 'i' : '');
  return (path) => re.test(path);
}
