/**
 * The one internal form both input kinds (git unified diff, full-file operations) are parsed into.
 * Every policy check and the apply step work on this, never on the raw input.
 *
 * Byte strings: file contents and hunk lines are JavaScript strings in which each character is one
 * byte (latin1 decoding). That keeps CRLF, invalid UTF-8 and any other byte exactly as it was while
 * still letting us split and compare with string operations; `Buffer.from(s, 'latin1')` gives the
 * bytes back.
 */
export type ByteString = string;

/** Git's file modes: regular, executable, symlink, gitlink (submodule). */
export type GitMode = '100644' | '100755' | '120000' | '160000';

export const MODE_REGULAR: GitMode = '100644';
export const MODE_EXECUTABLE: GitMode = '100755';
export const MODE_SYMLINK: GitMode = '120000';
export const MODE_GITLINK: GitMode = '160000';

export type ChangeOp = 'create' | 'modify' | 'delete' | 'rename' | 'copy';

export interface HunkLine {
  /** ' ' context, '-' removed, '+' added. */
  kind: ' ' | '-' | '+';
  /** The line's bytes including its terminator ("\n", or "\r\n" for CRLF files); none when `\ No newline`. */
  text: ByteString;
}

export interface Hunk {
  oldStart: number;
  oldCount: number;
  newStart: number;
  newCount: number;
  lines: HunkLine[];
  /** 1-based line of the `@@` header in the input, for error messages. */
  line: number;
}

/** A `GIT binary patch` section: forward data and, when git wrote one, the reverse. */
export interface BinaryPatch {
  forward: BinaryHunk;
  reverse: BinaryHunk | null;
}

export interface BinaryHunk {
  kind: 'literal' | 'delta';
  /** Inflated bytes: the new content (literal) or a git delta against the old content. */
  data: Buffer;
}

export interface FileChange {
  op: ChangeOp;
  /** The path written (create, modify, rename/copy destination) or removed (delete), as parsed. */
  path: string;
  /** Rename or copy source, as parsed. */
  oldPath?: string;
  oldMode?: GitMode;
  newMode?: GitMode;
  /** Text edits (diff input). */
  hunks: Hunk[];
  /** Full new content (operations input, or a symlink target built from hunks). */
  content?: ByteString;
  /** True when the diff marks the file binary (`Binary files … differ` or `GIT binary patch`). */
  binary: boolean;
  /** Binary data when the diff carries it (`GIT binary patch`); null for `Binary files … differ`. */
  binaryPatch?: BinaryPatch | null;
  /** Abbreviated blob ids from the `index` line, used to verify deletions and binary patches. */
  oldBlob?: string;
  newBlob?: string;
  /** 1-based line where this change starts in the input. */
  line: number;
}

export interface ChangeSet {
  kind: 'diff' | 'operations';
  changes: FileChange[];
  /** Size of the input in bytes (the `maxPatchBytes` limit). */
  bytes: number;
}

export function countLines(change: FileChange): { added: number; removed: number } {
  let added = 0;
  let removed = 0;
  for (const hunk of change.hunks) {
    for (const l of hunk.lines) {
      if (l.kind === '+') added++;
      else if (l.kind === '-') removed++;
    }
  }
  return { added, removed };
}
