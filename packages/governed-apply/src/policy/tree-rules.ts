import type { ApplyViolation } from '@autopack/contracts';
import type { ChangeSet, FileChange } from '../change-set';
import type { ChangePaths } from './change-rules';
import { writesSymlink } from './change-rules';
import { isGitDirName } from './path-rules';
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

export interface TreeRulesResult {
  violations: ApplyViolation[];
  /** Per change: why it cannot be carried out in this tree (a parent is a file), or null. */
  conflicts: (string | null)[];
}

/**
 * Rules that look at the tree, entry by entry, against the repository as the earlier entries leave
 * it: parent chains through symlinks (both sides of renames and copies), where new symlinks point,
 * and case collisions on case-insensitive filesystems. Marks changes it finds unsafe in `blocked`.
 */
export function checkTreeRules(
  changeSet: ChangeSet,
  paths: ChangePaths[],
  blocked: boolean[],
  view: RepoView,
  options: { caseInsensitive: boolean; allowSymlinks: boolean },
): TreeRulesResult {
  const violations: ApplyViolation[] = [];
  const conflicts: (string | null)[] = changeSet.changes.map(() => null);
  changeSet.changes.forEach((change, index) => {
    if (blocked[index]) return;
    const { path, oldPath } = paths[index]!;
    for (const p of oldPath === undefined ? [path] : [path, oldPath]) {
      const hit = view.firstNonDirAncestor(p);
      if (hit && (hit.kind === 'file' || hit.kind === 'other')) conflicts[index] = `"${hit.at}" is not a directory`;
      const through = parentChainThroughSymlink(view, p);
      if (through === 'outside') {
        violations.push({ code: 'symlink_escape', path: p, detail: 'a parent directory is a symlink that leads outside the repository' });
      } else if (through === 'inside') {
        violations.push({ code: 'beyond_symlink', path: p, detail: 'a parent directory is a symlink' });
      }
      if (through !== 'none') blocked[index] = true;
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
      const resolved = resolveInView(view, (parentOf(path) ?? '').split('/').filter(Boolean), target);
      if (resolved === 'outside' || target === '') {
        violations.push({ code: 'symlink_escape', path, detail: `symlink points outside the repository ("${target}")` });
      } else if (resolved.some(isGitDirName)) {
        violations.push({ code: 'git_directory', path, detail: `symlink points into .git ("${target}")` });
      }
    }
    if (options.caseInsensitive && change.op !== 'delete') {
      const other = caseCollision(view, path);
      if (other !== null) violations.push({ code: 'case_collision', path, detail: `is the same file as "${other}" on this case-insensitive filesystem` });
    }

    if (change.op === 'delete') view.remove(path);
    else {
      if (change.op === 'rename' && oldPath !== undefined) view.remove(oldPath);
      view.put(path, symlink ? 'symlink' : 'file', target);
    }
  });
  return { violations, conflicts };
}
