import type { Prng } from './prng';

/** A file of a generated tree: bytes and git's executable bit, or a symlink. */
export type GenEntry = { kind: 'file'; data: Buffer; executable: boolean } | { kind: 'symlink'; target: string };
export type GenTree = Map<string, GenEntry>;

const WORDS = ['alpha', 'beta', 'gamma', 'delta', 'const', 'return', 'value', 'index', 'await', 'export', 'import', '{', '}', '//', 'TODO'];
const DIRS = ['', 'src', 'src/lib', 'docs', 'a/b/c', 'test'];
const NAMES = ['main', 'util', 'README', 'notes', 'data', 'config', 'helper', 'list'];
const EXTS = ['.ts', '.md', '.txt', '.json', ''];

interface TextStyle {
  eol: '\n' | '\r\n' | 'mixed';
}

function line(prng: Prng, tag: string, style: TextStyle): string {
  const words = Array.from({ length: prng.int(0, 5) }, () => prng.pick(WORDS));
  const eol = style.eol === 'mixed' ? prng.pick(['\n', '\r\n']) : style.eol;
  // The case tag keeps lines of different cases apart, so git never pairs files across cases.
  return `${tag} ${words.join(' ')} ${prng.int(0, 99)}${eol}`;
}

function styleOf(data: Buffer): TextStyle {
  const text = data.toString('latin1');
  const crlf = (text.match(/\r\n/g) ?? []).length;
  const lf = (text.match(/\n/g) ?? []).length;
  return { eol: crlf === 0 ? '\n' : crlf === lf ? '\r\n' : 'mixed' };
}

function textFile(prng: Prng, tag: string, minLines: number): Buffer {
  const style: TextStyle = { eol: prng.chance(0.2) ? '\r\n' : prng.chance(0.05) ? 'mixed' : '\n' };
  let text = Array.from({ length: prng.int(minLines, 30) }, () => line(prng, tag, style)).join('');
  if (text !== '' && prng.chance(0.2)) text = text.replace(/\r?\n$/, '');
  return Buffer.from(text, 'latin1');
}

function binaryFile(prng: Prng): Buffer {
  return Buffer.from(Array.from({ length: prng.int(20, 600) }, () => (prng.chance(0.2) ? 0 : prng.int(0, 255))));
}

function freshPath(prng: Prng, tree: GenTree, prefix: string): string {
  for (;;) {
    const dir = prng.pick(DIRS);
    const name = `${prng.pick(NAMES)}${prng.int(0, 999)}${prng.pick(EXTS)}`;
    const rel = `${prefix}/${dir === '' ? '' : `${dir}/`}${name}`;
    // Never a path under an existing file, nor a file where a directory is.
    const clash = [...tree.keys()].some((p) => p === rel || rel.startsWith(`${p}/`) || p.startsWith(`${rel}/`));
    if (!clash) return rel;
  }
}

export interface GenOptions {
  binary: boolean;
  symlinks: boolean;
}

/** A random starting tree below `prefix`. */
export function randomTree(prng: Prng, prefix: string, options: GenOptions): GenTree {
  const tree: GenTree = new Map();
  const tag = prefix.replace(/\W/g, '');
  for (let n = prng.int(1, 7); n > 0; n--) {
    const rel = freshPath(prng, tree, prefix);
    const binary = options.binary && prng.chance(0.08);
    // Never empty: an empty file deleted in one case and created in another would be an exact
    // rename across cases in the batch's single diff.
    tree.set(rel, { kind: 'file', data: binary ? binaryFile(prng) : textFile(prng, tag, 1), executable: prng.chance(0.2) });
  }
  if (options.symlinks && prng.chance(0.15)) {
    const files = [...tree.keys()];
    const link = freshPath(prng, tree, prefix);
    tree.set(link, { kind: 'symlink', target: relativeTarget(link, prng.pick(files)) });
  }
  return tree;
}

