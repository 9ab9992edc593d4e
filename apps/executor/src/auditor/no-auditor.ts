import type { Auditor } from './auditor';

/** Auditor `none`: every change is approved without review. */
export const noAuditor: Auditor = {
  audit: () =>
    Promise.resolve({
      ok: true,
      verdict: {
        recommendation: 'approve',
        confidence: 'high',
        review_notes: 'auditing disabled',
        issues_found: [],
        suggested_patches: [],
        tokens_used: 0,
      },
      usage: [],
    }),
};
