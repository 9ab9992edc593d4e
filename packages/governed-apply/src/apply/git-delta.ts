import { constants } from 'node:buffer';

export type DeltaResult = { ok: true; data: Buffer } | { ok: false; detail: string };

/**
 * Applies a git delta (the format of packs and `GIT binary patch` delta hunks) to `base`. Fails when
 * the delta does not fit the base (wrong size, copy out of range: the file is not what the patch was
 * made against) or when the result it declares is larger than `maxSize`, checked before anything is
 * allocated.
 */
export function applyGitDelta(base: Buffer, delta: Buffer, maxSize: number): DeltaResult {
  const misfit: DeltaResult = { ok: false, detail: 'binary delta does not fit the file' };
  let pos = 0;
  const readSize = (): number => {
    let size = 0;
    let shift = 0;
    let byte: number;
    do {
      byte = delta[pos++] ?? 0;
      size += (byte & 0x7f) * 2 ** shift;
      shift += 7;
    } while (byte & 0x80 && pos < delta.length);
    return size;
  };
  if (readSize() !== base.length) return misfit;
  const resultSize = readSize();
  const limit = Math.min(maxSize, constants.MAX_LENGTH);
  if (resultSize > limit) return { ok: false, detail: `binary delta declares a result of ${resultSize} bytes, more than the ${limit}-byte limit` };
  const out = Buffer.alloc(resultSize);
  let written = 0;
  while (pos < delta.length) {
    const op = delta[pos++]!;
    if (op & 0x80) {
      let offset = 0;
      let size = 0;
      for (let bit = 0; bit < 4; bit++) if (op & (1 << bit)) offset += (delta[pos++] ?? 0) * 2 ** (8 * bit);
      for (let bit = 0; bit < 3; bit++) if (op & (1 << (4 + bit))) size += (delta[pos++] ?? 0) * 2 ** (8 * bit);
      if (size === 0) size = 0x10000;
      if (offset + size > base.length || written + size > out.length) return misfit;
      base.copy(out, written, offset, offset + size);
      written += size;
    } else if (op > 0) {
      if (pos + op > delta.length || written + op > out.length) return misfit;
      delta.copy(out, written, pos, pos + op);
      pos += op;
      written += op;
    } else {
      return misfit;
    }
  }
  return written === out.length ? { ok: true, data: out } : misfit;
}