function relativeTarget(from: string, to: string): string {
  const a = from.split('/').slice(0, -1);
  const b = to.split('/');
  let common = 0;
  while (common < a.length && common < b.length - 1 && a[common] === b[common]) common++;
  return [...Array(a.length - common).fill('..'), ...b.slice(common)].join('/');
}

function editText(prng: Prng, data: Buffer, tag: string): Buffer {
  const style = styleOf(data);
  const text = data.toString('latin1');
  const lines = text.match(/[^\n]*\n|[^\n]+$/g) ?? [];
  for (let edits = prng.int(1, 4); edits > 0; edits--) {
    const at = prng.int(0, lines.length);
    const what = prng.int(0, 2);
    if (what === 0 || lines.length === 0) lines.splice(at, 0, ...Array.from({ length: prng.int(1, 3) }, () => line(prng, tag, style)));
    else if (what === 1) lines.splice(Math.min(at, lines.length - 1), prng.int(1, 3));
    else lines[Math.min(at, lines.length - 1)] = line(prng, tag, style);
  }
  // A line that lost its terminator in the middle would join its neighbour; keep each one whole.
  let out = lines.map((l, i) => (i < lines.length - 1 && !l.endsWith('\n') ? `${l}${style.eol === '\r\n' ? '\r\n' : '\n'}` : l)).join('');
  if (prng.chance(0.15)) out = /\n$/.test(out) ? out.replace(/\r?\n$/, '') : out === '' ? out : `${out}\n`;
  return Buffer.from(out, 'latin1');
}

/** Applies 1–4 random edits: modify, create, delete, rename or copy (with or without edits), mode change, symlink. */
export function randomEdits(prng: Prng, tree: GenTree, prefix: string, options: GenOptions): GenTree {
  const next: GenTree = new Map(tree);
  const tag = prefix.replace(/\W/g, '');
  for (let n = prng.int(1, 4); n > 0; n--) {
    const files = [...next.entries()].filter(([, e]) => e.kind === 'file') as [string, Extract<GenEntry, { kind: 'file' }>][];
    const op = prng.pick(['modify', 'modify', 'create', 'delete', 'rename', 'copy', 'mode', 'symlink'] as const);
    const [rel, entry] = files.length > 0 ? prng.pick(files) : [undefined, undefined];
    if (op === 'create' || !rel || !entry) {
      const binary = options.binary && prng.chance(0.1);
      const data = prng.chance(0.15) ? Buffer.alloc(0) : binary ? binaryFile(prng) : textFile(prng, tag, 0);
      next.set(freshPath(prng, next, prefix), { kind: 'file', data, executable: prng.chance(0.2) });
    } else if (op === 'modify') {
      const binary = entry.data.includes(0);
      const data = binary ? Buffer.concat([entry.data.subarray(0, prng.int(0, entry.data.length)), binaryFile(prng)]) : editText(prng, entry.data, tag);
      next.set(rel, { ...entry, data });
    } else if (op === 'delete') {
      next.delete(prng.chance(0.8) ? rel : prng.pick([...next.keys()]));
    } else if (op === 'rename') {
      next.delete(rel);
      const binary = entry.data.includes(0);
      const data = prng.chance(0.5) && !binary ? editText(prng, entry.data, tag) : entry.data;
      next.set(freshPath(prng, next, prefix), { ...entry, data });
    } else if (op === 'copy') {
      const binary = entry.data.includes(0);
      const data = prng.chance(0.5) && !binary ? editText(prng, entry.data, tag) : entry.data;
      next.set(freshPath(prng, next, prefix), { ...entry, data });
    } else if (op === 'mode') {
      next.set(rel, { ...entry, executable: !entry.executable });
    } else if (options.symlinks) {
      const link = freshPath(prng, next, prefix);
      next.set(link, { kind: 'symlink', target: relativeTarget(link, rel) });
    }
  }
  return next;
}
