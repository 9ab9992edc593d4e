import { RULES, type Violation } from './rules';
import { trackedFiles } from './tracked-files';

export * from './rules';
export { trackedFiles } from './tracked-files';

/** Runs every rule on the repository at `root` (a git work tree). */
export function checkRepository(root: string): Violation[] {
  const repo = { root, files: trackedFiles(root) };
  return RULES.flatMap((rule) => rule.check(repo));
}

export function formatViolation(v: Violation): string {
  return `${v.file}${v.line ? `:${v.line}` : ''}  [${v.rule}] ${v.message}`;
}
