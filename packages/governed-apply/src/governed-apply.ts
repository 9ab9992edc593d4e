import type { ApplyReport } from '@autopack/contracts';
import type { ChangeSet } from './change-set';
import { withLstatCache } from './apply/fs-layer';
import { newSearchBudget } from './apply/line-image';
import { Planner, type PlannedChange, type Step } from './apply/plan';
import { WriteTransaction } from './apply/write-transaction';
import { DEFAULT_LIMITS, InvalidOptionsError, resolveOptions, type GovernedApplyOptions, type ResolvedOptions } from './options';
import { parseFileOperations, type FileOperation } from './parse/file-operations';
import { PatchParseError } from './parse/parse-error';
import { parseUnifiedDiff } from './parse/unified-diff';
import { detectCaseInsensitive } from './policy/case-sensitivity';
import { checkChangeRules } from './policy/change-rules';
import { checkContentLimits } from './policy/content-limits';
import { RepoView } from './policy/repo-view';
import { assessRisk } from './policy/risk';
import { checkTreeRules } from './policy/tree-rules';
import { errorReport, fileReport, newReport } from './report';

/** A git unified diff (text or bytes), or full-file operations (an array, or its JSON text). */
export type PatchInput = { diff: string | Uint8Array } | { operations: readonly FileOperation[] | string };

/**
 * Parses either input kind into the one internal change set. Throws PatchParseError. Binary data is
 * never inflated past `maxFileBytes` (pass the `maxFileBytes` limit the apply will use).
 */
export function parsePatchInput(input: PatchInput, maxFileBytes: number = DEFAULT_LIMITS.maxFileBytes): ChangeSet {
  return 'diff' in input ? parseUnifiedDiff(input.diff, maxFileBytes) : parseFileOperations(input.operations);
}

/**
 * Parses, checks policy and computes every resulting file in memory, exactly as `applyPatch` does,
 * and writes nothing: the tree is byte-identical afterwards. Never throws for a bad patch or a bad
 * repository; the report says what happened.
 */
export function checkPatch(input: PatchInput, options: GovernedApplyOptions): ApplyReport {
  return run('check', input, options);
}

/**
 * `checkPatch`, then, when nothing is wrong, writes every file (temp file + rename) and rolls all of
 * it back if any write fails. Safe to call again with the same input: files already in their final
 * state are reported as `already_applied` and not touched.
 */
export function applyPatch(input: PatchInput, options: GovernedApplyOptions): ApplyReport {
  return run('apply', input, options);
}

/** `checkPatch` for a change set parsed earlier (with `parsePatchInput`). */
export function checkChangeSet(changeSet: ChangeSet, options: GovernedApplyOptions): ApplyReport {
  return runParsed('check', changeSet, options);
}

/** `applyPatch` for a change set parsed earlier (with `parsePatchInput`). */
export function applyChangeSet(changeSet: ChangeSet, options: GovernedApplyOptions): ApplyReport {
  return runParsed('apply', changeSet, options);
}

type Mode = ApplyReport['mode'];

function withOptions(mode: Mode, kind: ApplyReport['input_kind'], options: GovernedApplyOptions, go: (opts: ResolvedOptions) => ApplyReport): ApplyReport {
  let opts: ResolvedOptions;
  try {
    opts = resolveOptions(options);
  } catch (err) {
    if (!(err instanceof InvalidOptionsError)) throw err;
    return errorReport(mode, kind, 'failed', { code: 'invalid_options', message: err.message, line: null });
  }
  return go(opts);
}

function run(mode: Mode, input: PatchInput, options: GovernedApplyOptions): ApplyReport {
  const kind = 'diff' in input ? 'diff' : 'operations';
  return withOptions(mode, kind, options, (opts) => {
    const start = opts.now();
    const size = textBytes(input);
    if (size !== null && size > opts.limits.maxPatchBytes) return oversized(mode, kind, size, opts.limits.maxPatchBytes);
    let changeSet: ChangeSet;
    try {
      changeSet = parsePatchInput(input, opts.limits.maxFileBytes);
    } catch (err) {
      if (!(err instanceof PatchParseError)) throw err;
      const report = errorReport(mode, kind, 'parse_error', { code: 'parse_error', message: err.message, line: err.line });
      report.durations_ms.parse = report.durations_ms.total = opts.now() - start;
      return report;
    }
    return evaluate(mode, changeSet, opts, start, opts.now() - start);
  });
}

/** Size of a textual input without parsing it (null for an operations array: its size comes from parsing). */
function textBytes(input: PatchInput): number | null {
  const value = 'diff' in input ? input.diff : input.operations;
  if (typeof value === 'string') return Buffer.byteLength(value, 'utf8');
  return value instanceof Uint8Array ? value.byteLength : null;
}

/** An input over the size limit is refused before it is parsed: parsing it is the cost the limit avoids. */
function oversized(mode: Mode, kind: ApplyReport['input_kind'], size: number, limit: number): ApplyReport {
  const report = newReport(mode, kind);
  report.outcome = 'rejected';
  report.violations = [{ code: 'patch_too_large', path: '', detail: `${size} bytes; the limit is ${limit} (not parsed)` }];
  report.totals.patch_bytes = size;
  // Nothing is known about the paths: never let an unread patch look low-risk.
  report.risk_level = 'high';
  return report;
}

