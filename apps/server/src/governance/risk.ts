import type { ApplyRiskLevel } from '@autopack/contracts';
import { assessRisk, examinePath, isLiteralPath } from '@autopack/governed-apply';
import { validationError } from '../http/app-error';

export interface GovernanceRating {
  /** The requested paths, normalised as governed apply will read them. */
  paths: string[];
  risk: ApplyRiskLevel;
  autoApprove: boolean;
}

/**
 * SPEC §4.7: the server, not the executor, rates a governance request, with governed apply's pure
 * policy functions. Paths that leave the repository by their spelling are refused outright (400).
 * Encoded and look-alike spellings count with the path they stand for, so `tests%2f..%2f.env`
 * cannot pass as a test file. Only low risk (tests and docs only, at most 100 changed lines, never
 * .git, .env* or CI config) is approved at once, and never on a safety-critical run.
 *
 * Requested paths are literal names, whatever characters they hold (grants match them exactly). One
 * that a glob reader would take for a pattern (`docs/*.md`, `!docs/a.md`, `docs/[.]env`) is rated
 * critical: its spelling says nothing certain to a reader, so a person decides, whatever it looks like.
 */
export function rateGovernanceRequest(
  requested: readonly string[],
  changedLines: number,
  safetyProfile: 'normal' | 'safety_critical',
): GovernanceRating {
  const issues: { path: string; message: string }[] = [];
  const paths: string[] = [];
  const rated: string[] = [];
  requested.forEach((raw, i) => {
    const exam = examinePath(raw);
    for (const problem of exam.problems) issues.push({ path: `body.requested_paths.${i}`, message: `${problem.code}: ${problem.detail}` });
    paths.push(exam.normalized);
    rated.push(exam.normalized, ...exam.variants.map((v) => v.path));
  });
  if (issues.length > 0) throw validationError(issues);
  // Decoded and folded spellings too: `docs/%2a.md` is `docs/*.md` to a tool that decodes.
  const patternLike = [...requested, ...rated].some((p) => !isLiteralPath(p));
  const risk = patternLike ? 'critical' : assessRisk(rated, changedLines);
  return { paths: [...new Set(paths)], risk, autoApprove: risk === 'low' && safetyProfile === 'normal' };
}
