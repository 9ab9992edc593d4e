import type { ChangeSet, FileChange, GitMode, Hunk, HunkLine } from '../change-set';
import { DEV_NULL, decodeName, readGitHeaderNames, readMarkerName, stripPrefix } from './diff-names';
import { readGitBinaryPatch } from './git-binary';
import { PatchParseError } from './parse-error';
import { readPathValue } from './quoted-path';

const HUNK_HEADER = /^@@ -(\d+)(?:,(\d+))? \+(\d+)(?:,(\d+))? @@/;
const INDEX_LINE = /^index ([0-9a-f]+)\.\.([0-9a-f]+)(?: ([0-7]{6}))?$/;

/** Git writes 100664 for group-writable files in old repositories; it means a regular file. */
function readMode(value: string, line: number): GitMode {
  if (value === '100644' || value === '100664') return '100644';
  if (value === '100755' || value === '120000' || value === '160000') return value;
  throw new PatchParseError(`unsupported file mode "${value}"`, line);
}

/** Latin1 keeps one character per byte, so every byte of the input survives into the change set. */
export function toByteString(input: string | Uint8Array): string {
  const bytes = typeof input === 'string' ? Buffer.from(input, 'utf8') : Buffer.from(input.buffer, input.byteOffset, input.byteLength);
  return bytes.toString('latin1');
}

interface Header {
  line: number;
  names: { oldName: string; newName: string } | null;
  oldMode?: GitMode;
  newMode?: GitMode;
  newFileMode?: GitMode;
  deletedFileMode?: GitMode;
  renameFrom?: string;
  renameTo?: string;
  copyFrom?: string;
  copyTo?: string;
  indexMode?: GitMode;
  oldBlob?: string;
  newBlob?: string;
}

/**
 * Parses a unified diff: git format (`diff --git` with its extended headers, binary patches) and
 * plain `---`/`+++` diffs. Text before, between and after file patches (mail headers, commit
 * messages, a `-- ` signature) is skipped, as git does; anything malformed inside a file patch is a
 * PatchParseError naming the line.
 */
export function parseUnifiedDiff(input: string | Uint8Array): ChangeSet {
  const text = toByteString(input);
  const lines = text.split('\n');
  if (lines[lines.length - 1] === '') lines.pop();
  const changes: FileChange[] = [];
  let i = 0;
  while (i < lines.length) {
    const line = lines[i]!;
    if (line.startsWith('diff --git ')) {
      i = readGitFilePatch(lines, i, changes);
    } else if (line.startsWith('--- ') && lines[i + 1]?.startsWith('+++ ') && lines[i + 2]?.startsWith('@@ ')) {
      i = readPlainFilePatch(lines, i, changes);
    } else {
      i++;
    }
  }
  if (changes.length === 0 && /\S/.test(text)) {
    throw new PatchParseError('no file patch found (expected "diff --git" or "---"/"+++" headers)', 1);
  }
  return { kind: 'diff', changes, bytes: text.length };
}

function readGitFilePatch(lines: string[], start: number, changes: FileChange[]): number {
  const header: Header = { line: start + 1, names: readGitHeaderNames(lines[start]!.slice('diff --git '.length), start + 1) };
  let i = start + 1;
  for (; i < lines.length; i++) {
    if (!readExtendedHeader(lines[i]!, i + 1, header)) break;
  }
  let oldName: string | undefined;
  let newName: string | undefined;
  let binary = false;
  let binaryPatch: FileChange['binaryPatch'];
  const hunks: Hunk[] = [];
  const current = lines[i] ?? '';
  if (current.startsWith('Binary files ') && current.endsWith(' differ')) {
    binary = true;
    binaryPatch = null;
    i++;
  } else if (current === 'GIT binary patch') {
    binary = true;
    const read = readGitBinaryPatch(lines, i + 1);
    binaryPatch = read.patch;
    i = read.next;
  } else if (current.startsWith('--- ')) {
    if (!lines[i + 1]?.startsWith('+++ ')) throw new PatchParseError('"---" line without a "+++" line after it', i + 1);
    oldName = readMarkerName(current.slice(4), i + 1);
    newName = readMarkerName(lines[i + 1]!.slice(4), i + 2);
    i += 2;
    i = readHunks(lines, i, hunks);
    if (hunks.length === 0) throw new PatchParseError('file header without any hunk', i);
  } else if (current.startsWith('@@ ')) {
    throw new PatchParseError('hunk without "---"/"+++" file names', i + 1);
  }
  changes.push(buildGitChange(header, oldName, newName, hunks, binary, binaryPatch));
  return i;
}

