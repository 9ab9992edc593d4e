import express, { type Express } from 'express';
import helmet from 'helmet';
import type { AppContext } from './app-context';
import { AccessControl } from './auth/access-control';
import { AuthService } from './auth/auth-service';
import { Keyring } from './auth/keyring';
import { createRateLimiters } from './auth/rate-limits';
import { registerAuthServices } from './auth/require-role';
import { authRoutes } from './auth/routes';
import { errorHandler, notFoundHandler } from './http/error-handler';
import { correlation } from './http/request-context';
import { opsRoutes } from './ops/routes';
import { phaseRoutes } from './phases/routes';
import { projectRoutes } from './project/routes';
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

/** The composition root: the whole HTTP surface of Autopack from its resources. */
export function createApp(ctx: AppContext): Express {
  const { config, database, clock } = ctx;
  const app = express();
  app.disable('x-powered-by');
  // X-Forwarded-For is believed only from the configured proxies (req.ip, rate limits).
  app.set('trust proxy', config.auth.trustedProxies.length > 0 ? config.auth.trustedProxies : false);

  const keyring = createKeyring(ctx);
  const access = new AccessControl(database.db, clock, config, keyring);
  const auth = new AuthService(database.db, clock, keyring, config.auth.jwt);
  registerAuthServices(app, {
    access,
    limits: createRateLimiters(config, database.db, clock),
    publicRead: config.auth.publicRead,
  });

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
  app.use(opsRoutes(ctx, access));
  app.use(authRoutes(ctx, auth, keyring));
  app.use(runRoutes(ctx));
  app.use(phaseRoutes(ctx));
  app.use(projectRoutes(ctx));
  app.use(notFoundHandler);
  app.use(errorHandler);
  return app;
}
