import { nodeFsLayer, type FsLayer } from './apply/fs-layer';
import { compileGlobAncestors, compileGlobs, type GlobMatcher } from './policy/globs';
import { compileGrants } from './policy/grants';
import { CI_AND_HOOK_PATHS, ENV_FILE_PATHS } from './policy/sensitive-paths';

export interface ApplyLimits {
  /** Files in one change set. */
  maxFiles: number;
  /** Size of the patch (or of the operations' paths and contents) in bytes. */
  maxPatchBytes: number;
  /** A resulting file larger than this is refused, unless it was already that large before. */
  maxFileBytes: number;
  /** A file losing more than this share of its lines (and ≥ massDeletionMinLines lines) is a mass deletion. */
  maxDeletionRatioPerFile: number;
  /** Removed lines / lines of all touched files before the change, above which the change is a mass deletion. */
  maxDeletionRatioTotal: number;
  /** Deletions smaller than this many lines never count as mass deletion. */
  massDeletionMinLines: number;
}

export const DEFAULT_LIMITS: Readonly<ApplyLimits> = Object.freeze({
  maxFiles: 200,
  maxPatchBytes: 2 * 1024 * 1024,
  maxFileBytes: 1024 * 1024,
  maxDeletionRatioPerFile: 0.8,
  maxDeletionRatioTotal: 0.5,
  massDeletionMinLines: 50,
});

/**
 * Most context lines `fuzz` may drop. Each level is one more search of the file; past a few lines a
 * hunk no longer says where it belongs (GNU patch defaults to 2).
 */
export const MAX_FUZZ = 10;

/**
 * Protected unless granted. `.git` is also refused by the path rules at any depth and in any case;
 * `.env` files are protected at any depth. Matching is case-insensitive (see README).
 */
export const DEFAULT_PROTECTED_PATHS: readonly string[] = Object.freeze(['.git/**', '.autopack/**', ...ENV_FILE_PATHS, ...CI_AND_HOOK_PATHS]);

export interface GovernedApplyOptions {
  /** Repository root (the working tree). */
  repo: string;
  /** Phase `scope.paths` globs; empty or absent = the whole repository minus protected paths. */
  scope?: readonly string[];
  /** Paths an approval granted, matched literally (not globs): allowed even when protected or outside the scope. */
  grants?: readonly string[];
  /** Added to DEFAULT_PROTECTED_PATHS. */
  protectedPaths?: readonly string[];
  /** Allow creating or changing symlinks (mode 120000); they must still point inside the repository. */
  allowSymlinks?: boolean;
  allowBinary?: boolean;
  allowMassDeletion?: boolean;
  limits?: Partial<ApplyLimits>;
  /** Context lines a hunk may drop at each end to find its place (0 = exact, the default; at most MAX_FUZZ). */
  fuzz?: number;
  /** Compare lines ignoring whitespace differences when locating hunks (off by default). */
  ignoreWhitespace?: boolean;
  /** Override the filesystem case-sensitivity probe. */
  caseInsensitive?: boolean;
  /** Filesystem calls (tests inject failures here). */
  fs?: FsLayer;
  /** Monotonic milliseconds for the report's durations. */
  now?: () => number;
}

export interface ResolvedOptions {
  repo: string;
  limits: ApplyLimits;
  isProtected: GlobMatcher;
  /** A directory a symlink may not replace: its name is part of what makes a path below it protected. */
  protectsBelow: GlobMatcher;
  inScope: GlobMatcher;
  hasScope: boolean;
  isGranted: GlobMatcher;
  allowSymlinks: boolean;
  allowBinary: boolean;
  allowMassDeletion: boolean;
  fuzz: number;
  ignoreWhitespace: boolean;
  caseInsensitive: boolean | undefined;
  fs: FsLayer;
  now: () => number;
}

export class InvalidOptionsError extends Error {
  override readonly name = 'InvalidOptionsError';
}

export function resolveOptions(options: GovernedApplyOptions): ResolvedOptions {
  if (typeof options.repo !== 'string' || options.repo === '') throw new InvalidOptionsError('"repo" is required');
  const given = Object.entries(options.limits ?? {}).filter(([, value]) => value !== undefined);
  const limits: ApplyLimits = { ...DEFAULT_LIMITS, ...Object.fromEntries(given) };
  for (const [name, value] of Object.entries(limits)) {
    if (typeof value !== 'number' || !(value >= 0)) throw new InvalidOptionsError(`limit "${name}" must be a non-negative number`);
  }
  const fuzz = options.fuzz ?? 0;
  if (!Number.isInteger(fuzz) || fuzz < 0 || fuzz > MAX_FUZZ) throw new InvalidOptionsError(`"fuzz" must be a whole number from 0 to ${MAX_FUZZ}`);
  const scope = options.scope ?? [];
  const protectedPaths = [...DEFAULT_PROTECTED_PATHS, ...(options.protectedPaths ?? [])];
  return {
    repo: options.repo,
    limits,
    // Protected matching ignores case: `.ENV` and `.GitHub/workflows` are the same files on a
    // case-insensitive filesystem, and refusing them elsewhere costs nothing.
    isProtected: compileGlobs(protectedPaths, { nocase: true }),
    protectsBelow: compileGlobAncestors(protectedPaths, { nocase: true }),
    inScope: compileGlobs(scope, { nocase: false }),
    hasScope: scope.length > 0,
    isGranted: compileGrants(options.grants ?? []),
    allowSymlinks: options.allowSymlinks ?? false,
    allowBinary: options.allowBinary ?? false,
    allowMassDeletion: options.allowMassDeletion ?? false,
    fuzz,
    ignoreWhitespace: options.ignoreWhitespace ?? false,
    caseInsensitive: options.caseInsensitive,
    fs: options.fs ?? nodeFsLayer,
    now: options.now ?? (() => performance.now()),
  };
}
