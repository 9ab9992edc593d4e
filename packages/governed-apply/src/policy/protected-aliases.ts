import type { LinkRules, Problem } from './link-policy';
import { isGitDirName } from './path-rules';
import type { RepoView } from './repo-view';
import { resolveInView } from './symlink-resolution';

/** A symlink already on disk where protected paths live below it: `at` is another name for `target`. */
interface Alias {
  at: string;
  target: string;
}

/**
 * Symlinks on disk at places whose names make paths below them protected (`.github -> ci`). Only
 * such places are visited, which for the usual patterns is a name or two below the root.
 */
export function findProtectedAliases(disk: RepoView, rules: LinkRules): Alias[] {
  const aliases: Alias[] = [];
  const visit = (dir: string): void => {
    for (const name of disk.names(dir)) {
      const rel = dir === '' ? name : `${dir}/${name}`;
      if (isGitDirName(name) || !rules.protectsBelow(rel)) continue;
      const { kind, linkTarget } = disk.kind(rel);
      if (kind === 'dir') visit(rel);
      if (kind !== 'symlink' || linkTarget === undefined) continue;
      const resolved = resolveInView(disk, dir.split('/').filter(Boolean), linkTarget);
      if (resolved !== 'outside' && resolved.length > 0) aliases.push({ at: rel, target: resolved.join('/') });
    }
  };
  visit('');
  return aliases;
}

/**
 * A change to `rel` is a change to a protected path when an alias makes it one (`ci/workflows/x`).
 * It is reported at `rel`, so only a grant of `rel` lifts it: a governance request names the paths
 * reported, and the file that changes is `rel`. A grant of the name through the link
 * (`.github/workflows/x`) unlocks nothing here: it names whatever file the link leads to when the
 * patch is applied, not the one the approver read.
 */
export function aliasProblem(rel: string, aliases: readonly Alias[], rules: LinkRules): Problem | null {
  if (rules.isGranted(rel)) return null;
  for (const { at, target } of aliases) {
    if (!rel.startsWith(`${target}/`)) continue;
    const seen = at + rel.slice(target.length);
    if (rules.isProtected(seen)) {
      return { code: 'protected_path', detail: `through the symlink "${at}", this is the protected "${seen}"`, protected_as: seen };
    }
  }
  return null;
}
