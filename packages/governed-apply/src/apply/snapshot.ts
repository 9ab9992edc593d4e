import type { ByteString } from '../change-set';
import { repoPath, type EntryInfo, type FsLayer } from './fs-layer';

/** A file or symlink as it was read before anything was written: what rollback puts back. */
export type Snapshot =
  | { kind: 'file'; data: Buffer; info: EntryInfo }
  | { kind: 'symlink'; target: string; info: EntryInfo }
  | { kind: 'other'; info: EntryInfo };

/**
 * What a read of `rel` meets when a parent on disk is a symlink. `refuse` for content the plan uses
 * (policy refuses such reads; this is the backstop if it ever does not). `absent` for a path about to
 * be written: policy lets that through only when an earlier entry removes the link, so a new
 * directory will stand there, and whatever the link leads to is none of this change's business.
 */
export type BehindLink = 'refuse' | 'absent';

/**
 * Reads `rel` without following a symlink anywhere: the parents are checked with lstat before the
 * entry is, and the entry itself is read with lstat, readlink or O_NOFOLLOW.
 */
export function readSnapshot(fs: FsLayer, root: string, rel: string, behindLink: BehindLink): Snapshot | null {
  const segments = rel.split('/');
  for (let i = 1; i < segments.length; i++) {
    const dir = segments.slice(0, i).join('/');
    const kind = fs.lstat(repoPath(root, dir))?.kind;
    if (kind === 'symlink' && behindLink === 'refuse') throw new Error(`${rel} would be read through the symlink ${dir}`);
    if (kind !== 'dir') return null;
  }
  const abs = repoPath(root, rel);
  const info = fs.lstat(abs);
  if (!info) return null;
  if (info.kind === 'file') return { kind: 'file', data: fs.readFile(abs), info };
  if (info.kind === 'symlink') return { kind: 'symlink', target: fs.readlink(abs), info };
  return { kind: 'other', info };
}

const bytesOf = new WeakMap<Snapshot, ByteString>();

/** The snapshot's content as a byte string: file bytes, or a symlink's target (git stores it so). Computed once. */
export function snapshotBytes(s: Snapshot): ByteString {
  let bytes = bytesOf.get(s);
  if (bytes === undefined) {
    bytes = s.kind === 'file' ? s.data.toString('latin1') : s.kind === 'symlink' ? Buffer.from(s.target, 'utf8').toString('latin1') : '';
    bytesOf.set(s, bytes);
  }
  return bytes;
}
