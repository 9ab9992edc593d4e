import { Router } from 'express';
import { routes } from '@autopack/contracts';
import type { AppServices } from '../app-context';
import { actorOf } from '../auth/actor';
import { mount, mountOptions } from '../http/mount';
import { artifactService, downloadName } from './artifact-service';

export function artifactRoutes(services: AppServices): Router {
  const router = Router();
  const db = services.database.db;
  const opts = mountOptions(services);
  const artifacts = artifactService(services.config.artifacts, services.clock);

  mount(router, 'uploadArtifact', routes.uploadArtifact, async ({ params, body }, ctx) =>
    ctx.once(async (trx) => {
      const result = await artifacts.upload(trx, { runId: params.run_id, phaseId: params.phase_id, actor: actorOf(ctx), fence: ctx.fence }, body);
      return { status: result.created ? 201 : 200, body: result };
    }), opts);

  mount(router, 'getArtifactIndex', routes.getArtifactIndex, async ({ params, query }) => ({
    status: 200,
    body: await artifacts.index(db, params.run_id, query),
  }), opts);

  mount(router, 'getArtifactFile', routes.getArtifactFile, async ({ params, query }) => {
    const { artifact, bytes, serveAs } = await artifacts.read(db, params.run_id, query);
    return {
      status: 200,
      raw: bytes,
      contentType: serveAs,
      headers: {
        'X-Content-SHA256': artifact.sha256,
        'X-Artifact-Id': String(artifact.artifact_id),
        'X-Content-Type-Options': 'nosniff',
        'Content-Disposition': `attachment; filename="${downloadName(artifact.path)}"`,
      },
    };
  }, opts);

  return router;
}
