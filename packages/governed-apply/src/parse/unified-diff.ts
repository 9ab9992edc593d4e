import type { ChangeSet, FileChange, Hunk } from '../change-set';
import { DEFAULT_LIMITS } from '../options';
import { DEV_NULL, decodeName, readGitHeaderNames, readMarkerName, stripPrefix } from './diff-names';
import { readGitBinaryPatch } from './git-binary';
import { buildGitChange, readExtendedHeader, type Header } from './git-change';
import { readHunks } from './hunk-reader';
import { LineCursor } from './line-cursor';
import { PatchParseError } from './parse-error';

/** Latin1 keeps one character per byte, so every byte of the input survives into the change set. */
export function toByteString(input: string | Uint8Array): string {
  const bytes = typeof input === 'string' ? Buffer.from(input, 'utf8') : Buffer.from(input.buffer, input.byteOffset, input.byteLength);
  return bytes.toString('latin1');
}

/**
 * Parses a unified diff: git format (`diff --git` with its extended headers, binary patches) and
 * plain `---`/`+++` diffs. Text before, between and after file patches (mail headers, commit
 * messages, a `-- ` signature) is skipped, as git does; anything malformed inside a file patch is a
 * PatchParseError naming the line. Binary data larger than `maxFileBytes` is refused unread.
 */
export function parseUnifiedDiff(input: string | Uint8Array, maxFileBytes: number = DEFAULT_LIMITS.maxFileBytes): ChangeSet {
  const text = toByteString(input);
  const cur = new LineCursor(text);
  const changes: FileChange[] = [];
  while (!cur.done) {
    if (cur.startsWith('diff --git ')) {
      changes.push(readGitFilePatch(cur, maxFileBytes));
    } else if (cur.startsWith('--- ') && cur.peek(1)?.startsWith('+++ ') && cur.peek(2)?.startsWith('@@ ')) {
      changes.push(readPlainFilePatch(cur));
    } else {
      cur.advance();
    }
  }
  if (changes.length === 0 && /\S/.test(text)) {
    throw new PatchParseError('no file patch found (expected "diff --git" or "---"/"+++" headers)', 1);
  }
  return { kind: 'diff', changes, bytes: text.length };
}

function readGitFilePatch(cur: LineCursor, maxFileBytes: number): FileChange {
  const header: Header = { line: cur.line, names: readGitHeaderNames(cur.current()!.slice('diff --git '.length), cur.line) };
  cur.advance();
  while (!cur.done && readExtendedHeader(cur.current()!, cur.line, header)) cur.advance();

  let oldName: string | undefined;
  let newName: string | undefined;
  let binary = false;
  let binaryPatch: FileChange['binaryPatch'];
  const hunks: Hunk[] = [];
  const current = cur.current() ?? '';
  if (current.startsWith('Binary files ') && current.endsWith(' differ')) {
    binary = true;
    binaryPatch = null;
    cur.advance();
  } else if (current === 'GIT binary patch') {
    binary = true;
    cur.advance();
    binaryPatch = readGitBinaryPatch(cur, maxFileBytes);
  } else if (current.startsWith('--- ')) {
    const next = cur.peek(1);
    if (!next?.startsWith('+++ ')) throw new PatchParseError('"---" line without a "+++" line after it', cur.line);
    oldName = readMarkerName(current.slice(4), cur.line);
    newName = readMarkerName(next.slice(4), cur.line + 1);
    cur.advance();
    cur.advance();
    readHunks(cur, hunks);
    if (hunks.length === 0) throw new PatchParseError('file header without any hunk', cur.line - 1);
  } else if (current.startsWith('@@ ')) {
    throw new PatchParseError('hunk without "---"/"+++" file names', cur.line);
  }
  return buildGitChange(header, oldName, newName, hunks, binary, binaryPatch);
}

function readPlainFilePatch(cur: LineCursor): FileChange {
  const line = cur.line;
  const oldRaw = readMarkerName(cur.current()!.slice(4), line);
  cur.advance();
  const newRaw = readMarkerName(cur.current()!.slice(4), line + 1);
  cur.advance();
  if (oldRaw === DEV_NULL && newRaw === DEV_NULL) throw new PatchParseError('both names are /dev/null', line);
  const hunks: Hunk[] = [];
  readHunks(cur, hunks);
  const oldName = oldRaw === DEV_NULL ? undefined : stripPrefix(oldRaw, line, true);
  const newName = newRaw === DEV_NULL ? undefined : stripPrefix(newRaw, line + 1, true);
  // Plain diffs name the file twice (`file.orig` / `file`); the new name is the one written.
  const change: FileChange = {
    op: oldName === undefined ? 'create' : newName === undefined ? 'delete' : 'modify',
    path: decodeName((newName ?? oldName)!),
    hunks,
    binary: false,
    line,
  };
  for (const hunk of hunks) {
    if (change.op === 'create' && (hunk.oldStart !== 0 || hunk.oldCount !== 0)) throw new PatchParseError('a new file cannot depend on old content', hunk.line);
    if (change.op === 'delete' && (hunk.newStart !== 0 || hunk.newCount !== 0)) throw new PatchParseError('a deleted file cannot keep content', hunk.line);
  }
  return change;
}
