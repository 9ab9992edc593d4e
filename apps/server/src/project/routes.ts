import { Router } from 'express';
import { routes } from '@autopack/contracts';
import { listBacklog } from '@autopack/db';
import type { AppContext } from '../app-context';
import { mount } from '../http/mount';

export function projectRoutes({ database, config }: AppContext): Router {
  const router = Router();
  mount(router, 'getIssueBacklog', routes.getIssueBacklog, async ({ query }) => {
    const { rows, total } = await listBacklog(database.db, query.limit, query.offset);
    const issues = rows.map((r) => ({
      ...r,
      first_seen_at: r.first_seen_at.toISOString(),
      last_seen_at: r.last_seen_at.toISOString(),
    }));
    return { status: 200, body: { issues, limit: query.limit, offset: query.offset, total } };
  }, { validateResponses: config.validateResponses });
  return router;
}
