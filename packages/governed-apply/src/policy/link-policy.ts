import type { ApplyViolation } from '@autopack/contracts';
import type { ResolvedOptions } from '../options';
import { isGitDirName } from './path-rules';
import type { ParentChain } from './symlink-resolution';

export type LinkRules = Pick<ResolvedOptions, 'isProtected' | 'protectsBelow' | 'isGranted'>;

export type Problem = Pick<ApplyViolation, 'code' | 'detail' | 'protected_as'>;

/** Is `rel` (a real location, not a name through a link) protected, or does it hold protected paths? */
function guarded(rel: string, rules: LinkRules): boolean {
  return rel !== '' && (rules.isProtected(rel) || rules.protectsBelow(rel)) && !rules.isGranted(rel);
}

/**
 * What is wrong with a symlink holding `target` that resolves to `resolved`: leaving the
 * repository, leading into .git, or being a second name for protected files (a write through it
 * would change them). Null when nothing is.
 */
export function linkTargetProblem(target: string, resolved: string[] | 'outside', rules: LinkRules): Problem | null {
  if (resolved === 'outside' || target === '') return { code: 'symlink_escape', detail: `symlink points outside the repository ("${target}")` };
  if (resolved.some(isGitDirName)) return { code: 'git_directory', detail: `symlink points into .git ("${target}")` };
  const rel = resolved.join('/');
  if (guarded(rel, rules)) return { code: 'protected_path', detail: `symlink leads to the protected "${rel}"` };
  return null;
}

/**
 * A symlink at `rel` would give protected paths below it new contents (`.github -> ci`). A place that
 * is protected itself is already reported by the path rules.
 */
export function linkPlaceProblem(rel: string, rules: LinkRules): Problem | null {
  if (rules.isProtected(rel) || !rules.protectsBelow(rel) || rules.isGranted(rel)) return null;
  return { code: 'protected_path', detail: 'a symlink here would turn another directory into a protected location' };
}

/** Problems of an entry whose parent chain is `chain`: a symlinked parent, and where it really leads. */
export function parentChainProblems(chain: ParentChain, rules: LinkRules): Problem[] {
  if (chain.through === 'outside') return [{ code: 'symlink_escape', detail: 'a parent directory is a symlink that leads outside the repository' }];
  if (chain.through === 'none') return [];
  const problems: Problem[] = [{ code: 'beyond_symlink', detail: 'a parent directory is a symlink' }];
  if (chain.resolved.split('/').some(isGitDirName)) problems.push({ code: 'git_directory', detail: `through a symlink, this is "${chain.resolved}"` });
  else if (rules.isProtected(chain.resolved) && !rules.isGranted(chain.resolved)) problems.push({ code: 'protected_path', detail: `through a symlink, this is the protected "${chain.resolved}"` });
  return problems;
}

const RANK = { none: 0, inside: 1, outside: 2 } as const;

/** The more dangerous of two parent chains of one path (in the planned tree and on disk). */
export function worseChain(a: ParentChain, b: ParentChain): ParentChain {
  return RANK[b.through] > RANK[a.through] ? b : a;
}
