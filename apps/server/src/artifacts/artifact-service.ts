import { createHash } from 'node:crypto';
import { posix } from 'node:path';
import type { Artifact, ArtifactFileQuery, ArtifactIndex, ArtifactKind, ArtifactIndexQuery, UploadArtifactRequest, UploadArtifactResponse } from '@autopack/contracts';
import { findArtifact, insertArtifact, listArtifacts, type ArtifactMeta, type Db } from '@autopack/db';
import { redactText } from '@autopack/logging';
import type { Clock } from '../clock';
import type { ServerConfig } from '../config';
import { AppError, conflict, notFound, validationError } from '../http/app-error';
import { fencePhase, recordEvent, withLockedRun, type Fence } from '../kernel';
import { databaseStore, directoryStore, type ArtifactStore } from './artifact-store';
import { existingRun } from '../runs/existing-run';

const DEFAULT_MEDIA_TYPE: Record<ArtifactKind, string> = {
  patch: 'text/x-diff',
  apply_report: 'application/json',
  test_report: 'application/json',
  log: 'text/plain',
  other: 'application/octet-stream',
};

/** Served as themselves; anything else is served as application/octet-stream (never rendered as HTML). */
const SAFE_TO_SERVE = new Set(['text/plain', 'text/x-diff', 'application/json', 'application/xml', 'text/xml']);

/**
 * The standard alphabet with at most two '=' at the end. A single character class, no nested
 * quantifier: V8 keeps a backtrack entry per iteration of a group like `(?:[…]{4})*` and throws
 * RangeError past a few MB. The length is checked apart (a multiple of 4).
 */
const BASE64_CHARS = /^[A-Za-z0-9+/]*={0,2}$/;
const BASE64_HELP = 'use the standard alphabet (A-Z a-z 0-9 + /), "=" padding only at the end, and a length that is a multiple of 4';

export function toArtifact(row: ArtifactMeta): Artifact {
  return {
    artifact_id: Number(row.artifact_id),
    run_id: row.run_id,
    phase_id: row.phase_id,
    attempt: row.attempt,
    kind: row.kind,
    path: row.path,
    media_type: row.media_type,
    size_bytes: Number(row.size_bytes),
    sha256: row.sha256,
    redacted: row.redacted,
    created_at: row.created_at.toISOString(),
  };
}

export interface ArtifactService {
  upload(db: Db, target: { runId: string; phaseId: string; actor: string; fence: Fence }, body: UploadArtifactRequest): Promise<UploadArtifactResponse>;
  index(db: Db, runId: string, query: ArtifactIndexQuery): Promise<ArtifactIndex>;
  read(db: Db, runId: string, query: ArtifactFileQuery): Promise<{ artifact: Artifact; bytes: Buffer; serveAs: string }>;
}

/** Artifacts of SPEC §4.3/§8: per run, phase and attempt; size-capped, content-hashed, logs redacted. */
export function artifactService(config: ServerConfig['artifacts'], clock: Clock): ArtifactService {
  const stores: Record<ArtifactStore['kind'], ArtifactStore> = { database: databaseStore, directory: directoryStore(config.dir) };
  const store = stores[config.store];

  const tooLarge = (size: number) =>
    new AppError('payload_too_large', 413, `artifact is ${size} bytes; the limit is ${config.maxBytes} (AUTOPACK_ARTIFACT_MAX_BYTES)`);

  /** The bytes of the upload; the size cap comes first, so an oversize body is never decoded or scanned. */
  function decode(body: UploadArtifactRequest): Buffer {
    if (body.encoding === 'utf8') {
      const size = Buffer.byteLength(body.content, 'utf8');
      if (size > config.maxBytes) throw tooLarge(size);
      return Buffer.from(body.content, 'utf8');
    }
    const compact = body.content.replace(/\s+/g, '');
    const padding = compact.endsWith('==') ? 2 : compact.endsWith('=') ? 1 : 0;
    const size = Math.floor(compact.length / 4) * 3 - padding;
    if (size > config.maxBytes) throw tooLarge(size);
    if (compact.length % 4 !== 0 || !BASE64_CHARS.test(compact)) {
      throw validationError([{ path: 'body.content', message: `is not valid base64: ${BASE64_HELP}` }]);
    }
    return Buffer.from(compact, 'base64');
  }

  return {
    async upload(db, target, body) {
      let bytes = decode(body);
      let redacted = false;
      if (body.kind === 'log') {
        const text = bytes.toString('utf8');
        const clean = redactText(text);
        redacted = clean !== text;
        bytes = Buffer.from(clean, 'utf8');
      }
      const sha256 = createHash('sha256').update(bytes).digest('hex');
      return withLockedRun(db, target.runId, async (trx, locked) => {
        const now = clock.now();
        const { phase } = await fencePhase(trx, now, locked, target.phaseId, target.fence);
        const path = `${phase.phase_id}/${phase.attempt}/${body.path}`;
        const content = await store.put(sha256, bytes);
        const { row, created } = await insertArtifact(trx, {
          run_id: phase.run_id,
          phase_id: phase.phase_id,
          attempt: phase.attempt,
          kind: body.kind,
          path,
          media_type: body.media_type ?? DEFAULT_MEDIA_TYPE[body.kind],
          size_bytes: bytes.length,
          sha256,
          redacted,
          storage: store.kind,
          content,
          created_at: now,
        });
        if (!created && row.sha256 !== sha256) {
          throw conflict('artifact_exists', `${path} already holds other bytes (sha256 ${row.sha256}); artifacts are never overwritten`, {
            artifact_id: Number(row.artifact_id),
            sha256: row.sha256,
          });
        }
        if (created) {
          await recordEvent(trx, now, phase, 'artifact_stored', target.actor, {
            artifact_id: Number(row.artifact_id),
            kind: row.kind,
            path,
            size_bytes: bytes.length,
            sha256,
            attempt: phase.attempt,
          });
        }
        return { artifact: toArtifact(row), created };
      });
    },

    async index(db, runId, query) {
      await existingRun(db, runId);
      const artifacts = (await listArtifacts(db, runId, query.after, query.limit)).map(toArtifact);
      const last = artifacts.at(-1);
      return { artifacts, next_after: artifacts.length === query.limit && last ? last.artifact_id : null };
    },

    async read(db, runId, query) {
      await existingRun(db, runId);
      const row = await findArtifact(db, runId, query.path !== undefined ? { path: query.path } : { artifact_id: query.artifact_id! });
      if (!row) throw notFound('artifact_not_found', `run ${runId} has no artifact ${query.path ?? `#${query.artifact_id}`}`);
      const bytes = await stores[row.storage].get(row);
      const serveAs = SAFE_TO_SERVE.has(row.media_type) ? row.media_type : 'application/octet-stream';
      return { artifact: toArtifact(row), bytes, serveAs };
    },
  };
}

/** `Content-Disposition` for a download: the last segment (already restricted to safe characters). */
export const downloadName = (path: string) => posix.basename(path);
