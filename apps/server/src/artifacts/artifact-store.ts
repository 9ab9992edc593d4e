import { mkdir, readFile, rename, stat, writeFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { randomBytes } from 'node:crypto';
import type { ArtifactRow } from '@autopack/db';

/** Where artifact bytes live: in the row (bytea) or in a content-addressed directory. */
export interface ArtifactStore {
  readonly kind: 'database' | 'directory';
  /** Keeps the bytes; answers what goes into the row's `content` column (null: they are elsewhere). */
  put(sha256: string, bytes: Buffer): Promise<Buffer | null>;
  get(row: Pick<ArtifactRow, 'sha256' | 'content'>): Promise<Buffer>;
}

const SHA256 = /^[0-9a-f]{64}$/;

export const databaseStore: ArtifactStore = {
  kind: 'database',
  put: async (_sha, bytes) => bytes,
  get: async (row) => Buffer.from(row.content ?? new Uint8Array()),
};

/**
 * Files named by their SHA-256 (`<dir>/ab/abcdef…`): names never come from a request, so no path a
 * client sends can reach the filesystem. Written to a temp file and renamed; identical bytes are
 * stored once.
 */
export function directoryStore(dir: string): ArtifactStore {
  const root = resolve(dir);
  const fileOf = (sha256: string) => {
    if (!SHA256.test(sha256)) throw new Error('artifact hash is not a SHA-256 hex digest');
    return join(root, sha256.slice(0, 2), sha256);
  };
  return {
    kind: 'directory',
    put: async (sha256, bytes) => {
      const file = fileOf(sha256);
      const exists = await stat(file).then(() => true, () => false);
      if (!exists) {
        await mkdir(join(root, sha256.slice(0, 2)), { recursive: true });
        const partial = `${file}.${randomBytes(6).toString('hex')}.partial`;
        await writeFile(partial, bytes);
        await rename(partial, file);
      }
      return null;
    },
    get: async (row) => readFile(fileOf(row.sha256)),
  };
}
