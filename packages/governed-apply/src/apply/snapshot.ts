import * as nodePath from 'node:path';
import type { ByteString } from '../change-set';
import type { EntryInfo, FsLayer } from './fs-layer';

/** A file or symlink as it was read before anything was written: what rollback puts back. */
export type Snapshot =
  | { kind: 'file'; data: Buffer; info: EntryInfo }
  | { kind: 'symlink'; target: string; info: EntryInfo }
  | { kind: 'other'; info: EntryInfo };

export function readSnapshot(fs: FsLayer, root: string, rel: string): Snapshot | null {
  const abs = nodePath.join(root, rel);
  const info = fs.lstat(abs);
  if (!info) return null;
  if (info.kind === 'file') return { kind: 'file', data: fs.readFile(abs), info };
  if (info.kind === 'symlink') return { kind: 'symlink', target: fs.readlink(abs), info };
  return { kind: 'other', info };
}

/** The snapshot's content as a byte string: file bytes, or a symlink's target (git stores it so). */
export function snapshotBytes(s: Snapshot): ByteString {
  if (s.kind === 'file') return s.data.toString('latin1');
  if (s.kind === 'symlink') return Buffer.from(s.target, 'utf8').toString('latin1');
  return '';
}
