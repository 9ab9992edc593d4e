import * as fs from 'node:fs';

export type EntryKind = 'file' | 'dir' | 'symlink' | 'other';

export interface EntryInfo {
  kind: EntryKind;
  /** Permission bits (`mode & 0o7777`). */
  perm: number;
  size: number;
  ino: number;
  dev: number;
  mtimeMs: number;
}

/**
 * Every filesystem call governed apply makes, so tests can count them and fail the k-th one. All
 * paths are absolute. Nothing here follows a symlink in the last component; callers make sure no
 * earlier component is one.
 */
export interface FsLayer {
  /** null when nothing is there (ENOENT; ENOTDIR, a parent is a file; ENAMETOOLONG, no such name can exist). */
  lstat(path: string): EntryInfo | null;
  /** Reads a regular file; fails on a symlink (O_NOFOLLOW). */
  readFile(path: string): Buffer;
  readlink(path: string): string;
  readdir(path: string): string[];
  realpath(path: string): string;
  /** Creates one directory; `exactPerm` bypasses the umask (restoring a removed directory). */
  mkdir(path: string, perm: number, exactPerm: boolean): void;
  rmdir(path: string): void;
  /** Creates a file that must not exist yet (O_CREAT | O_EXCL | O_NOFOLLOW) and writes `data`. */
  writeNewFile(path: string, data: Buffer, perm: number, exactPerm: boolean): void;
  symlink(target: string, path: string): void;
  rename(from: string, to: string): void;
  unlink(path: string): void;
}

/**
 * The absolute path of a normalised repository path (no `.`, `..` or empty segments, so plain
 * concatenation is path.join, without its cost on every one of thousands of calls).
 */
export function repoPath(root: string, rel: string): string {
  if (rel === '') return root;
  return root.endsWith('/') || root.endsWith('\\') ? root + rel : `${root}/${rel}`;
}

const KIND = (s: fs.Stats): EntryKind => (s.isFile() ? 'file' : s.isDirectory() ? 'dir' : s.isSymbolicLink() ? 'symlink' : 'other');
const NOFOLLOW = fs.constants.O_NOFOLLOW ?? 0;

/**
 * Errors that mean nothing can be there. ENAMETOOLONG included: a temp file whose path exceeds
 * PATH_MAX was never created, and rollback must see it as absent, not as a failure.
 */
function isAbsent(err: unknown): boolean {
  const code = (err as NodeJS.ErrnoException).code;
  return code === 'ENOENT' || code === 'ENOTDIR' || code === 'ENAMETOOLONG';
}

/** The real filesystem, synchronous: a patch is hundreds of small files, where sync calls are fastest. */
export const nodeFsLayer: FsLayer = {
  lstat(path) {
    try {
      const s = fs.lstatSync(path);
      return { kind: KIND(s), perm: s.mode & 0o7777, size: s.size, ino: s.ino, dev: s.dev, mtimeMs: s.mtimeMs };
    } catch (err) {
      if (isAbsent(err)) return null;
      throw err;
    }
  },
  readFile(path) {
    const fd = fs.openSync(path, fs.constants.O_RDONLY | NOFOLLOW);
    try {
      const stat = fs.fstatSync(fd);
      if (!stat.isFile()) throw new Error(`${path} is not a regular file`);
      const data = Buffer.allocUnsafe(stat.size);
      let offset = 0;
      while (offset < data.length) {
        const n = fs.readSync(fd, data, offset, data.length - offset, offset);
        if (n === 0) break;
        offset += n;
      }
      return offset === data.length ? data : data.subarray(0, offset);
    } finally {
      fs.closeSync(fd);
    }
  },
  readlink: (path) => fs.readlinkSync(path),
  readdir: (path) => fs.readdirSync(path),
  realpath: (path) => fs.realpathSync(path),
  mkdir(path, perm, exactPerm) {
    fs.mkdirSync(path, perm);
    if (exactPerm) fs.chmodSync(path, perm);
  },
  rmdir: (path) => fs.rmdirSync(path),
  writeNewFile(path, data, perm, exactPerm) {
    const fd = fs.openSync(path, fs.constants.O_WRONLY | fs.constants.O_CREAT | fs.constants.O_EXCL | NOFOLLOW, perm);
    try {
      if (exactPerm) fs.fchmodSync(fd, perm);
      let offset = 0;
      while (offset < data.length) offset += fs.writeSync(fd, data, offset, data.length - offset);
    } finally {
      fs.closeSync(fd);
    }
  },
  symlink: (target, path) => fs.symlinkSync(target, path),
  rename: (from, to) => fs.renameSync(from, to),
  unlink: (path) => fs.unlinkSync(path),
};

/**
 * `fs` with lstat answers remembered: for deciding and planning, which read the tree before
 * anything is written and ask about the same parents over and over. Never for writing — the write
 * transaction must see the tree as it is at that moment.
 */
export function withLstatCache(fs: FsLayer): FsLayer {
  const cache = new Map<string, EntryInfo | null>();
  return {
    ...fs,
    lstat(path) {
      let info = cache.get(path);
      if (info === undefined) cache.set(path, (info = fs.lstat(path)));
      return info;
    },
  };
}
