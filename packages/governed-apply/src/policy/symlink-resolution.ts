import * as nodePath from 'node:path';
import type { RepoView } from './repo-view';

const MAX_LINKS = 40;

/**
 * Resolves `target` (a path as a symlink holds it: relative to directory `start`, or absolute) through
 * the view, following every symlink met on the way as the kernel would. Returns the resolved segments
 * relative to the repository root, or 'outside' when the walk leaves the repository or loops.
 */
export function resolveInView(view: RepoView, start: string[], target: string): string[] | 'outside' {
  const current = [...start];
  const queue: string[] = [];
  let budget = MAX_LINKS;
  const enqueue = (path: string): boolean => {
    if (!nodePath.isAbsolute(path)) {
      queue.unshift(...path.split('/'));
      return true;
    }
    const rel = nodePath.relative(view.root, path);
    if (rel.startsWith('..') || nodePath.isAbsolute(rel)) return false;
    current.length = 0;
    queue.unshift(...rel.split(nodePath.sep));
    return true;
  };
  if (!enqueue(target)) return 'outside';
  while (queue.length > 0) {
    const segment = queue.shift()!;
    if (segment === '' || segment === '.') continue;
    if (segment === '..') {
      if (current.length === 0) return 'outside';
      current.pop();
      continue;
    }
    current.push(segment);
    const { kind, linkTarget } = view.kind(current.join('/'));
    if (kind !== 'symlink' || linkTarget === undefined) continue;
    if (--budget < 0) return 'outside';
    current.pop();
    if (!enqueue(linkTarget)) return 'outside';
  }
  return current;
}

export type ParentChain = { through: 'none' } | { through: 'outside' } | { through: 'inside'; resolved: string };

/**
 * For a path about to be written, read or removed: does its parent chain go through a symlink, and
 * if so where does it really lead (`resolved`: the path the entry would have, for protection
 * checks)? The last component is never followed (it is replaced or unlinked, not opened).
 */
export function parentChainThroughSymlink(view: RepoView, rel: string): ParentChain {
  const hit = view.firstNonDirAncestor(rel);
  if (!hit || hit.kind !== 'symlink') return { through: 'none' };
  const segments = rel.split('/');
  const parent = resolveInView(view, [], segments.slice(0, -1).join('/'));
  return parent === 'outside' ? { through: 'outside' } : { through: 'inside', resolved: [...parent, segments.at(-1)!].join('/') };
}
