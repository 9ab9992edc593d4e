import type { ApplyViolationCode } from '@autopack/contracts';

export interface PathProblem {
  code: ApplyViolationCode;
  detail: string;
}

export interface PathExamination {
  /** `\` → `/`, `./` and empty segments removed; what every later check and the writer use. */
  normalized: string;
  problems: PathProblem[];
  /**
   * Other spellings a tool or filesystem might turn this path into (percent-decoded, NFKC-folded with
   * ignorable characters dropped). Protected-path checks look at these too.
   */
  variants: { code: 'encoded_path' | 'confusable_path'; path: string }[];
}

const MAX_SEGMENT_BYTES = 255;
const MAX_PATH_BYTES = 4096;

// C0 controls, DEL and C1 controls: NUL truncates names in C, newlines split tool output, ESC paints
// terminals, CR hides the rest of a line.
const isControl = (cp: number) => cp < 0x20 || (cp >= 0x7f && cp <= 0x9f);
// Characters HFS+ ignores in names, zero-width and bidi controls: `.git\u200c` is `.git` on a Mac,
// and bidi overrides make a name read differently than it is. (Code point ranges rather than a
// regex class: several of them are combining marks.)
const IGNORABLE_RANGES: readonly [number, number][] = [
  [0x00ad, 0x00ad],
  [0x034f, 0x034f],
  [0x115f, 0x1160],
  [0x17b4, 0x17b5],
  [0x180b, 0x180f],
  [0x200b, 0x200f],
  [0x202a, 0x202e],
  [0x2060, 0x206f],
  [0x3164, 0x3164],
  [0xfe00, 0xfe0f],
  [0xfeff, 0xfeff],
  [0xffa0, 0xffa0],
];
const isIgnorable = (cp: number) => IGNORABLE_RANGES.some(([from, to]) => cp >= from && cp <= to);
const codePoints = (s: string) => [...s].map((c) => c.codePointAt(0)!);
const hasControl = (s: string) => codePoints(s).some(isControl);
const dropIgnorable = (s: string) => [...s].filter((c) => !isIgnorable(c.codePointAt(0)!)).join('');
// Dots that are not U+002E but look like one (or fold to one under NFKC).
const DOT_LIKE = /[\u2024\u2025\u2026\u2e31\u3002\ufe52\uff0e\uff61\u0701\u0702\u00b7\u2219\u22c5]/;

/** `.git` in any case, with NTFS's trailing dots/spaces, or its 8.3 short name `GIT~1`. */
export function isGitDirName(segment: string): boolean {
  const folded = segment.toLowerCase().replace(/[. ]+$/, '');
  return folded === '.git' || folded === 'git~1';
}

export function normalizePath(raw: string): string {
  return raw
    .replace(/\\/g, '/')
    .split('/')
    .filter((s) => s !== '' && s !== '.')
    .join('/');
}

/** Problems a path has by its spelling alone: leaving the tree, `.git`, controls. */
function structuralProblems(raw: string): PathProblem[] {
  const problems: PathProblem[] = [];
  const slashed = raw.replace(/\\/g, '/');
  if (slashed.startsWith('/')) problems.push({ code: 'absolute_path', detail: 'absolute paths are not allowed' });
  if (/^[A-Za-z]:/.test(slashed)) problems.push({ code: 'drive_letter', detail: 'drive-letter paths are not allowed' });
  const segments = slashed.split('/');
  if (segments.includes('..')) problems.push({ code: 'path_traversal', detail: '".." segments are not allowed' });
  if (segments.some(isGitDirName)) problems.push({ code: 'git_directory', detail: 'paths inside .git are not allowed' });
  if (hasControl(raw)) problems.push({ code: 'control_character', detail: 'control characters (NUL, newline, CR, ESC, …) are not allowed' });
  return problems;
}

function percentDecode(s: string): string {
  return s.replace(/%([0-9A-Fa-f]{2})/g, (_, hex: string) => String.fromCharCode(parseInt(hex, 16)));
}

/**
 * Everything that can be said about a repository path from its spelling (SPEC §6). Returns every
 * problem, not just the first.
 */
export function examinePath(raw: string): PathExamination {
  const normalized = normalizePath(raw);
  const problems = structuralProblems(raw);
  const variants: PathExamination['variants'] = [];
  if (normalized === '') problems.push({ code: 'invalid_path', detail: 'empty path' });
  if (/[\\/]$/.test(raw)) problems.push({ code: 'invalid_path', detail: 'path names a directory' });
  if (raw.includes('\ufffd')) problems.push({ code: 'invalid_path', detail: 'path is not valid UTF-8' });
  if (Buffer.byteLength(normalized, 'utf8') > MAX_PATH_BYTES) problems.push({ code: 'invalid_path', detail: `path longer than ${MAX_PATH_BYTES} bytes` });
  if (normalized.split('/').some((s) => Buffer.byteLength(s, 'utf8') > MAX_SEGMENT_BYTES)) {
    problems.push({ code: 'invalid_path', detail: `a path segment is longer than ${MAX_SEGMENT_BYTES} bytes` });
  }

  // Printable ASCII has no look-alikes, invisible characters or NFKC forms: skip those checks.
  const ascii = /^[\x20-\x7e]*$/.test(raw);

  // Percent-encoding, up to three layers deep (`%252e` is `%2e` is `.`).
  let decoded = raw;
  for (let round = 0; round < 3; round++) {
    const next = percentDecode(decoded);
    if (next === decoded) break;
    decoded = next;
  }
  if (decoded !== raw) {
    if (structuralProblems(decoded).length > 0) {
      problems.push({ code: 'encoded_path', detail: `percent-decodes to "${decoded}"` });
    }
    variants.push({ code: 'encoded_path', path: normalizePath(decoded) });
  }

  if (ascii) return { normalized, problems, variants };
  const ignorable = codePoints(raw).filter(isIgnorable);
  if (ignorable.length > 0) {
    const codes = [...new Set(ignorable)].map((cp) => `U+${cp.toString(16).toUpperCase().padStart(4, '0')}`);
    problems.push({ code: 'confusable_path', detail: `invisible or bidi characters (${codes.join(', ')})` });
  }
  if (raw.split(/[\\/]/).some((s) => DOT_LIKE.test(s) && /^[.\s]*$/.test(s.replace(new RegExp(DOT_LIKE.source, 'g'), '.')))) {
    problems.push({ code: 'confusable_path', detail: 'a segment made of look-alike dots' });
  }
  const folded = dropIgnorable(raw).normalize('NFKC');
  if (folded !== raw) {
    const extra = structuralProblems(folded).filter((p) => !problems.some((q) => q.code === p.code));
    if (extra.length > 0 && !problems.some((p) => p.code === 'confusable_path')) {
      problems.push({ code: 'confusable_path', detail: `reads as "${normalizePath(folded)}" after Unicode folding` });
    }
    variants.push({ code: 'confusable_path', path: normalizePath(folded) });
  }
  return { normalized, problems, variants };
}
