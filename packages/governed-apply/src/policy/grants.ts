import picomatch from 'picomatch';
import type { GlobMatcher } from './globs';
import { normalizePath } from './path-rules';

/**
 * Grants are literal paths, matched by exact equality after normalisation — never globs, and never
 * the directory below them. A grant comes from an approved governance request, which names the
 * paths governed apply refused; read as a glob, a grant someone approved as `docs/a.md|.env` or
 * `!docs/a.md` would unlock `.env`. Exact equality also lets real names like `app/[slug]/page.tsx`
 * or `{{cookiecutter.slug}}/.env` be granted as they are. Case counts: `.ENV` granted is not `.env`.
 */
export function compileGrants(grants: readonly string[]): GlobMatcher {
  const granted = new Set(grants.map(normalizePath).filter((p) => p !== ''));
  return (path) => granted.has(path);
}

/**
 * True when no glob reader would take `path` for a pattern: no `*`, `?`, `|`, braces or leading `!`,
 * and nothing picomatch reads as one (`[…]`, extglobs such as `@(…)`, parentheses).
 */
export function isLiteralPath(path: string): boolean {
  if (/^!|[*?|{}]/.test(path)) return false;
  const scan = picomatch.scan(path);
  return !scan.isGlob && !scan.negated;
}
