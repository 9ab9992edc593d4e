import { deflateSync } from 'node:zlib';

const BASE85 = '0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz!#$%&()*+-;<=>?@^_`{|}~';

/** Git's base85 lines for already-deflated bytes: a length letter, then 5 characters per 4 bytes. */
function base85Lines(z: Buffer): string {
  const lines: string[] = [];
  for (let start = 0; start < z.length; start += 52) {
    const chunk = z.subarray(start, start + 52);
    const padded = Buffer.concat([chunk, Buffer.alloc((4 - (chunk.length % 4)) % 4)]);
    let line = chunk.length <= 26 ? String.fromCharCode(64 + chunk.length) : String.fromCharCode(96 + chunk.length - 26);
    for (let i = 0; i < padded.length; i += 4) {
      let v = padded.readUInt32BE(i);
      let group = '';
      for (let k = 0; k < 5; k++) {
        group = BASE85[v % 85] + group;
        v = Math.floor(v / 85);
      }
      line += group;
    }
    lines.push(line);
  }
  return lines.join('\n');
}

/**
 * A `GIT binary patch` block for `data`, declaring `declared` bytes (the real size unless a test lies):
 * `literal N` or `delta N` followed by the deflated, base85-encoded data and the blank line.
 */
export function binaryBlock(kind: 'literal' | 'delta', data: Buffer, declared = data.length): string {
  return `${kind} ${declared}\n${base85Lines(deflateSync(data))}\n\n`;
}
