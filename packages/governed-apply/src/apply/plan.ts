import { createHash } from 'node:crypto';
import { countLines, MODE_EXECUTABLE, MODE_REGULAR, MODE_SYMLINK, type ByteString, type FileChange } from '../change-set';
import type { ChangePaths } from '../policy/change-rules';
import type { FsLayer } from './fs-layer';
import { applyGitDelta } from './git-delta';
import { applyHunks, lineCount, revertHunks, splitLines, type HunkOptions } from './hunks';
import { SEARCH_BUDGET } from './line-image';
import { readSnapshot, snapshotBytes, type BehindLink, type Snapshot } from './snapshot';

export type Step =
  | { kind: 'write'; rel: string; content: ByteString; perm: number; exactPerm: boolean; before: Snapshot | null }
  | { kind: 'symlink'; rel: string; target: string; before: Snapshot | null }
  | { kind: 'remove'; rel: string; before: Snapshot };

export interface PlannedChange {
  status: 'pending' | 'already_applied' | 'conflict';
  detail: string | null;
  steps: Step[];
  linesAdded: number;
  linesRemoved: number;
  /** Lines of the file before the change (0 when it is created): the mass-deletion base. */
  oldLines: number;
  oldSize: number | null;
  newSize: number | null;
  /** A whole-file deletion: counts towards the total deletion ratio, not the per-file one. */
  removesFile: boolean;
}

export interface PlanContext {
  /** Later entries write below this path: a directory standing there means a deletion is done. */
  becomesDirectory?: boolean;
  /** The same change set's edit of this copy's source (to recognise a copy that is already done). */
  sourceEdit?: FileChange;
}

type Computed = { ok: true; content: ByteString } | { ok: false; detail: string };

const ZERO_BLOB = /^0+$/;

/** Git never abbreviates an object id below 7 digits; fewer would match almost any file. */
const MIN_BLOB_DIGITS = 7;

/** Git's blob id: what the `index` line abbreviates. */
function blobId(content: ByteString): string {
  return createHash('sha1').update(`blob ${content.length}\0`, 'latin1').update(content, 'latin1').digest('hex');
}

function blobMatches(content: ByteString, abbreviated: string | undefined): boolean {
  return abbreviated !== undefined && !ZERO_BLOB.test(abbreviated) && blobId(content).startsWith(abbreviated);
}

/**
 * Computes everything in memory before anything is written (SPEC §6): for each change, the steps
 * that would carry it out, or why it conflicts, or that it is already applied.
 */
export class Planner {
  constructor(
    private readonly fs: FsLayer,
    private readonly root: string,
    private readonly hunkOptions: HunkOptions,
    /** The file size limit: a binary delta's result may not exceed it (nor the old size, if larger). */
    private readonly maxFileBytes: number,
    /** Full-file operations: no hunks to verify a deletion against, line counts from the contents. */
    private readonly operations: boolean,
  ) {}

  /** The new content from the old (null = no old file). */
  private compute(change: FileChange, old: ByteString | null): Computed {
    if (change.binary) {
      const patch = change.binaryPatch;
      if (!patch) return { ok: false, detail: 'binary change without data (make the patch with "git diff --binary")' };
      // Binary data has no context lines to check: the index line's blob id is what says "same file".
      if (old !== null && change.oldBlob !== undefined && !blobMatches(old, change.oldBlob)) {
        return { ok: false, detail: 'binary file is not the one the patch was made against' };
      }
      if (patch.forward.kind === 'literal') return { ok: true, content: patch.forward.data.toString('latin1') };
      const base = Buffer.from(old ?? '', 'latin1');
      // Checked before allocating: a delta can declare gigabytes in a few bytes. A file already over
      // the limit may be patched (as the content limits allow) but not grow past its size.
      const out = applyGitDelta(base, patch.forward.data, Math.max(this.maxFileBytes, base.length));
      return out.ok ? { ok: true, content: out.data.toString('latin1') } : out;
    }
    if (change.content !== undefined) return { ok: true, content: change.content };
    if (change.hunks.length === 0) return { ok: true, content: old ?? '' };
    const result = applyHunks(old ?? '', change.hunks, this.hunkOptions);
    if (result.ok) return result;
    if (result.gaveUp) return { ok: false, detail: `search for the hunk at line ${result.hunk.line} gave up: this apply used up its ${SEARCH_BUDGET} line comparisons` };
    return { ok: false, detail: `hunk at line ${result.hunk.line} does not match the file` };
  }

