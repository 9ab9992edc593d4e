import { inflateSync } from 'node:zlib';
import type { BinaryHunk, BinaryPatch } from '../change-set';
import { PatchParseError } from './parse-error';

const BASE85 = '0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz!#$%&()*+-;<=>?@^_`{|}~';
const BASE85_VALUE = new Map([...BASE85].map((c, i) => [c, i]));

/** One line of git's base85: a length letter (A–Z = 1–26, a–z = 27–52) then groups of five characters. */
function decodeBase85Line(text: string, line: number): Buffer {
  const lengthChar = text.charCodeAt(0);
  const length =
    lengthChar >= 65 && lengthChar <= 90 ? lengthChar - 64 : lengthChar >= 97 && lengthChar <= 122 ? lengthChar - 96 + 26 : -1;
  const body = text.slice(1);
  if (length < 0 || body.length !== Math.ceil(length / 4) * 5) {
    throw new PatchParseError('corrupt line in GIT binary patch', line);
  }
  const out = Buffer.alloc(Math.ceil(length / 4) * 4);
  for (let group = 0; group < body.length / 5; group++) {
    let value = 0;
    for (let k = 0; k < 5; k++) {
      const digit = BASE85_VALUE.get(body[group * 5 + k]!);
      if (digit === undefined) throw new PatchParseError('invalid character in GIT binary patch', line);
      value = value * 85 + digit;
    }
    if (value > 0xffffffff) throw new PatchParseError('invalid base85 group in GIT binary patch', line);
    out.writeUInt32BE(value, group * 4);
  }
  return out.subarray(0, length);
}

/** Reads one `literal N` / `delta N` block at `lines[start]`; returns it and the index after its blank line. */
function readBinaryHunk(lines: string[], start: number): { hunk: BinaryHunk; next: number } {
  const header = /^(literal|delta) (\d+)$/.exec(lines[start] ?? '');
  if (!header) throw new PatchParseError('expected "literal <size>" or "delta <size>"', start + 1);
  const size = Number(header[2]);
  const chunks: Buffer[] = [];
  let i = start + 1;
  for (; i < lines.length && lines[i] !== ''; i++) chunks.push(decodeBase85Line(lines[i]!, i + 1));
  if (i >= lines.length) throw new PatchParseError('GIT binary patch ends without a blank line', start + 1);
  let data: Buffer;
  try {
    data = inflateSync(Buffer.concat(chunks));
  } catch {
    throw new PatchParseError('GIT binary patch data does not inflate', start + 1);
  }
  if (data.length !== size) throw new PatchParseError(`GIT binary patch inflates to ${data.length} bytes, header says ${size}`, start + 1);
  return { hunk: { kind: header[1] as 'literal' | 'delta', data }, next: i + 1 };
}

/** Parses the section after a `GIT binary patch` line (index `start` is the first data line). */
export function readGitBinaryPatch(lines: string[], start: number): { patch: BinaryPatch; next: number } {
  const forward = readBinaryHunk(lines, start);
  if (/^(literal|delta) \d+$/.test(lines[forward.next] ?? '')) {
    const reverse = readBinaryHunk(lines, forward.next);
    return { patch: { forward: forward.hunk, reverse: reverse.hunk }, next: reverse.next };
  }
  return { patch: { forward: forward.hunk, reverse: null }, next: forward.next };
}