/** Reads one extended header line into `header`; false when the line is not one (headers end). */
function readExtendedHeader(line: string, n: number, h: Header): boolean {
  const value = (prefix: string) => line.slice(prefix.length);
  if (line.startsWith('old mode ')) h.oldMode = readMode(value('old mode '), n);
  else if (line.startsWith('new mode ')) h.newMode = readMode(value('new mode '), n);
  else if (line.startsWith('new file mode ')) h.newFileMode = readMode(value('new file mode '), n);
  else if (line.startsWith('deleted file mode ')) h.deletedFileMode = readMode(value('deleted file mode '), n);
  else if (line.startsWith('rename from ')) h.renameFrom = readPathValue(value('rename from '), n);
  else if (line.startsWith('rename to ')) h.renameTo = readPathValue(value('rename to '), n);
  else if (line.startsWith('rename old ')) h.renameFrom = readPathValue(value('rename old '), n);
  else if (line.startsWith('rename new ')) h.renameTo = readPathValue(value('rename new '), n);
  else if (line.startsWith('copy from ')) h.copyFrom = readPathValue(value('copy from '), n);
  else if (line.startsWith('copy to ')) h.copyTo = readPathValue(value('copy to '), n);
  else if (/^(dis)?similarity index \d+%$/.test(line)) return true;
  else if (line.startsWith('index ')) {
    const m = INDEX_LINE.exec(line);
    if (!m) throw new PatchParseError('malformed "index" line', n);
    h.oldBlob = m[1];
    h.newBlob = m[2];
    if (m[3] !== undefined) h.indexMode = readMode(m[3], n);
  } else return false;
  return true;
}

/** Names on `---`/`+++` must agree with the `diff --git` line and with the kind of change. */
function markerName(raw: string | undefined, expectNull: boolean, headerName: string | undefined, line: number): string | undefined {
  if (raw === undefined) return undefined;
  if (raw === DEV_NULL) {
    if (!expectNull) throw new PatchParseError('"/dev/null" names a file that the header says exists', line);
    return undefined;
  }
  if (expectNull) throw new PatchParseError(`expected "/dev/null", found "${raw}"`, line);
  const name = stripPrefix(raw, line, false);
  if (headerName !== undefined && name !== headerName) {
    throw new PatchParseError(`file name "${name}" does not match the "diff --git" line ("${headerName}")`, line);
  }
  return name;
}

function buildGitChange(
  h: Header,
  rawOld: string | undefined,
  rawNew: string | undefined,
  hunks: Hunk[],
  binary: boolean,
  binaryPatch: FileChange['binaryPatch'],
): FileChange {
  const n = h.line;
  const isNew = h.newFileMode !== undefined;
  const isDeleted = h.deletedFileMode !== undefined;
  const isRename = h.renameFrom !== undefined || h.renameTo !== undefined;
  const isCopy = h.copyFrom !== undefined || h.copyTo !== undefined;
  if ([isNew, isDeleted, isRename, isCopy].filter(Boolean).length > 1) {
    throw new PatchParseError('contradicting headers (new, deleted, rename and copy exclude each other)', n);
  }
  if (isRename && (h.renameFrom === undefined || h.renameTo === undefined)) throw new PatchParseError('"rename from" and "rename to" go together', n);
  if (isCopy && (h.copyFrom === undefined || h.copyTo === undefined)) throw new PatchParseError('"copy from" and "copy to" go together', n);

  let oldName = isRename ? h.renameFrom : isCopy ? h.copyFrom : h.names?.oldName;
  let newName = isRename ? h.renameTo : isCopy ? h.copyTo : h.names?.newName;
  if (h.names && (isRename || isCopy) && (h.names.oldName !== oldName || h.names.newName !== newName)) {
    throw new PatchParseError('rename/copy names do not match the "diff --git" line', n);
  }
  oldName = markerName(rawOld, isNew, oldName, n) ?? oldName;
  newName = markerName(rawNew, isDeleted, newName, n) ?? newName;
  const path = isDeleted ? oldName : newName;
  if (path === undefined || oldName === undefined) throw new PatchParseError('cannot tell the file names apart on the "diff --git" line', n);
  if (!isRename && !isCopy && !isNew && !isDeleted && oldName !== path) {
    throw new PatchParseError(`old and new names differ ("${oldName}", "${path}") without a rename header`, n);
  }
  for (const hunk of hunks) {
    if (isNew && (hunk.oldStart !== 0 || hunk.oldCount !== 0)) throw new PatchParseError('a new file cannot depend on old content', hunk.line);
    if (isDeleted && (hunk.newStart !== 0 || hunk.newCount !== 0)) throw new PatchParseError('a deleted file cannot keep content', hunk.line);
  }

  const change: FileChange = {
    op: isNew ? 'create' : isDeleted ? 'delete' : isRename ? 'rename' : isCopy ? 'copy' : 'modify',
    path: decodeName(path),
    hunks,
    binary,
    line: n,
  };
  if (isRename || isCopy) change.oldPath = decodeName(oldName);
  if (isNew) change.newMode = h.newFileMode;
  else if (isDeleted) change.oldMode = h.deletedFileMode;
  else {
    change.oldMode = h.oldMode ?? h.indexMode;
    change.newMode = h.newMode ?? h.indexMode;
    if ((h.oldMode === undefined) !== (h.newMode === undefined)) throw new PatchParseError('"old mode" and "new mode" go together', n);
  }
  if (binaryPatch !== undefined) change.binaryPatch = binaryPatch;
  if (h.oldBlob !== undefined) change.oldBlob = h.oldBlob;
  if (h.newBlob !== undefined) change.newBlob = h.newBlob;
  return change;
}

