import { nodeFsLayer, type FsLayer } from '../../src';

export type MutatingCall = 'writeNewFile' | 'rename' | 'mkdir' | 'rmdir' | 'symlink' | 'unlink';
const MUTATING: MutatingCall[] = ['writeNewFile', 'rename', 'mkdir', 'rmdir', 'symlink', 'unlink'];

export interface Fault {
  /** Which calls count: one kind, or every mutating call. */
  call: MutatingCall | 'any';
  /** The k-th counted call fails (1-based). */
  k: number;
  /** Keep failing every later mutating call too (to exercise an incomplete rollback). */
  sticky?: boolean;
}

/**
 * The real filesystem with counted mutating calls, failing the k-th one; `before` runs ahead of
 * every mutating call (tests use it to change the tree behind governed apply's back).
 */
export function faultyFs(fault: Fault | null, before?: (call: MutatingCall, path: string) => void): FsLayer & { counts: Record<MutatingCall | 'any', number> } {
  const counts = { writeNewFile: 0, rename: 0, mkdir: 0, rmdir: 0, symlink: 0, unlink: 0, any: 0 };
  let failed = false;
  const layer: FsLayer = { ...nodeFsLayer };
  for (const call of MUTATING) {
    const real = nodeFsLayer[call] as (...args: unknown[]) => void;
    (layer as unknown as Record<string, unknown>)[call] = (...args: unknown[]) => {
      before?.(call, String(args[call === 'symlink' || call === 'rename' ? 1 : 0]));
      counts[call]++;
      counts.any++;
      const counted = fault !== null && (fault.call === 'any' || fault.call === call);
      const hit = counted && (fault.call === 'any' ? counts.any : counts[call]) === fault.k;
      if (hit || (failed && fault?.sticky)) {
        failed = true;
        throw Object.assign(new Error(`injected failure of ${call} #${counts[call]}`), { code: 'EIO' });
      }
      real(...args);
    };
  }
  return Object.assign(layer, { counts });
}
