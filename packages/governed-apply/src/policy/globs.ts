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

/**
 * For symlinks: does one of `patterns` match some path strictly below directory `dir` because of
 * `dir`'s own name? Then a link at `dir` would give the matched location new contents (a link
 * `.github -> ci` makes `ci/workflows/x` the protected `.github/workflows/x`). Patterns are compared
 * segment by segment; a `**` reached while `dir`'s segments still match answers yes. A pattern that
 * starts with `**` matches at any depth, so only a tail of `dir` can make the difference: a link
 * `x -> y` leaves `x/.env` and `y/.env` equally protected by the default `.env` pattern.
 */
export function compileGlobAncestors(patterns: readonly string[], options: { nocase: boolean }): GlobMatcher {
  const split = patterns.map((raw) => raw.replace(/\\/g, '/').replace(/^(\.\/)+/, '').split('/').filter((s) => s !== '' && s !== '.'));
  const segmentMatches = (name: string, glob: string) => picomatch.isMatch(name, glob, { dot: true, nocase: options.nocase, windows: false });
  const reachesBelow = (globs: string[], dir: string[]): boolean => {
    for (let i = 0; i < dir.length; i++) {
      const glob = globs[i];
      if (glob === undefined) return false;
      if (glob === '**') return true;
      if (!segmentMatches(dir[i]!, glob)) return false;
    }
    return true;
  };
  return (path) => {
    const dir = path.split('/');
    return split.some((globs) => {
      if (globs[0] !== '**') return reachesBelow(globs, dir);
      const rest = globs.slice(1);
      return dir.some((_, start) => reachesBelow(rest, dir.slice(start)));
    });
  };
}
