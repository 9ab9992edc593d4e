import express, { type Express } from 'express';
import { adminRoutes } from './admin/routes';
import type { AppContext, AppServices } from './app-context';
import { artifactRoutes } from './artifacts/routes';
import { developmentAuthenticate } from './auth/authenticate';
import { claimRoutes } from './claims/routes';
import { createWorkSignal } from './claims/work-signal';
import { governanceRoutes } from './governance/routes';
import { errorHandler, notFoundHandler } from './http/error-handler';
import { correlation } from './http/request-context';
import { opsRoutes } from './ops/routes';
import { phaseRoutes } from './phases/routes';
import { projectRoutes } from './project/routes';
import { runRoutes } from './runs/routes';

/** Fills in the context's defaults: development authentication, a work signal on the database. */
export function resolveServices(ctx: AppContext): AppServices {
  return {
    ...ctx,
    authenticate: ctx.authenticate ?? developmentAuthenticate,
    work: ctx.work ?? createWorkSignal(ctx.database, ctx.logger),
  };
}

/** The composition root: the whole HTTP surface of Autopack from its resources. */
export function createApp(ctx: AppContext): Express {
  const services = resolveServices(ctx);
  const app = express();
  app.disable('x-powered-by');
  app.set('trust proxy', false);
  app.use(correlation(ctx.logger));
  app.use(express.json({ limit: ctx.config.maxBodyBytes, strict: true }));
  app.use(opsRoutes(services));
  app.use(runRoutes(services));
  app.use(phaseRoutes(services));
  app.use(claimRoutes(services));
  app.use(governanceRoutes(services));
  app.use(artifactRoutes(services));
  app.use(adminRoutes(services));
  app.use(projectRoutes(services));
  app.use(notFoundHandler);
  app.use(errorHandler);
  return app;
}
