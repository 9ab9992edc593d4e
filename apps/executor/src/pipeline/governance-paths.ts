import type { ApplyViolation } from '@autopack/contracts';

/**
 * What a governance request names: each file that changes, and the protected name it is reached by
 * when that is another one (`ci/workflows/x.yml` behind `.github -> ci`), so the server rates the
 * risk of CI config rather than of a plain `ci/` file. Granting the changed path is what lifts it.
 */
export function governancePaths(violations: readonly ApplyViolation[]): string[] {
  return [...new Set(violations.flatMap((v) => (v.protected_as ? [v.path, v.protected_as] : [v.path])))];
}