  /** Is `current` already what the change produces? */
  private alreadyThere(change: FileChange, current: ByteString): boolean {
    if (change.binary) {
      if (change.binaryPatch?.forward.kind === 'literal') return change.binaryPatch.forward.data.toString('latin1') === current;
      return blobMatches(current, change.newBlob);
    }
    if (change.content !== undefined) return change.content === current;
    if (change.hunks.length === 0) return true;
    return revertHunks(current, change.hunks, this.hunkOptions).ok;
  }

  private read(rel: string, behindLink: BehindLink): Snapshot | null {
    return readSnapshot(this.fs, this.root, rel, behindLink);
  }

  /** A change the tree rules already found impossible (a parent is a file). */
  conflict(change: FileChange, detail: string): PlannedChange {
    return { ...this.blank(change), status: 'conflict', detail };
  }

  private blank(change: FileChange): PlannedChange {
    const counts = change.content !== undefined ? undefined : countLines(change);
    return {
      status: 'pending',
      detail: null,
      steps: [],
      linesAdded: counts?.added ?? 0,
      linesRemoved: counts?.removed ?? 0,
      oldLines: 0,
      oldSize: null,
      newSize: null,
      removesFile: change.op === 'delete',
    };
  }

  plan(change: FileChange, paths: ChangePaths, context: PlanContext = {}): PlannedChange {
    const result = this.blank(change);
    const conflict = (detail: string): PlannedChange => ({ ...result, status: 'conflict', detail, steps: [] });
    const already = (detail: string): PlannedChange => ({ ...result, status: 'already_applied', detail, steps: [] });
    // Modified and deleted files are read for their content; other targets only to see whether the
    // change is already done.
    const target = this.read(paths.path, change.op === 'modify' || change.op === 'delete' ? 'refuse' : 'absent');
    const source = paths.oldPath === undefined ? undefined : this.read(paths.oldPath, 'refuse');
    const base = change.op === 'rename' || change.op === 'copy' ? source : target;
    if (base?.kind === 'other') {
      // A deleted symlink whose name later entries turn into a directory: on a second run the
      // directory stands there, and the deletion is done.
      if (change.op === 'delete' && base.info.kind === 'dir' && context.becomesDirectory) return already('already deleted; a directory stands there now');
      return conflict('is a directory or special file, not a file');
    }
    if (base && change.op !== 'create') {
      if (change.oldMode !== undefined && (base.kind === 'symlink') !== (change.oldMode === MODE_SYMLINK)) {
        return conflict(base.kind === 'symlink' ? 'is a symlink, the patch expects a file' : 'is a file, the patch expects a symlink');
      }
      if (change.op === 'modify' && base.kind === 'symlink' && change.oldMode === undefined) return conflict('is a symlink; the patch does not say so');
      const bytes = snapshotBytes(base);
      result.oldLines = lineCount(bytes);
      result.oldSize = bytes.length;
    }
    // A rename or copy without mode lines keeps the source's kind (git's pure renames of symlinks).
    const wantsSymlink =
      change.newMode === MODE_SYMLINK || (change.newMode === undefined && (change.oldMode === MODE_SYMLINK || (change.op !== 'modify' && base?.kind === 'symlink')));

    switch (change.op) {
      case 'create': {
        const made = this.compute(change, null);
        if (!made.ok) return conflict(made.detail);
        if (target) {
          const same = target.kind === (wantsSymlink ? 'symlink' : 'file') && snapshotBytes(target) === made.content && this.modeAgrees(change, target);
          return same ? already('the file already exists with this content') : conflict('already exists');
        }
        this.countOperation(result, '', made.content);
        result.newSize = made.content.length;
        result.steps.push(this.writeStep(paths.path, made.content, change, null, wantsSymlink));
        return result;
      }
      case 'delete': {
        if (!target) return already('already deleted');
        const bytes = snapshotBytes(target);
        if (!this.operations) {
          if (change.hunks.length > 0) {
            const gone = this.compute(change, bytes);
            if (!gone.ok) return conflict(gone.detail);
            if (gone.content !== '') return conflict('the deletion patch does not cover the whole file');
          } else if (change.oldBlob !== undefined && !ZERO_BLOB.test(change.oldBlob)) {
            // `git diff -D`: no hunks, only the blob id vouches for what is deleted.
            if (change.oldBlob.length < MIN_BLOB_DIGITS) return conflict(`the index line abbreviates the blob id to fewer than ${MIN_BLOB_DIGITS} digits`);
            if (!blobMatches(bytes, change.oldBlob)) return conflict('the file is not the one the patch deletes (index mismatch)');
            // Its lines are deleted all the same: they count towards mass deletion.
            if (!change.binary) result.linesRemoved = lineCount(bytes);
          } else if (!change.binary && bytes !== '') {
            return conflict('the deletion patch has no hunks but the file is not empty');
          }
        }
        this.countOperation(result, bytes, '');
        result.steps.push({ kind: 'remove', rel: paths.path, before: target });
        return result;
      }
      case 'modify': {
        if (!target) return conflict('does not exist');
        const bytes = snapshotBytes(target);
        const made = this.compute(change, bytes);
        const perm = this.permFor(change, target);
        if (!made.ok) return this.alreadyThere(change, bytes) && this.modeAgrees(change, target) ? already('the change is already in the file') : conflict(made.detail);
        if (made.content === bytes && (target.kind !== 'file' || perm === target.info.perm)) {
          return already(change.hunks.length === 0 && change.content === undefined ? 'the mode is already as requested' : 'the file already has this content');
        }
        this.countOperation(result, bytes, made.content);
        result.newSize = made.content.length;
        result.steps.push(this.writeStep(paths.path, made.content, change, target, wantsSymlink, perm));
        return result;
      }
      case 'rename':
      case 'copy': {
        if (target) {
          // Already done? A rename's source is gone; a copy's source may have changed since (the same
          // patch can modify it), so the destination is judged on its own.
          const bytes = snapshotBytes(target);
          const plain = change.hunks.length === 0 && !change.binary;
          // A plain copy is done when the destination holds the source as it was before this change
          // set (undoing the set's own edit of the source, if any). With the source gone as well
          // (a later rename moved it) there is nothing left to compare with.
          const done = plain ? !source || (change.op === 'copy' && this.sourceBefore(source, context.sourceEdit) === bytes) : this.alreadyThere(change, bytes);
          if (done && (change.op === 'copy' || !source)) return already(change.op === 'rename' ? 'already renamed' : 'already copied');
          return conflict('destination already exists');
        }
        if (!source) return conflict(`source "${paths.oldPath}" does not exist`);
        const made = this.compute(change, snapshotBytes(source));
        if (!made.ok) return conflict(made.detail);
        result.newSize = made.content.length;
        if (change.op === 'rename') result.steps.push({ kind: 'remove', rel: paths.oldPath!, before: source });
        result.steps.push(this.writeStep(paths.path, made.content, change, null, wantsSymlink, this.permFor(change, source)));
        return result;
      }
    }
  }

