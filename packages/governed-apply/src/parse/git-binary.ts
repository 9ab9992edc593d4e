import { inflateSync } from 'node:zlib';
import type { BinaryHunk, BinaryPatch } from '../change-set';
import type { LineCursor } from './line-cursor';
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

/**
 * Reads one `literal N` / `delta N` block at the cursor, through the blank line that ends it. The
 * data inflates to at most the declared size, itself at most `maxBytes`: a small patch can hold a
 * deflate bomb of gigabytes, so nothing larger is ever allocated.
 */
function readBinaryHunk(cur: LineCursor, maxBytes: number): BinaryHunk {
  const headerLine = cur.line;
  const header = /^(literal|delta) (\d+)$/.exec(cur.current() ?? '');
  if (!header) throw new PatchParseError('expected "literal <size>" or "delta <size>"', headerLine);
  const size = Number(header[2]);
  if (size > maxBytes) throw new PatchParseError(`GIT binary patch declares ${header[2]} bytes, more than the ${maxBytes}-byte file size limit`, headerLine);
  const chunks: Buffer[] = [];
  cur.advance();
  for (; !cur.done && cur.current() !== ''; cur.advance()) chunks.push(decodeBase85Line(cur.current()!, cur.line));
  if (cur.done) throw new PatchParseError('GIT binary patch ends without a blank line', headerLine);
  cur.advance();
  let data: Buffer;
  try {
    // maxOutputLength must be at least 1; a `literal 0` that inflates to a byte fails the size check.
    data = inflateSync(Buffer.concat(chunks), { maxOutputLength: Math.max(size, 1) });
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ERR_BUFFER_TOO_LARGE') {
      throw new PatchParseError(`GIT binary patch inflates to more than the ${size} bytes its header says`, headerLine);
    }
    throw new PatchParseError('GIT binary patch data does not inflate', headerLine);
  }
  if (data.length !== size) throw new PatchParseError(`GIT binary patch inflates to ${data.length} bytes, header says ${size}`, headerLine);
  return { kind: header[1] as 'literal' | 'delta', data };
}

/**
 * Parses the section after a `GIT binary patch` line (the cursor is on its first data line); no
 * block may inflate to more than `maxBytes`.
 */
export function readGitBinaryPatch(cur: LineCursor, maxBytes: number): BinaryPatch {
  const forward = readBinaryHunk(cur, maxBytes);
  const reverse = /^(literal|delta) \d+$/.test(cur.current() ?? '') ? readBinaryHunk(cur, maxBytes) : null;
  return { forward, reverse };
}
