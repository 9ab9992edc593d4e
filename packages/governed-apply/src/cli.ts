#!/usr/bin/env node
// Operator and debugging entry point: `governed-apply check <patch> --repo <dir>` prints the report.
// Exit codes: 0 ok, 1 violations or conflicts, 2 error (usage, unreadable or malformed patch, I/O).
import * as fs from 'node:fs';
import { parseArgs } from 'node:util';
import type { ApplyReport } from '@autopack/contracts';
import { applyPatch, checkPatch, type PatchInput } from './governed-apply';
import { MAX_FUZZ, type GovernedApplyOptions } from './options';

export const USAGE = `usage: governed-apply <check|apply> <patch-file|-> --repo <dir> [options]

  --scope <glob>            phase scope (repeatable); none = whole repository minus protected paths
  --grant <path>            path granted by an approval, matched literally (repeatable)
  --protect <glob>          extra protected path (repeatable)
  --format <auto|diff|operations>
                            input kind; auto: a JSON array is operations, anything else a diff
  --allow-symlinks, --allow-binary, --allow-mass-deletion
  --max-files <n>, --max-patch-bytes <n>, --max-file-bytes <n>
  --fuzz <n>                context lines a hunk may drop (default 0, at most ${MAX_FUZZ})
  --ignore-whitespace       locate hunks ignoring whitespace

Prints the apply report as JSON. Exit status: 0 ok, 1 violations or conflicts, 2 error.`;

export interface CliIo {
  stdout: (text: string) => void;
  stderr: (text: string) => void;
  readInput: (file: string) => Buffer;
}

const defaultIo: CliIo = {
  stdout: (text) => process.stdout.write(text),
  stderr: (text) => process.stderr.write(text),
  readInput: (file) => fs.readFileSync(file === '-' ? 0 : file),
};

const OK: ReadonlySet<ApplyReport['outcome']> = new Set(['passed', 'applied', 'already_applied', 'empty']);
const REFUSED: ReadonlySet<ApplyReport['outcome']> = new Set(['rejected', 'conflict']);

export function exitCodeFor(report: ApplyReport): 0 | 1 | 2 {
  if (OK.has(report.outcome)) return 0;
  return REFUSED.has(report.outcome) ? 1 : 2;
}

function positiveInt(name: string, value: string | undefined): number | undefined {
  if (value === undefined) return undefined;
  if (!/^\d+$/.test(value)) throw new Error(`--${name} takes a whole number`);
  return Number(value);
}

export function runCli(argv: readonly string[], io: CliIo = defaultIo): 0 | 1 | 2 {
  let parsed;
  try {
    parsed = parseArgs({
      args: [...argv],
      allowPositionals: true,
      options: {
        repo: { type: 'string' },
        scope: { type: 'string', multiple: true },
        grant: { type: 'string', multiple: true },
        protect: { type: 'string', multiple: true },
        format: { type: 'string' },
        'allow-symlinks': { type: 'boolean' },
        'allow-binary': { type: 'boolean' },
        'allow-mass-deletion': { type: 'boolean' },
        'max-files': { type: 'string' },
        'max-patch-bytes': { type: 'string' },
        'max-file-bytes': { type: 'string' },
        fuzz: { type: 'string' },
        'ignore-whitespace': { type: 'boolean' },
        help: { type: 'boolean', short: 'h' },
      },
    });
  } catch (err) {
    io.stderr(`${err instanceof Error ? err.message : String(err)}\n${USAGE}\n`);
    return 2;
  }
  const { values, positionals } = parsed;
  if (values.help) {
    io.stdout(`${USAGE}\n`);
    return 0;
  }
  const [command, patchFile, ...extra] = positionals;
  if ((command !== 'check' && command !== 'apply') || patchFile === undefined || extra.length > 0 || values.repo === undefined) {
    io.stderr(`${USAGE}\n`);
    return 2;
  }
  const format = values.format ?? 'auto';
  if (format !== 'auto' && format !== 'diff' && format !== 'operations') {
    io.stderr(`--format must be auto, diff or operations\n`);
    return 2;
  }

  let input: PatchInput;
  let options: GovernedApplyOptions;
  try {
    const bytes = io.readInput(patchFile);
    const looksLikeJson = /^\s*\[/.test(bytes.subarray(0, 64).toString('latin1'));
    input = format === 'operations' || (format === 'auto' && looksLikeJson) ? { operations: bytes.toString('utf8') } : { diff: bytes };
    options = {
      repo: values.repo,
      scope: values.scope ?? [],
      grants: values.grant ?? [],
      protectedPaths: values.protect ?? [],
      allowSymlinks: values['allow-symlinks'] ?? false,
      allowBinary: values['allow-binary'] ?? false,
      allowMassDeletion: values['allow-mass-deletion'] ?? false,
      limits: {
        maxFiles: positiveInt('max-files', values['max-files']),
        maxPatchBytes: positiveInt('max-patch-bytes', values['max-patch-bytes']),
        maxFileBytes: positiveInt('max-file-bytes', values['max-file-bytes']),
      },
      fuzz: positiveInt('fuzz', values.fuzz) ?? 0,
      ignoreWhitespace: values['ignore-whitespace'] ?? false,
    };
  } catch (err) {
    io.stderr(`${err instanceof Error ? err.message : String(err)}\n`);
    return 2;
  }

  const report = command === 'check' ? checkPatch(input, options) : applyPatch(input, options);
  io.stdout(`${JSON.stringify(report, null, 2)}\n`);
  return exitCodeFor(report);
}

if (require.main === module) {
  process.exitCode = runCli(process.argv.slice(2));
}
