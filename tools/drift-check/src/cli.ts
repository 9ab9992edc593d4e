#!/usr/bin/env node
import { resolve } from 'node:path';
import { checkRepository, formatViolation, RULES } from './index';

const root = resolve(process.argv[2] ?? process.cwd());
const violations = checkRepository(root);
if (violations.length === 0) {
  console.log(`drift-check: ${RULES.length} rules, no violations`);
} else {
  for (const v of violations) console.error(formatViolation(v));
  console.error(`drift-check: ${violations.length} violation(s)`);
  process.exitCode = 1;
}
