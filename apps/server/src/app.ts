import express, { type Express } from 'express';
import helmet from 'helmet';
import { adminRoutes } from './admin/routes';
import type { AppContext, AppServices } from './app-context';
import { artifactRoutes } from './artifacts/routes';
import { AccessControl } from './auth/access-control';
import { AuthService } from './auth/auth-service';
import type { Authenticate } from './auth/authenticate';
import { Keyring } from './auth/keyring';
import { createRateLimiters } from './auth/rate-limits';
import { authRoutes } from './auth/routes';
import { claimRoutes } from './claims/routes';
import { createWorkSignal } from './claims/work-signal';
import { governanceRoutes } from './governance/routes';
import { errorHandler, notFoundHandler } from './http/error-handler';
import { correlation } from './http/request-context';
import { opsRoutes } from './ops/routes';
import { phaseRoutes } from './phases/routes';
import { projectRoutes } from './project/routes';
import { runReportRoutes } from './runs/report-routes';
import { runRoutes } from './runs/routes';

export function createKeyring(ctx: AppContext): Keyring {
  const { jwt } = ctx.config.auth;
  return new Keyring(ctx.database.db, ctx.clock, {
    secret: ctx.config.secrets.secretKey,
    issuer: jwt.issuer,
    audience: jwt.audience,
    ttlSeconds: jwt.ttlSeconds,
    publishLeadSeconds: jwt.publishLeadSeconds,
  });
}

/** Fills in the context's defaults (real authentication, a work signal on the database) and the auth services. */
export function resolveServices(ctx: AppContext): AppServices {
  const { config, database, clock } = ctx;
  const keyring = createKeyring(ctx);
  const access = new AccessControl(database.db, clock, config, keyring);
  // An embedding's own authenticator (or a test's) is asked first; API keys and tokens after it.
  const extra = ctx.authenticate;
  const authenticate: Authenticate = extra
    ? async (req) => (await extra(req)) ?? access.authenticate(req)
    : (req) => access.authenticate(req);
  return {
    ...ctx,
    authenticate,
    work: ctx.work ?? createWorkSignal(database, ctx.logger),
    keyring,
    auth: new AuthService(database.db, clock, keyring, config.auth.jwt),
    guard: {
      authenticate,
      isOpen: () => access.isOpen(),
      limits: createRateLimiters(config, database.db, clock),
      publicRead: config.auth.publicRead,
      publicApiDocs: config.auth.publicApiDocs,
    },
  };
}

/** The composition root: the whole HTTP surface of Autopack from its resources. */
export function createApp(ctx: AppContext): Express {
  const services = resolveServices(ctx);
  const { config } = services;
  const app = express();
  app.disable('x-powered-by');
  // X-Forwarded-For is believed only from the configured proxies (req.ip, rate limits).
  app.set('trust proxy', config.auth.trustedProxies.length > 0 ? config.auth.trustedProxies : false);
  app.use(correlation(ctx.logger));
  // An API: no documents to frame, no scripts, no referrers; HSTS only where TLS is terminated.
  app.use(
    helmet({
      contentSecurityPolicy: { useDefaults: false, directives: { defaultSrc: ["'none'"], frameAncestors: ["'none'"] } },
      crossOriginResourcePolicy: { policy: 'same-origin' },
      referrerPolicy: { policy: 'no-referrer' },
      strictTransportSecurity: config.env === 'production',
    }),
  );
  app.use(express.json({ limit: config.maxBodyBytes, strict: true }));
  app.use('/api/auth/login', express.urlencoded({ extended: false, limit: '16kb' }));
  app.use(opsRoutes(services));
  app.use(authRoutes(services));
  app.use(runRoutes(services));
  app.use(runReportRoutes(services));
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
