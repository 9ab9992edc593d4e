import type { ValidationIssue } from '@autopack/contracts';

/** Deepest JSON nesting a request may have (SPEC §3: a documented bound; see docs/api.md). */
export const MAX_JSON_DEPTH = 64;

const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;

function textProblem(text: string): string | undefined {
  if (text.includes('\u0000')) return 'contains a NUL character (\\u0000), which cannot be stored; remove it';
  if (LONE_SURROGATE.test(text)) return 'contains a lone UTF-16 surrogate (not valid Unicode); send well-formed text';
  return undefined;
}

/**
 * Text PostgreSQL cannot store (NUL, lone surrogates) and nesting beyond MAX_JSON_DEPTH, anywhere in
 * a parsed body or query, keys included: refused before any schema or database sees it, so free-form
 * fields (a predecessor scope's unknown keys, probe results) can never turn into a 500. Iterative,
 * so a deeply nested body cannot overflow the stack.
 */
export function unstorableParts(value: unknown, location: string): ValidationIssue[] {
  const issues: ValidationIssue[] = [];
  const stack: { value: unknown; path: string; depth: number }[] = [{ value, path: location, depth: 0 }];
  while (stack.length > 0 && issues.length < 20) {
    const { value: v, path, depth } = stack.pop()!;
    if (typeof v === 'string') {
      const problem = textProblem(v);
      if (problem) issues.push({ path, message: problem });
    } else if (v !== null && typeof v === 'object') {
      if (depth >= MAX_JSON_DEPTH) {
        issues.push({ path, message: `nested deeper than ${MAX_JSON_DEPTH} levels; flatten it` });
        continue;
      }
      for (const [key, child] of Object.entries(v)) {
        const childPath = `${path}.${key}`;
        const keyProblem = textProblem(key);
        if (keyProblem) issues.push({ path: childPath, message: `field name ${keyProblem}` });
        else stack.push({ value: child, path: childPath, depth: depth + 1 });
      }
    }
  }
  return issues;
}
