import type { ApplyViolation } from '@autopack/contracts';
import { MODE_GITLINK, MODE_SYMLINK, type ChangeSet, type FileChange } from '../change-set';
import type { ResolvedOptions } from '../options';
import { examinePath, type PathExamination } from './path-rules';

/** Normalised paths of one change: what every later step uses. */
export interface ChangePaths {
  path: string;
  oldPath?: string;
}

export interface ChangeRulesResult {
  paths: ChangePaths[];
  /** Per change: a path is unsafe to look at on disk (it may leave the tree); never read or plan it. */
  blocked: boolean[];
  violations: ApplyViolation[];
}

/** True when the change leaves a symlink at `path`. */
export function writesSymlink(change: FileChange): boolean {
  if (change.op === 'delete') return false;
  return change.newMode === MODE_SYMLINK || (change.newMode === undefined && change.oldMode === MODE_SYMLINK);
}

function reportedPath(raw: string, ex: PathExamination): string {
  return ex.normalized === '' ? raw : ex.normalized;
}

/**
 * Rules that need no filesystem: path spelling, modes, binary, protected paths, scope, grants,
 * duplicates, file count and patch size. Every violation is collected.
 */
export function checkChangeRules(changeSet: ChangeSet, opts: ResolvedOptions): ChangeRulesResult {
  const violations: ApplyViolation[] = [];
  const paths: ChangePaths[] = [];
  const blocked: boolean[] = [];
  const seen = new Set<string>();

  changeSet.changes.forEach((change, index) => {
    const target = examinePath(change.path);
    const source = change.oldPath === undefined ? undefined : examinePath(change.oldPath);
    paths.push(source === undefined ? { path: target.normalized } : { path: target.normalized, oldPath: source.normalized });
    let unsafe = false;

    const sides: { raw: string; ex: PathExamination; role: 'target' | 'rename-source' | 'copy-source' }[] = [
      { raw: change.path, ex: target, role: 'target' },
    ];
    if (source && change.oldPath !== undefined) sides.push({ raw: change.oldPath, ex: source, role: change.op === 'rename' ? 'rename-source' : 'copy-source' });

    for (const { raw, ex, role } of sides) {
      const path = reportedPath(raw, ex);
      const side = role === 'target' ? '' : ` (${role.replace('-', ' ')})`;
      for (const problem of ex.problems) {
        violations.push({ code: problem.code, path, detail: problem.detail + side });
        unsafe = true;
      }
      if (ex.problems.length > 0) continue;
      const granted = opts.isGranted(ex.normalized);
      if (opts.isProtected(ex.normalized) && !granted) {
        violations.push({ code: 'protected_path', path, detail: `protected path${side}` });
      } else {
        for (const variant of ex.variants) {
          if (opts.isProtected(variant.path)) violations.push({ code: variant.code, path, detail: `reads as protected path "${variant.path}"${side}` });
        }
      }
      // A copy source is only read; the scope limits what a phase may change.
      if (role !== 'copy-source' && opts.hasScope && !opts.inScope(ex.normalized) && !granted) {
        violations.push({ code: 'out_of_scope', path, detail: `outside the phase scope${side}` });
      }
    }

    const where = reportedPath(change.path, target);
    if (change.oldMode === MODE_GITLINK || change.newMode === MODE_GITLINK) {
      violations.push({ code: 'gitlink', path: where, detail: 'submodule (gitlink, mode 160000) entries are not allowed' });
      unsafe = true;
    }
    if (writesSymlink(change) && !opts.allowSymlinks) {
      violations.push({ code: 'symlink', path: where, detail: 'creating or changing a symlink (mode 120000) is not allowed' });
    }
    if (change.binary && !opts.allowBinary) {
      violations.push({ code: 'binary_change', path: where, detail: 'binary changes are not allowed' });
    }

    // One path, one change: a second write or removal of the same file is ambiguous.
    const touched = change.op === 'rename' && source ? [target.normalized, source.normalized] : [target.normalized];
    for (const p of touched) {
      if (p === '') continue;
      if (seen.has(p)) violations.push({ code: 'duplicate_path', path: p, detail: 'the change set touches this path more than once' });
      seen.add(p);
    }
    blocked[index] = unsafe;
  });

  if (changeSet.changes.length > opts.limits.maxFiles) {
    violations.push({ code: 'too_many_files', path: '', detail: `${changeSet.changes.length} files; the limit is ${opts.limits.maxFiles}` });
  }
  if (changeSet.bytes > opts.limits.maxPatchBytes) {
    violations.push({ code: 'patch_too_large', path: '', detail: `${changeSet.bytes} bytes; the limit is ${opts.limits.maxPatchBytes}` });
  }
  return { paths, blocked, violations };
}
