import type { ApplyViolation } from '@autopack/contracts';
import type { ChangeSet, FileChange } from '../change-set';
import type { ChangePaths } from './change-rules';
import { writesSymlink } from './change-rules';
import { checkFinalLinks } from './final-links';
import { linkPlaceProblem, linkTargetProblem, parentChainProblems, worseChain, type LinkRules, type Problem } from './link-policy';
import { aliasProblem, findProtectedAliases } from './protected-aliases';
import { parentOf, type RepoView } from './repo-view';
import { parentChainThroughSymlink, resolveInView } from './symlink-resolution';

/** Case folding as case-insensitive filesystems do it (NFC covers macOS's decomposed names). */
const fold = (name: string) => name.normalize('NFC').toLowerCase();

/** The target of a symlink the change creates: the post-image of its hunks, or its full content. */
export function newLinkTarget(change: FileChange): string {
  if (change.content !== undefined) return change.content;
  let text = '';
  for (const hunk of change.hunks) for (const l of hunk.lines) if (l.kind !== '-') text += l.text;
  return Buffer.from(text, 'latin1').toString('utf8');
}

function caseCollision(view: RepoView, rel: string): string | null {
  const segments = rel.split('/');
  for (let i = 0; i < segments.length; i++) {
    const dir = segments.slice(0, i).join('/');
    if (dir !== '' && view.kind(dir).kind !== 'dir') return null;
    const name = segments[i]!;
    const other = view.names(dir).find((n) => n !== name && fold(n) === fold(name));
    if (other !== undefined) return dir === '' ? other : `${dir}/${other}`;
  }
  return null;
}

/** Paths whose content the plan reads from disk (not merely looks whether they exist). */
function readPaths(change: FileChange, { path, oldPath }: ChangePaths): string[] {
  if (change.op === 'modify' || change.op === 'delete') return [path];
  return oldPath === undefined ? [] : [oldPath];
}

export interface TreeRulesResult {
  violations: ApplyViolation[];
  /** Per change: why it cannot be carried out in this tree (a parent is a file), or null. */
  conflicts: (string | null)[];
}

export interface TreeRulesOptions extends LinkRules {
  caseInsensitive: boolean;
  allowSymlinks: boolean;
}

/**
 * Rules that look at the tree, entry by entry, against the repository as the earlier entries leave
 * it (`view`): parent chains through symlinks (both sides of renames and copies), where new symlinks
 * point, and case collisions on case-insensitive filesystems. What the plan reads is also judged
 * against `disk`, the tree as it is, because that is where it is read: a symlink an earlier entry
 * deletes still stands there. Marks changes it finds unsafe in `blocked`. Once every entry is in,
 * symlinks are judged again against the final tree.
 */
export function checkTreeRules(
  changeSet: ChangeSet,
  paths: ChangePaths[],
  blocked: boolean[],
  { view, disk }: { view: RepoView; disk: RepoView },
  options: TreeRulesOptions,
): TreeRulesResult {
  const violations: ApplyViolation[] = [];
  const report = (path: string, problem: Problem | null) => {
    if (problem) violations.push({ ...problem, path });
  };
  const conflicts: (string | null)[] = changeSet.changes.map(() => null);
  let changesLinks = false;
  const aliases = findProtectedAliases(disk, options);
  changeSet.changes.forEach((change, index) => {
    if (blocked[index]) return;
    const { path, oldPath } = paths[index]!;
    const reads = readPaths(change, paths[index]!);
    for (const p of oldPath === undefined ? [path] : [path, oldPath]) {
      const hit = view.firstNonDirAncestor(p);
      if (hit && (hit.kind === 'file' || hit.kind === 'other')) conflicts[index] = `"${hit.at}" is not a directory`;
      let chain = parentChainThroughSymlink(view, p);
      if (reads.includes(p)) chain = worseChain(chain, parentChainThroughSymlink(disk, p));
      for (const problem of parentChainProblems(chain, options)) report(p, problem);
      if (chain.through !== 'none') blocked[index] = true;
      // A copy source is only read: what it is called elsewhere changes nothing.
      if (p === path || change.op === 'rename') report(p, aliasProblem(p, aliases, options));
    }
    if (blocked[index]) return;

    // A rename or copy without mode lines moves whatever the source is; a moved relative symlink
    // can point somewhere else from its new directory.
    const source = change.op === 'rename' || change.op === 'copy' ? view.kind(oldPath!) : undefined;
    const movesSymlink = change.newMode === undefined && source?.kind === 'symlink';
    if (movesSymlink && !options.allowSymlinks) {
      violations.push({ code: 'symlink', path, detail: 'creating or changing a symlink (mode 120000) is not allowed' });
    }
    const symlink = writesSymlink(change) || movesSymlink;
    const target = !symlink ? undefined : change.hunks.length === 0 && movesSymlink ? (source?.linkTarget ?? '') : newLinkTarget(change);
    if (target !== undefined) {
      report(path, linkPlaceProblem(path, options));
      report(path, linkTargetProblem(target, resolveInView(view, (parentOf(path) ?? '').split('/').filter(Boolean), target), options));
    }
    if (options.caseInsensitive && change.op !== 'delete') {
      const other = caseCollision(view, path);
      if (other !== null) violations.push({ code: 'case_collision', path, detail: `is the same file as "${other}" on this case-insensitive filesystem` });
    }

    const replaced = view.kind(path).kind;
    changesLinks ||= symlink || replaced === 'symlink' || (change.op === 'rename' && source?.kind === 'symlink');
    if (change.op === 'delete') view.remove(path);
    else if (replaced === 'dir') {
      // Earlier entries (or the disk) have files below it: it would have to be deleted first.
      conflicts[index] = `"${path}" is a directory`;
    } else {
      if (change.op === 'rename' && oldPath !== undefined) view.remove(oldPath);
      view.put(path, symlink ? 'symlink' : 'file', target);
    }
  });
  if (changesLinks) {
    const seen = new Set(violations.map((v) => `${v.code}\0${v.path}`));
    violations.push(...checkFinalLinks(view, disk, options).filter((v) => !seen.has(`${v.code}\0${v.path}`)));
  }
  return { violations, conflicts };
}
