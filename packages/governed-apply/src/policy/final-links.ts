import type { ApplyViolation } from '@autopack/contracts';
import { linkTargetProblem, type LinkRules, type Problem } from './link-policy';
import { isGitDirName } from './path-rules';
import { parentOf, type RepoView } from './repo-view';
import { resolveInView } from './symlink-resolution';

function problemIn(view: RepoView, rel: string, target: string, rules: LinkRules): Problem | null {
  return linkTargetProblem(target, resolveInView(view, (parentOf(rel) ?? '').split('/').filter(Boolean), target), rules);
}

/**
 * Every symlink in the tree as the whole change set leaves it, resolved again. Each entry was judged
 * against the tree the entries before it leave, but a later entry can change what a link resolves
 * through (`d -> x/..`, then `x -> .`), and so can an entry for a link already on disk
 * (`d -> x/../..` once the link `x` is replaced by a directory). A link already on disk is reported
 * only when the change set is what makes it wrong. Walks the whole tree, so callers run it only when
 * the change set creates, changes or removes a symlink: nothing else changes how a link resolves.
 */
export function checkFinalLinks(planned: RepoView, disk: RepoView, rules: LinkRules): ApplyViolation[] {
  const violations: ApplyViolation[] = [];
  const visit = (dir: string): void => {
    for (const name of planned.names(dir)) {
      if (isGitDirName(name)) continue;
      const rel = dir === '' ? name : `${dir}/${name}`;
      const { kind, linkTarget } = planned.kind(rel);
      if (kind === 'dir') visit(rel);
      if (kind !== 'symlink' || linkTarget === undefined) continue;
      const problem = problemIn(planned, rel, linkTarget, rules);
      if (!problem) continue;
      const before = disk.kind(rel);
      const unchanged = before.kind === 'symlink' && before.linkTarget === linkTarget;
      if (unchanged && problemIn(disk, rel, linkTarget, rules)?.code === problem.code) continue;
      violations.push({ ...problem, path: rel });
    }
  };
  visit('');
  return violations;
}
