import * as nodePath from 'node:path';
import type { FsLayer } from '../apply/fs-layer';

function swapCase(name: string): string {
  return [...name].map((c) => (c === c.toLowerCase() ? c.toUpperCase() : c.toLowerCase())).join('');
}

/**
 * Whether the filesystem holding `root` folds case, found without writing anything (check mode must
 * not touch the tree): look up an existing name with its case swapped and see whether it is the same
 * inode. Candidates are the root's own name and the names in it (`.git` is nearly always there).
 * With no name to try, assume it folds: that only makes collision checks stricter.
 */
export function detectCaseInsensitive(fs: FsLayer, root: string): boolean {
  const candidates: [string, string][] = [[nodePath.dirname(root), nodePath.basename(root)]];
  for (const name of fs.readdir(root).slice(0, 50)) candidates.push([root, name]);
  for (const [dir, name] of candidates) {
    const swapped = swapCase(name);
    if (swapped === name) continue;
    const original = fs.lstat(nodePath.join(dir, name));
    if (!original) continue;
    const other = fs.lstat(nodePath.join(dir, swapped));
    if (!other) return false;
    if (other.ino !== original.ino || other.dev !== original.dev) return false;
    return true;
  }
  return true;
}