function readPlainFilePatch(lines: string[], start: number, changes: FileChange[]): number {
  const oldRaw = readMarkerName(lines[start]!.slice(4), start + 1);
  const newRaw = readMarkerName(lines[start + 1]!.slice(4), start + 2);
  if (oldRaw === DEV_NULL && newRaw === DEV_NULL) throw new PatchParseError('both names are /dev/null', start + 1);
  const hunks: Hunk[] = [];
  const next = readHunks(lines, start + 2, hunks);
  const oldName = oldRaw === DEV_NULL ? undefined : stripPrefix(oldRaw, start + 1, true);
  const newName = newRaw === DEV_NULL ? undefined : stripPrefix(newRaw, start + 2, true);
  // Plain diffs name the file twice (`file.orig` / `file`); the new name is the one written.
  const change: FileChange = {
    op: oldName === undefined ? 'create' : newName === undefined ? 'delete' : 'modify',
    path: decodeName((newName ?? oldName)!),
    hunks,
    binary: false,
    line: start + 1,
  };
  for (const hunk of hunks) {
    if (change.op === 'create' && (hunk.oldStart !== 0 || hunk.oldCount !== 0)) throw new PatchParseError('a new file cannot depend on old content', hunk.line);
    if (change.op === 'delete' && (hunk.newStart !== 0 || hunk.newCount !== 0)) throw new PatchParseError('a deleted file cannot keep content', hunk.line);
  }
  changes.push(change);
  return next;
}

/** Reads consecutive hunks starting at `lines[start]`; returns the index after the last one. */
function readHunks(lines: string[], start: number, out: Hunk[]): number {
  let i = start;
  while (i < lines.length && lines[i]!.startsWith('@@ ')) {
    const n = i + 1;
    const m = HUNK_HEADER.exec(lines[i]!);
    if (!m) throw new PatchParseError(`malformed hunk header "${lines[i]}"`, n);
    const num = (s: string | undefined, fallback: number) => (s === undefined ? fallback : Number(s));
    const hunk: Hunk = {
      oldStart: num(m[1], 0),
      oldCount: num(m[2], 1),
      newStart: num(m[3], 0),
      newCount: num(m[4], 1),
      lines: [],
      line: n,
    };
    if (![hunk.oldStart, hunk.oldCount, hunk.newStart, hunk.newCount].every(Number.isSafeInteger)) {
      throw new PatchParseError('hunk header numbers are too large', n);
    }
    i = readHunkBody(lines, i + 1, hunk);
    out.push(hunk);
  }
  const after = lines[i];
  // A counted hunk ends exactly; a further diff line means the header's counts were wrong, and
  // silently dropping that line (as tools that trust the counts do) would apply something else.
  if (after !== undefined && (after.startsWith('+') || after.startsWith(' ') || (after.startsWith('-') && after !== '-- ' && !after.startsWith('--- ')))) {
    throw new PatchParseError('hunk is longer than its header says', i + 1);
  }
  return i;
}

function readHunkBody(lines: string[], start: number, hunk: Hunk): number {
  let oldLeft = hunk.oldCount;
  let newLeft = hunk.newCount;
  let i = start;
  let last: HunkLine | undefined;
  const expectation = () => `hunk at line ${hunk.line} needs ${oldLeft} more old and ${newLeft} more new lines`;
  while (oldLeft > 0 || newLeft > 0 || lines[i]?.startsWith('\\')) {
    const text = lines[i];
    if (text === undefined) throw new PatchParseError(`patch ends inside a hunk (${expectation()})`, i);
    const kind = text === '' ? ' ' : text[0];
    if (kind === '\\') {
      if (!last) throw new PatchParseError('"\\ No newline at end of file" before any line', i + 1);
      last.text = last.text.slice(0, -1);
      last = undefined;
      i++;
      continue;
    }
    if (kind !== ' ' && kind !== '-' && kind !== '+') throw new PatchParseError(`unexpected line in hunk (${expectation()})`, i + 1);
    if (kind !== '+') oldLeft--;
    if (kind !== '-') newLeft--;
    if (oldLeft < 0 || newLeft < 0) throw new PatchParseError(`hunk is longer than its header says (${expectation()})`, i + 1);
    last = { kind, text: text.slice(1) + '\n' };
    hunk.lines.push(last);
    i++;
  }
  return i;
}
