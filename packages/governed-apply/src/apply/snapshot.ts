import type { ByteString } from '../change-set';
import { repoPath, type EntryInfo, type FsLayer } from './fs-layer';

/** A file or symlink as it was read before anything was written: what rollback puts back. */
export type Snapshot =
  | { kind: 'file'; data: Buffer; info: EntryInfo }
  | { kind: 'symlink'; target: string; info: EntryInfo }
  | { kind: 'other'; info: EntryInfo };

export function readSnapshot(fs: FsLayer, root: string, rel: string): Snapshot | null {
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
