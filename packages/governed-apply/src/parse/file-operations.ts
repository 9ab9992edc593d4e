import type { ChangeSet, FileChange } from '../change-set';
import { jsonErrorPosition } from './json-error-position';
import { PatchParseError } from './parse-error';

/** What LLM builders return instead of a diff: whole files. */
export interface FileOperation {
  path: string;
  mode: 'create' | 'modify' | 'delete';
  /** The complete new content (UTF-8 text); required for create and modify, not allowed for delete. */
  content?: string;
}

const FIELDS = new Set(['path', 'mode', 'content']);

/** 1-based line of a character offset in `text`. */
function lineAt(text: string, offset: number): number {
  let line = 1;
  for (let k = 0; k < offset && k < text.length; k++) if (text.charCodeAt(k) === 10) line++;
  return line;
}

function parseJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch (err) {
    const message = err instanceof Error ? err.message : String(err);
    throw new PatchParseError(`not valid JSON: ${message}`, lineAt(text, jsonErrorPosition(text)));
  }
}

/**
 * Validates `[{path, mode, content}]` (an array, or its JSON text) into a change set. Errors name the
 * element (`operations[2].mode`); for JSON text the line is the element's position when known.
 */
export function parseFileOperations(input: unknown): ChangeSet {
  const text = typeof input === 'string' ? input : undefined;
  const value = text === undefined ? input : parseJson(text);
  if (!Array.isArray(value)) throw new PatchParseError('file operations must be an array of {path, mode, content}', text === undefined ? null : 1);
  const changes: FileChange[] = [];
  let bytes = 0;
  value.forEach((op: unknown, index) => {
    const where = `operations[${index}]`;
    const fail = (message: string): never => {
      throw new PatchParseError(`${where}: ${message}`, text === undefined ? null : lineOfElement(text, index));
    };
    if (typeof op !== 'object' || op === null || Array.isArray(op)) return fail('must be an object');
    const record = op as Record<string, unknown>;
    for (const key of Object.keys(record)) if (!FIELDS.has(key)) fail(`unknown field "${key}"`);
    const { path, mode, content } = record;
    if (typeof path !== 'string' || path === '') return fail('"path" must be a non-empty string');
    if (mode !== 'create' && mode !== 'modify' && mode !== 'delete') return fail('"mode" must be "create", "modify" or "delete"');
    if (mode === 'delete' && content !== undefined) fail('"content" is not allowed with mode "delete"');
    if (mode !== 'delete' && typeof content !== 'string') fail(`"content" (a string) is required with mode "${mode}"`);
    const change: FileChange = { op: mode, path, hunks: [], binary: false, line: index + 1 };
    if (typeof content === 'string') {
      // Contents are text: UTF-8 bytes, held as a byte string like every other content.
      change.content = Buffer.from(content, 'utf8').toString('latin1');
      bytes += change.content.length;
    }
    bytes += Buffer.byteLength(path, 'utf8');
    changes.push(change);
  });
  return { kind: 'operations', changes, bytes: text === undefined ? bytes : Buffer.byteLength(text, 'utf8') };
}

/** Best effort: the line on which the index-th top-level element of a JSON array starts. */
function lineOfElement(text: string, index: number): number | null {
  let depth = 0;
  let element = -1;
  let expecting = false;
  let inString = false;
  for (let k = 0; k < text.length; k++) {
    const c = text[k]!;
    if (inString) {
      if (c === '\\') k++;
      else if (c === '"') inString = false;
      continue;
    }
    if (depth === 1 && expecting && !/\s/.test(c)) {
      expecting = false;
      if (++element === index) return lineAt(text, k);
    }
    if (c === '"') inString = true;
    else if (c === '[' || c === '{') depth++;
    else if (c === ']' || c === '}') depth--;
    if (depth === 1 && (c === '[' || c === ',')) expecting = true;
  }
  return null;
}
