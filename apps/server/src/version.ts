import { readFileSync } from 'node:fs';
import { join } from 'node:path';

/** From apps/server/package.json, found the same way from src/ (tests) and dist/ (node). */
export const SERVER_VERSION: string = (
  JSON.parse(readFileSync(join(__dirname, '..', 'package.json'), 'utf8')) as { version: string }
).version;
