import { Router } from 'express';
import { routes } from '@autopack/contracts';
import type { AppServices } from '../app-context';
import { AppError } from '../http/app-error';
import { mount, mountOptions } from '../http/mount';
import { actorOf } from './actor';
import { FIRST_KEY_HINT } from './require-role';

export function authRoutes(services: AppServices): Router {
  const { config, auth, keyring } = services;
  const router = Router();
  const opts = mountOptions(services);

  mount(router, 'login', routes.login, async ({ body }, ctx) => {
    const token = await auth.login(body.username, body.password);
    ctx.log.info('login', { username: body.username, role: token.role });
    return { status: 200, body: token };
  }, opts);

  mount(router, 'register', routes.register, async ({ body }, ctx) => {
    if (!config.auth.allowRegistration) {
      throw new AppError('registration_closed', 403, 'registration is closed; an admin creates users (POST /api/auth/users)');
    }
    // The first user would close an open server with nobody able to administer it.
    if (await services.guard.isOpen()) throw new AppError('registration_closed', 403, FIRST_KEY_HINT);
    const user = await auth.createUser(body, 'viewer');
    ctx.log.info('user registered', { username: user.username });
    return { status: 201, body: user };
  }, opts);

  mount(router, 'getMe', routes.getMe, async (_input, ctx) => ({ status: 200, body: await auth.me(ctx.principal!) }), opts);

  mount(router, 'createUser', routes.createUser, async ({ body }, ctx) => {
    const user = await auth.createUser(body, body.role);
    ctx.log.info('user created', { username: user.username, role: user.role, by: actorOf(ctx) });
    return { status: 201, body: user };
  }, opts);

  mount(router, 'getJwks', routes.getJwks, async () => ({ status: 200, body: await keyring.jwks() }), opts);

  mount(router, 'getKeyStatus', routes.getKeyStatus, async () => ({ status: 200, body: await keyring.status() }), opts);

  mount(router, 'createApiKey', routes.createApiKey, async ({ body }, ctx) => {
    const created = await auth.createApiKey(body, actorOf(ctx));
    ctx.log.info('api key created', { key_id: created.id, role: created.role, by: actorOf(ctx) });
    return { status: 201, body: created };
  }, opts);

  mount(router, 'listApiKeys', routes.listApiKeys, async () => ({ status: 200, body: await auth.listApiKeys() }), opts);

  mount(router, 'revokeApiKey', routes.revokeApiKey, async ({ params }, ctx) => {
    const revoked = await auth.revokeApiKey(params.key_id);
    ctx.log.info('api key revoked', { key_id: revoked.id, by: actorOf(ctx) });
    return { status: 200, body: revoked };
  }, opts);

  mount(router, 'rotateSigningKey', routes.rotateSigningKey, async (_input, ctx) => {
    const rotation = await keyring.rotate();
    ctx.log.info('signing key rotated', { kid: rotation.kid, activates_at: rotation.activates_at, by: actorOf(ctx) });
    return { status: 200, body: rotation };
  }, opts);

  return router;
}
