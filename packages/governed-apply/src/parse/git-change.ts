import type { FileChange, GitMode, Hunk } from '../change-set';
import { DEV_NULL, decodeName, stripPrefix } from './diff-names';
import { PatchParseError } from './parse-error';
import { readPathValue } from './quoted-path';

const INDEX_LINE = /^index ([0-9a-f]+)\.\.([0-9a-f]+)(?: ([0-7]{6}))?$/;

/** Git writes 100664 for group-writable files in old repositories; it means a regular file. */
function readMode(value: string, line: number): GitMode {
  if (value === '100644' || value === '100664') return '100644';
  if (value === '100755' || value === '120000' || value === '160000') return value;
  throw new PatchParseError(`unsupported file mode "${value}"`, line);
}

/** What the `diff --git` line and its extended headers say about one file. */
export interface Header {
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

/** Reads one extended header line into `header`; false when the line is not one (headers end). */
export function readExtendedHeader(line: string, n: number, h: Header): boolean {
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

/** Turns the headers, `---`/`+++` names and hunks of one git file patch into a change, checking they agree. */
export function buildGitChange(
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

