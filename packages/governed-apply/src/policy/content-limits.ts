import type { ApplyViolation } from '@autopack/contracts';
import type { PlannedChange } from '../apply/plan';
import type { ApplyLimits } from '../options';
import type { ChangePaths } from './change-rules';

/**
 * Limits that need the files' contents, judged once the plan has read them: new or grown files over
 * the size limit, and mass deletion per file (a file losing most of its lines, the typical sign of a
 * builder that truncated a file) and in total (deleted lines / lines of all touched files).
 */
export function checkContentLimits(
  planned: readonly (PlannedChange | null)[],
  paths: readonly ChangePaths[],
  limits: ApplyLimits,
  allowMassDeletion: boolean,
): ApplyViolation[] {
  const violations: ApplyViolation[] = [];
  let removed = 0;
  let before = 0;
  planned.forEach((plan, index) => {
    if (!plan || plan.status !== 'pending') return;
    const path = paths[index]!.path;
    if (plan.newSize !== null && plan.newSize > limits.maxFileBytes && (plan.oldSize === null || plan.oldSize <= limits.maxFileBytes)) {
      violations.push({ code: 'file_too_large', path, detail: `${plan.newSize} bytes; the limit is ${limits.maxFileBytes}` });
    }
    removed += plan.linesRemoved;
    before += plan.oldLines;
    const fileRatio = plan.oldLines === 0 ? 0 : plan.linesRemoved / plan.oldLines;
    if (!allowMassDeletion && !plan.removesFile && plan.linesRemoved >= limits.massDeletionMinLines && fileRatio > limits.maxDeletionRatioPerFile) {
      violations.push({
        code: 'mass_deletion',
        path,
        detail: `removes ${plan.linesRemoved} of ${plan.oldLines} lines (more than ${Math.round(limits.maxDeletionRatioPerFile * 100)}%)`,
      });
    }
  });
  if (!allowMassDeletion && removed >= limits.massDeletionMinLines && before > 0 && removed / before > limits.maxDeletionRatioTotal) {
    violations.push({
      code: 'mass_deletion',
      path: '',
      detail: `removes ${removed} of ${before} lines in the touched files (more than ${Math.round(limits.maxDeletionRatioTotal * 100)}%)`,
    });
  }
  return violations;
}
