import { readFile, stat } from 'node:fs/promises';
import { join } from 'node:path';
import type { PhaseScope } from '@autopack/contracts';
import { compileGlobs } from '@autopack/governed-apply';
import { git } from '../workspace/git';
import type { ContextFile } from './context-files';

/** SPEC §5 step 3. */
export const CONTEXT_LIMITS = { maxFiles: 40, maxCharsPerFile: 15_000, maxTotalChars: 200_000 } as const;
export type ContextLimits = { maxFiles: number; maxCharsPerFile: number; maxTotalChars: number };

const MAX_FILE_BYTES = 1024 * 1024;

/** read_only_context entries are paths or the predecessor's `{path, reason}`. */
export const readOnlyPaths = (scope: PhaseScope): string[] => scope.read_only_context.map((e) => (typeof e === 'string' ? e : e.path));

/**
 * The files a builder sees: those in the phase's scope, then its read-only context, each tracked by
 * git, text only, cut at the per-file limit, until the file count or total budget runs out. Glob
 * semantics are governed apply's, so what a builder is shown matches what it may change.
 */
export async function collectContext(worktree: string, scope: PhaseScope, limits: ContextLimits = CONTEXT_LIMITS): Promise<ContextFile[]> {
  const tracked = (await git(['ls-files', '-z'], worktree)).split('\0').filter(Boolean).sort();
  const inScope = scope.paths.length > 0 ? tracked.filter(compileGlobs(scope.paths, { nocase: false })) : [];
  const readOnlyGlobs = readOnlyPaths(scope);
  const readOnlyMatch = readOnlyGlobs.length > 0 ? compileGlobs(readOnlyGlobs, { nocase: false }) : () => false;
  const readOnly = tracked.filter((f) => readOnlyMatch(f) && !inScope.includes(f));
  const out: ContextFile[] = [];
  let total = 0;
  for (const [path, isReadOnly] of [...inScope.map((p) => [p, false] as const), ...readOnly.map((p) => [p, true] as const)]) {
    if (out.length >= limits.maxFiles || total >= limits.maxTotalChars) break;
    const full = join(worktree, path);
    const info = await stat(full).catch(() => undefined);
    if (!info?.isFile() || info.size > MAX_FILE_BYTES) continue;
    const bytes = await readFile(full);
    if (bytes.includes(0)) continue;
    const text = bytes.toString('utf8');
    const room = Math.min(limits.maxCharsPerFile, limits.maxTotalChars - total);
    const content = text.length > room ? text.slice(0, room) : text;
    out.push({ path, content, truncated: content.length < text.length, readOnly: isReadOnly });
    total += content.length;
  }
  return out;
}