function runParsed(mode: Mode, changeSet: ChangeSet, options: GovernedApplyOptions): ApplyReport {
  return withOptions(mode, changeSet.kind, options, (opts) => evaluate(mode, changeSet, opts, opts.now(), 0));
}

function ioFailure(report: ApplyReport, err: unknown): void {
  report.outcome = 'failed';
  report.error = { code: 'io_error', message: err instanceof Error ? err.message : String(err), line: null };
}

function evaluate(mode: Mode, changeSet: ChangeSet, opts: ResolvedOptions, start: number, parseMs: number): ApplyReport {
  const report = newReport(mode, changeSet.kind);
  report.totals.patch_bytes = changeSet.bytes;
  report.durations_ms.parse = parseMs;
  const finish = () => {
    report.durations_ms.total = opts.now() - start;
    return report;
  };
  if (changeSet.changes.length === 0) return finish();

  let root: string;
  try {
    root = opts.fs.realpath(opts.repo);
    if (opts.fs.lstat(root)?.kind !== 'dir') throw new Error(`${opts.repo} is not a directory`);
    report.case_insensitive_fs = opts.caseInsensitive ?? detectCaseInsensitive(opts.fs, root);
  } catch (err) {
    ioFailure(report, err);
    return finish();
  }

  // Policy: everything decided before a single byte is written.
  const policyStart = opts.now();
  const rules = checkChangeRules(changeSet, opts);
  let planned: (PlannedChange | null)[];
  try {
    const reading = withLstatCache(opts.fs);
    const views = { view: new RepoView(reading, root), disk: new RepoView(reading, root) };
    const tree = checkTreeRules(changeSet, rules.paths, rules.blocked, views, {
      caseInsensitive: report.case_insensitive_fs,
      allowSymlinks: opts.allowSymlinks,
      isProtected: opts.isProtected,
      protectsBelow: opts.protectsBelow,
      isGranted: opts.isGranted,
    });
    report.violations = [...rules.violations, ...tree.violations];
    report.durations_ms.policy = opts.now() - policyStart;

    const planStart = opts.now();
    const hunkOptions = { fuzz: opts.fuzz, ignoreWhitespace: opts.ignoreWhitespace, budget: newSearchBudget() };
    const planner = new Planner(reading, root, hunkOptions, opts.limits.maxFileBytes, changeSet.kind === 'operations');
    const edits = new Map(changeSet.changes.flatMap((c, i) => (c.op === 'modify' && c.hunks.length > 0 ? [[rules.paths[i]!.path, c] as const] : [])));
    // Every directory some written path needs: a deleted name among them is about to become one.
    const neededDirs = new Set<string>();
    rules.paths.forEach((p, i) => {
      if (changeSet.changes[i]!.op === 'delete') return;
      for (let slash = p.path.indexOf('/'); slash >= 0; slash = p.path.indexOf('/', slash + 1)) neededDirs.add(p.path.slice(0, slash));
    });
    planned = changeSet.changes.map((change, i) => {
      if (rules.blocked[i]) return null;
      const conflict = tree.conflicts[i];
      if (conflict) return planner.conflict(change, conflict);
      const { path, oldPath } = rules.paths[i]!;
      return planner.plan(change, rules.paths[i]!, {
        becomesDirectory: neededDirs.has(path),
        sourceEdit: change.op === 'copy' ? edits.get(oldPath!) : undefined,
      });
    });
    report.violations.push(...checkContentLimits(planned, rules.paths, opts.limits, opts.allowMassDeletion));
    report.durations_ms.plan = opts.now() - planStart;
  } catch (err) {
    ioFailure(report, err);
    return finish();
  }

  report.files = changeSet.changes.map((change, i) => fileReport(change, rules.paths[i]!, planned[i]!));
  report.totals.files = report.files.length;
  for (const file of report.files) {
    report.totals.lines_added += file.lines_added;
    report.totals.lines_removed += file.lines_removed;
  }
  const touched = rules.paths.flatMap((p) => (p.oldPath === undefined ? [p.path] : [p.path, p.oldPath]));
  report.risk_level = assessRisk(touched, report.totals.lines_added + report.totals.lines_removed);

  if (report.violations.length > 0) report.outcome = 'rejected';
  else if (report.files.some((f) => f.status === 'conflict')) report.outcome = 'conflict';
  else if (report.files.every((f) => f.status === 'already_applied')) report.outcome = 'already_applied';
  else if (mode === 'check') report.outcome = 'passed';
  else write(report, planned, opts, root);
  return finish();
}

function write(report: ApplyReport, planned: (PlannedChange | null)[], opts: ResolvedOptions, root: string): void {
  const writeStart = opts.now();
  const steps: Step[] = planned.flatMap((p) => (p?.status === 'pending' ? p.steps : []));
  const result = new WriteTransaction(opts.fs, root).run(steps);
  const pendingBecomes = result.ok ? 'applied' : 'rolled_back';
  for (const file of report.files) if (file.status === 'pending') file.status = pendingBecomes;
  if (result.ok) {
    report.outcome = 'applied';
  } else {
    report.outcome = 'failed';
    report.rollback = result.rollback;
    report.error = { code: 'io_error', message: result.error, line: null };
  }
  report.durations_ms.write = opts.now() - writeStart;
}
