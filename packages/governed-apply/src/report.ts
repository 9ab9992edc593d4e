import type { ApplyFileReport, ApplyReport } from '@autopack/contracts';
import { countLines, type FileChange } from './change-set';
import type { PlannedChange } from './apply/plan';
import type { ChangePaths } from './policy/change-rules';

export type Durations = ApplyReport['durations_ms'];

export function newReport(mode: ApplyReport['mode'], inputKind: ApplyReport['input_kind']): ApplyReport {
  return {
    mode,
    outcome: 'empty',
    input_kind: inputKind,
    files: [],
    violations: [],
    risk_level: 'low',
    totals: { files: 0, lines_added: 0, lines_removed: 0, patch_bytes: 0 },
    rollback: { status: 'not_needed', restored: [], removed: [], errors: [] },
    error: null,
    case_insensitive_fs: false,
    durations_ms: { parse: 0, policy: 0, plan: 0, write: 0, total: 0 },
  };
}

/** A report for a run that ended before any file was looked at: bad options, bad input. */
export function errorReport(
  mode: ApplyReport['mode'],
  inputKind: ApplyReport['input_kind'],
  outcome: 'failed' | 'parse_error',
  error: NonNullable<ApplyReport['error']>,
): ApplyReport {
  return { ...newReport(mode, inputKind), outcome, error };
}

export function fileReport(change: FileChange, paths: ChangePaths, planned: PlannedChange | null): ApplyFileReport {
  const counts = planned ? { added: planned.linesAdded, removed: planned.linesRemoved } : countLines(change);
  return {
    path: paths.path === '' ? change.path : paths.path,
    old_path: paths.oldPath === undefined ? null : paths.oldPath === '' ? (change.oldPath ?? null) : paths.oldPath,
    op: change.op,
    old_mode: change.oldMode ?? null,
    new_mode: change.newMode ?? null,
    binary: change.binary,
    lines_added: counts.added,
    lines_removed: counts.removed,
    status: planned ? planned.status : 'skipped',
    detail: planned ? planned.detail : null,
  };
}
