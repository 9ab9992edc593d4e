import type { Insertable } from 'kysely';
import type { ArtifactRow, ArtifactsTable } from '../schema';
import type { Db } from '../transaction';

/** An artifact row without its bytes (listing never loads content). */
export type ArtifactMeta = Omit<ArtifactRow, 'content'>;

const META = [
  'artifact_id',
  'run_id',
  'phase_id',
  'attempt',
  'kind',
  'path',
  'media_type',
  'size_bytes',
  'sha256',
  'redacted',
  'storage',
  'created_at',
] as const;

/** Inserts unless the run already has an artifact at this path; then answers the existing one. */
export async function insertArtifact(
  db: Db,
  artifact: Insertable<ArtifactsTable>,
): Promise<{ row: ArtifactMeta; created: boolean }> {
  const inserted = await db
    .insertInto('artifacts')
    .values(artifact)
    .onConflict((oc) => oc.columns(['run_id', 'path']).doNothing())
    .returning(META)
    .executeTakeFirst();
  if (inserted) return { row: inserted, created: true };
  const existing = await db
    .selectFrom('artifacts')
    .select(META)
    .where('run_id', '=', artifact.run_id)
    .where('path', '=', artifact.path)
    .executeTakeFirstOrThrow();
  return { row: existing, created: false };
}

export async function findArtifact(
  db: Db,
  runId: string,
  by: { path: string } | { artifact_id: number },
): Promise<ArtifactRow | undefined> {
  let query = db.selectFrom('artifacts').selectAll().where('run_id', '=', runId);
  query = 'path' in by ? query.where('path', '=', by.path) : query.where('artifact_id', '=', by.artifact_id);
  return query.executeTakeFirst();
}

export async function listArtifacts(db: Db, runId: string, after: number, limit: number): Promise<ArtifactMeta[]> {
  return db
    .selectFrom('artifacts')
    .select(META)
    .where('run_id', '=', runId)
    .where('artifact_id', '>', after)
    .orderBy('artifact_id')
    .limit(limit)
    .execute();
}

/** Artifacts of the given phases (all attempts), oldest first: claims assemble feedback and patches from them. */
export async function listPhaseArtifacts(db: Db, runId: string, phaseIds: readonly string[]): Promise<ArtifactMeta[]> {
  if (phaseIds.length === 0) return [];
  return db
    .selectFrom('artifacts')
    .select(META)
    .where('run_id', '=', runId)
    .where('phase_id', 'in', phaseIds)
    .orderBy('artifact_id')
    .execute();
}
