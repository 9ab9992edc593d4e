import express, { type Express } from 'express';
import type { AppContext } from './app-context';
import { errorHandler, notFoundHandler } from './http/error-handler';
import { correlation } from './http/request-context';
import { opsRoutes } from './ops/routes';
import { phaseRoutes } from './phases/routes';
import { projectRoutes } from './project/routes';
import { runRoutes } from './runs/routes';

/** The composition root: the whole HTTP surface of Autopack from its resources. */
export function createApp(ctx: AppContext): Express {
  const app = express();
  app.disable('x-powered-by');
  app.set('trust proxy', false);
  app.use(correlation(ctx.logger));
  app.use(express.json({ limit: ctx.config.maxBodyBytes, strict: true }));
  app.use(opsRoutes(ctx));
  app.use(runRoutes(ctx));
  app.use(phaseRoutes(ctx));
  app.use(projectRoutes(ctx));
  app.use(notFoundHandler);
  app.use(errorHandler);
  return app;
}
