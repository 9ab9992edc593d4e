import { z } from 'zod';
import { Count, Identifier, queryInteger, Timestamp } from './common';

export const ARTIFACT_KINDS = ['patch', 'apply_report', 'test_report', 'log', 'other'] as const;
export const ArtifactKind = z.enum(ARTIFACT_KINDS);
export type ArtifactKind = z.infer<typeof ArtifactKind>;

export const ARTIFACT_PATH_MAX = 512;
const SEGMENT = /^[A-Za-z0-9._+=@-]+$/;

/**
 * Why `path` is not an acceptable artifact path, or null. Paths are relative, '/'-separated, made of
 * plain segments: no traversal, no absolute or drive-letter paths, no backslashes, and no '%' at all
 * (a path has been percent-decoded once on its way in; a '%' left means it was encoded twice).
 */
export function artifactPathProblem(path: string): string | null {
  if (path.length === 0 || path.length > ARTIFACT_PATH_MAX) return `must be 1 to ${ARTIFACT_PATH_MAX} characters`;
  // eslint-disable-next-line no-control-regex -- control characters are exactly what is refused here
  if (/[\u0000-\u001f\u007f-\u009f]/.test(path)) return 'must not contain control characters';
  if (path.includes('\\')) return 'must use "/" as separator, never a backslash';
  if (path.includes('%')) return 'must not contain "%" (percent-encoded, or encoded twice)';
  if (path.startsWith('/')) return 'must be relative, not absolute';
  if (/^[A-Za-z]:/.test(path)) return 'must not start with a drive letter';
  const segments = path.split('/');
  if (segments.some((s) => s === '.' || s === '..')) return 'must not contain "." or ".." segments';
  if (segments.some((s) => s === '')) return 'must not contain empty segments ("//" or a trailing "/")';
  if (segments.length > 16) return 'must be at most 16 segments deep';
  if (!segments.every((s) => SEGMENT.test(s))) return 'segments may only contain letters, digits and . _ - + = @';
  return null;
}

export const ArtifactPath = z
  .string()
  .superRefine((path, ctx) => {
    const problem = artifactPathProblem(path);
    if (problem) ctx.addIssue({ code: 'custom', message: problem });
  })
  .describe('Relative path of plain segments ([A-Za-z0-9._+=@-]), "/"-separated; no traversal or encoding');

/** `POST /runs/{run_id}/phases/{phase_id}/artifacts` */
export const UploadArtifactRequest = z.strictObject({
  kind: ArtifactKind,
  path: ArtifactPath.describe('Name within the attempt; stored as <phase_id>/<attempt>/<path>'),
  content: z.string().describe('The bytes, as UTF-8 text or base64 (see encoding)'),
  encoding: z.enum(['utf8', 'base64']).default('utf8'),
  media_type: z
    .string()
    .regex(/^[a-z0-9][a-z0-9!#$&^_.+-]*\/[a-z0-9][a-z0-9!#$&^_.+-]*$/, { message: 'must be a media type like text/plain' })
    .max(127)
    .optional(),
});
export type UploadArtifactRequest = z.infer<typeof UploadArtifactRequest>;

export const Artifact = z.strictObject({
  artifact_id: Count,
  run_id: Identifier,
  phase_id: Identifier,
  attempt: Count,
  kind: ArtifactKind,
  path: z.string().describe('<phase_id>/<attempt>/<name>: the path to fetch it by'),
  media_type: z.string(),
  size_bytes: Count,
  sha256: z.string().regex(/^[0-9a-f]{64}$/),
  redacted: z.boolean().describe('Secrets were masked before storing (logs only)'),
  created_at: Timestamp,
});
export type Artifact = z.infer<typeof Artifact>;

export const UploadArtifactResponse = z.strictObject({
  artifact: Artifact,
  created: z.boolean().describe('false when the same path already held exactly these bytes'),
});
export type UploadArtifactResponse = z.infer<typeof UploadArtifactResponse>;

// prefault, not default: zod leaves the default of a preprocessed schema out of the OpenAPI document.
export const ArtifactIndexQuery = z.strictObject({
  after: queryInteger(0, Number.MAX_SAFE_INTEGER).prefault(0).describe('Return artifacts with artifact_id greater than this'),
  limit: queryInteger(1, 500).prefault(100),
});
export type ArtifactIndexQuery = z.infer<typeof ArtifactIndexQuery>;

export const ArtifactIndex = z.strictObject({
  artifacts: z.array(Artifact).describe('Oldest first (artifact_id)'),
  next_after: Count.nullable(),
});
export type ArtifactIndex = z.infer<typeof ArtifactIndex>;

export const ArtifactFileQuery = z
  .strictObject({
    path: ArtifactPath.optional(),
    artifact_id: queryInteger(1, Number.MAX_SAFE_INTEGER).optional(),
  })
  .superRefine((q, ctx) => {
    if ((q.path === undefined) === (q.artifact_id === undefined)) {
      ctx.addIssue({ code: 'custom', path: [], message: 'give exactly one of "path" or "artifact_id"' });
    }
  });
export type ArtifactFileQuery = z.infer<typeof ArtifactFileQuery>;