  private sourceBefore(source: Snapshot, edit: FileChange | undefined): ByteString | null {
    const bytes = snapshotBytes(source);
    if (!edit) return bytes;
    const undone = revertHunks(bytes, edit.hunks, this.hunkOptions);
    return undone.ok ? undone.content : null;
  }

  /** Line counts of full-file operations: lines outside the common head and tail changed. */
  private countOperation(result: PlannedChange, before: ByteString, after: ByteString): void {
    if (!this.operations) return;
    const a = splitLines(before);
    const b = splitLines(after);
    let head = 0;
    while (head < a.length && head < b.length && a[head] === b[head]) head++;
    let tail = 0;
    while (tail < a.length - head && tail < b.length - head && a[a.length - 1 - tail] === b[b.length - 1 - tail]) tail++;
    result.linesRemoved = a.length - head - tail;
    result.linesAdded = b.length - head - tail;
  }

  /** Permission bits of the written file: the old ones with the executable bits git's mode asks for. */
  private permFor(change: FileChange, before: Snapshot): number {
    const perm = before.info.perm;
    if (change.newMode === undefined || change.newMode === change.oldMode) return perm;
    if (change.newMode === MODE_EXECUTABLE) return perm | ((perm & 0o444) >> 2);
    if (change.newMode === MODE_REGULAR) return perm & ~0o111;
    return perm;
  }

  private modeAgrees(change: FileChange, current: Snapshot): boolean {
    if (current.kind !== 'file' || (change.newMode !== MODE_EXECUTABLE && change.newMode !== MODE_REGULAR)) return true;
    if (change.op !== 'create' && change.newMode === change.oldMode) return true;
    return (current.info.perm & 0o100) !== 0 === (change.newMode === MODE_EXECUTABLE);
  }

  private writeStep(rel: string, content: ByteString, change: FileChange, before: Snapshot | null, symlink: boolean, perm?: number): Step {
    if (symlink) return { kind: 'symlink', rel, target: Buffer.from(content, 'latin1').toString('utf8'), before };
    if (perm !== undefined) return { kind: 'write', rel, content, perm, exactPerm: true, before };
    // New files get git's permissions: 0666 or 0777 under the umask.
    return { kind: 'write', rel, content, perm: change.newMode === MODE_EXECUTABLE ? 0o777 : 0o666, exactPerm: false, before };
  }
}
