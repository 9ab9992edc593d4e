import { repoPath, type EntryKind, type FsLayer } from '../apply/fs-layer';

export type ViewKind = EntryKind | 'absent';

interface OverlayEntry {
  kind: ViewKind;
  linkTarget?: string;
  /** A directory that is not a real directory on disk yet: nothing below it may be read from disk. */
  fresh?: boolean;
}

/**
 * The repository as it will be after the change-set entries seen so far: the disk (read with lstat,
 * never through a symlink) under an overlay of planned creations and removals. Policy asks it about
 * each entry in order, so "create a symlink, then write through it" is judged against the tree that
 * contains the symlink (git CVE-2023-23946).
 */
export class RepoView {
  private readonly overlay = new Map<string, OverlayEntry>();
  private readonly children = new Map<string, Set<string>>();
  private readonly disk = new Map<string, OverlayEntry>();
  private readonly listings = new Map<string, string[]>();

  constructor(
    private readonly fs: FsLayer,
    readonly root: string,
  ) {}

  abs(rel: string): string {
    return repoPath(this.root, rel);
  }

  /** What is at `rel`, given that every ancestor is a directory (callers walk top-down). */
  private entry(rel: string): OverlayEntry {
    const own = this.overlay.get(rel);
    if (own) return own;
    const parent = parentOf(rel);
    if (parent !== null && this.overlay.get(parent)?.fresh) return { kind: 'absent' };
    let cached = this.disk.get(rel);
    if (!cached) {
      const info = this.fs.lstat(this.abs(rel));
      cached = { kind: info ? info.kind : 'absent' };
      if (cached.kind === 'symlink') cached.linkTarget = this.fs.readlink(this.abs(rel));
      this.disk.set(rel, cached);
    }
    return cached;
  }

  /**
   * Walks `rel` from the root; returns the first component that is not a directory (a symlink, a
   * file, or absent) with its kind, or null when every ancestor is a directory. The last component
   * itself is not examined.
   */
  firstNonDirAncestor(rel: string): { at: string; kind: ViewKind; linkTarget?: string } | null {
    const segments = rel.split('/');
    for (let i = 1; i < segments.length; i++) {
      const prefix = segments.slice(0, i).join('/');
      const e = this.entry(prefix);
      if (e.kind !== 'dir') return { at: prefix, kind: e.kind, linkTarget: e.linkTarget };
    }
    return null;
  }

  /** Kind of `rel` itself; 'absent' when an ancestor is not a directory. */
  kind(rel: string): { kind: ViewKind; linkTarget?: string } {
    if (this.firstNonDirAncestor(rel)) return { kind: 'absent' };
    const e = this.entry(rel);
    return { kind: e.kind, linkTarget: e.linkTarget };
  }

  /** Names in directory `dir` (which must be a directory in the view). */
  names(dir: string): string[] {
    const e = dir === '' ? { kind: 'dir' as const } : this.entry(dir);
    let onDisk = this.listings.get(dir);
    if (!onDisk) {
      onDisk = e.kind === 'dir' && !this.overlay.get(dir)?.fresh ? this.fs.readdir(this.abs(dir)) : [];
      this.listings.set(dir, onDisk);
    }
    const all = new Set([...onDisk, ...(this.children.get(dir) ?? [])]);
    return [...all].filter((name) => this.entry(dir === '' ? name : `${dir}/${name}`).kind !== 'absent');
  }

  /** Records that `rel` will be a file or symlink; missing ancestors become (fresh) directories. */
  put(rel: string, kind: 'file' | 'symlink', linkTarget?: string): void {
    const segments = rel.split('/');
    for (let i = 1; i < segments.length; i++) {
      const prefix = segments.slice(0, i).join('/');
      const e = this.entry(prefix);
      if (e.kind !== 'dir') this.overlay.set(prefix, { kind: 'dir', fresh: true });
      this.addChild(prefix);
    }
    this.overlay.set(rel, linkTarget === undefined ? { kind } : { kind, linkTarget });
    this.addChild(rel);
  }

  remove(rel: string): void {
    this.overlay.set(rel, { kind: 'absent' });
  }

  private addChild(rel: string): void {
    const parent = parentOf(rel) ?? '';
    const name = rel.slice(parent === '' ? 0 : parent.length + 1);
    let set = this.children.get(parent);
    if (!set) this.children.set(parent, (set = new Set()));
    set.add(name);
  }
}

export function parentOf(rel: string): string | null {
  const slash = rel.lastIndexOf('/');
  return slash < 0 ? (rel === '' ? null : '') : rel.slice(0, slash);
}
