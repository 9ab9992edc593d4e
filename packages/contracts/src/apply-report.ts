import { z } from 'zod';
import { Count } from './common';

/**
 * Why governed apply refused a change (SPEC §6). A report lists every violation it found, not just
 * the first, so one round trip tells a builder (or an operator) everything that is wrong.
 */
export const APPLY_VIOLATION_CODES = [
  'invalid_path',
  'absolute_path',
  'drive_letter',
  'path_traversal',
  'control_character',
  'encoded_path',
  'confusable_path',
  'git_directory',
  'gitlink',
  'symlink',
  'symlink_escape',
  'beyond_symlink',
  'case_collision',
  'duplicate_path',
  'protected_path',
  'out_of_scope',
  'too_many_files',
  'patch_too_large',
  'file_too_large',
  'mass_deletion',
  'binary_change',
] as const;
export const ApplyViolationCode = z.enum(APPLY_VIOLATION_CODES).describe(
  [
    'invalid_path: empty, not UTF-8, too long, or names a directory;',
    'absolute_path / drive_letter / path_traversal: leaves the repository by its spelling;',
    'control_character: NUL, newline, ESC and other C0/C1 controls;',
    'encoded_path / confusable_path: URL-encoded or Unicode look-alike forms of "..", ".git" or a protected path;',
    'git_directory: ".git" at any depth, in any case or NTFS alias; gitlink: submodule entry (mode 160000);',
    'symlink: symlink created or changed without allowSymlinks;',
    'symlink_escape: the path (or a new symlink) resolves outside the repository through a symlink;',
    'beyond_symlink: the path goes through a symlink that stays inside the repository;',
    'case_collision: two names that are one file on a case-insensitive filesystem;',
    'duplicate_path: one path written or removed twice by the same change set;',
    'protected_path / out_of_scope: protected globs, phase scope and grants;',
    'too_many_files / patch_too_large / file_too_large / mass_deletion / binary_change: limits.',
  ].join(' '),
);
export type ApplyViolationCode = z.infer<typeof ApplyViolationCode>;

export const ApplyViolation = z.strictObject({
  code: ApplyViolationCode,
  path: z.string().describe('The offending path as written in the patch (normalised when it could be); "" for whole-patch limits'),
  detail: z.string().describe('Human-readable reason'),
  protected_as: z
    .string()
    .optional()
    .describe(
      'protected_path reached through a symlink: the protected name the change reaches (path is the file that changes). A governance request names both, so the risk is rated on the protected name',
    ),
});
export type ApplyViolation = z.infer<typeof ApplyViolation>;

export const APPLY_RISK_LEVELS = ['low', 'medium', 'high', 'critical'] as const;
export const ApplyRiskLevel = z.enum(APPLY_RISK_LEVELS);
export type ApplyRiskLevel = z.infer<typeof ApplyRiskLevel>;

export const ApplyFileOp = z.enum(['create', 'modify', 'delete', 'rename', 'copy']);
export type ApplyFileOp = z.infer<typeof ApplyFileOp>;

/**
 * Per file: `pending` passed check mode (nothing written); `applied`; `already_applied` (the change is
 * already on disk, nothing written); `conflict` (hunks do not match or the file is not as the patch
 * expects); `rolled_back` (written, then restored because another step failed); `skipped` (not
 * evaluated because the change set was refused before reading files).
 */
export const ApplyFileStatus = z.enum(['pending', 'applied', 'already_applied', 'conflict', 'rolled_back', 'skipped']);
export type ApplyFileStatus = z.infer<typeof ApplyFileStatus>;

const gitMode = z.string().regex(/^[0-7]{6}$/).nullable();

export const ApplyFileReport = z.strictObject({
  path: z.string(),
  old_path: z.string().nullable().describe('Source of a rename or copy'),
  op: ApplyFileOp,
  old_mode: gitMode,
  new_mode: gitMode,
  binary: z.boolean(),
  lines_added: Count,
  lines_removed: Count,
  status: ApplyFileStatus,
  detail: z.string().nullable().describe('Why a file conflicted, or what "already applied" was based on'),
});
export type ApplyFileReport = z.infer<typeof ApplyFileReport>;

/**
 * `passed`: check mode, everything would apply. `applied`: written. `already_applied`: every file was
 * already in its final state, nothing written. `rejected`: policy violations, nothing written.
 * `conflict`: the patch does not fit the tree, nothing written. `failed`: an I/O error while writing,
 * everything rolled back (see `rollback`). `parse_error`: the input is not a patch. `empty`: no changes.
 */
export const APPLY_OUTCOMES = ['passed', 'applied', 'already_applied', 'rejected', 'conflict', 'failed', 'parse_error', 'empty'] as const;
export const ApplyOutcome = z.enum(APPLY_OUTCOMES);
export type ApplyOutcome = z.infer<typeof ApplyOutcome>;

export const ApplyRollback = z.strictObject({
  status: z.enum(['not_needed', 'complete', 'incomplete']),
  restored: z.array(z.string()).describe('Files put back byte for byte'),
  removed: z.array(z.string()).describe('Files and directories created by the failed apply and removed again'),
  errors: z.array(z.strictObject({ path: z.string(), message: z.string() })),
});
export type ApplyRollback = z.infer<typeof ApplyRollback>;

export const ApplyError = z.strictObject({
  code: z.enum(['parse_error', 'io_error', 'invalid_options']),
  message: z.string(),
  line: z.int().min(1).nullable().describe('1-based line of the input a parse error is about'),
});
export type ApplyError = z.infer<typeof ApplyError>;

const millis = z.number().min(0);

export const ApplyReport = z.strictObject({
  mode: z.enum(['check', 'apply']),
  outcome: ApplyOutcome,
  input_kind: z.enum(['diff', 'operations']),
  files: z.array(ApplyFileReport),
  violations: z.array(ApplyViolation),
  risk_level: ApplyRiskLevel,
  totals: z.strictObject({ files: Count, lines_added: Count, lines_removed: Count, patch_bytes: Count }),
  rollback: ApplyRollback,
  error: ApplyError.nullable(),
  case_insensitive_fs: z.boolean(),
  durations_ms: z.strictObject({ parse: millis, policy: millis, plan: millis, write: millis, total: millis }),
});
export type ApplyReport = z.infer<typeof ApplyReport>;
