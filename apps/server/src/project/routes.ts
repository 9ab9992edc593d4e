import { Router } from 'express';
import { routes } from '@autopack/contracts';
import { listBacklog } from '@autopack/db';
import type { AppServices } from '../app-context';
import { mount, mountOptions } from '../http/mount';

export function projectRoutes(services: AppServices): Router {
  const { database } = services;
  const router = Router();
  mount(router, 'getIssueBacklog', routes.getIssueBacklog, async ({ query }) => {
    const { rows, total } = await listBacklog(database.db, query.limit, query.offset);
    const issues = rows.map((r) => ({
      ...r,
      first_seen_at: r.first_seen_at.toISOString(),
      last_seen_at: r.last_seen_at.toISOString(),
    }));
    return { status: 200, body: { issues, limit: query.limit, offset: query.offset, total } };
  }, mountOptions(services));
  return router;
}
