import { generateApiKey } from '@autopack/auth';
import { testDialects } from '@autopack/db/testing';
import { bootstrapAuth } from '../src/auth/bootstrap';
import { loadConfig } from '../src/config';
import { makePlan, startTestApp } from './support/test-app';

const [pglite] = testDialects();

describe('secrets never reach the logs', () => {
  it('a full scenario logs none of the secrets it used', async () => {
    const bootstrapKey = generateApiKey().key;
    const secretKey = 'scenario-secret-key-that-is-long-enough-0123';
    const t = await startTestApp(pglite!, { AUTOPACK_SECRET_KEY: secretKey, AUTOPACK_API_KEY: bootstrapKey, AUTOPACK_LOG_LEVEL: 'silly' });
    const secrets: string[] = [bootstrapKey, secretKey];
    try {
      await bootstrapAuth({ config: loadConfig({ AUTOPACK_SECRET_KEY: secretKey, AUTOPACK_API_KEY: bootstrapKey }), database: t.database, logger: t.logger, clock: t.clock });
      const admin = { 'X-API-Key': bootstrapKey };

      const password = 'correct-horse-battery-staple';
      secrets.push(password);
      await t.http.post('/api/auth/users').set(admin).send({ username: 'dana', email: 'dana@example.com', password, role: 'operator' }).expect(201);
      const login = await t.http.post('/api/auth/login').send({ username: 'dana', password });
      const token = login.body.access_token as string;
      secrets.push(token);
      const formLogin = await t.http.post('/api/auth/login').type('form').send({ username: 'dana', password });
      secrets.push(formLogin.body.access_token);
      const wrongPassword = 'wrong-but-still-secret-guess';
      secrets.push(wrongPassword);
      await t.http.post('/api/auth/login').send({ username: 'dana', password: wrongPassword }).expect(401);

      const created = await t.http.post('/api/auth/api-keys').set(admin).send({ name: 'exec', role: 'executor' });
      secrets.push(created.body.key);
      await t.http.get('/api/auth/me').set('X-API-Key', created.body.key).expect(200);
      await t.http.delete(`/api/auth/api-keys/${created.body.id}`).set(admin).expect(200);
      await t.http.get('/api/auth/me').set('X-API-Key', created.body.key).expect(401);
      await t.http.get('/api/auth/me').set('Authorization', `Bearer ${token}x`).expect(401);
      const typo = created.body.key.slice(0, -1) + 'Z';
      secrets.push(typo);
      await t.http.get('/api/auth/me').set('X-API-Key', typo).expect(401);

      await t.http.post('/runs/start').set('Authorization', `Bearer ${token}`).send(makePlan('logged')).expect(201);
      await t.http.post('/api/auth/keys/rotate').set(admin).expect(200);
      await t.http.post('/runs/start').set(admin).set('content-type', 'application/json').send(`{"run": "${bootstrapKey}"`).expect(400);

      expect(t.logs.length).toBeGreaterThan(15);
      const all = t.logs.join('\n');
      for (const secret of secrets) expect({ secret: secret.slice(0, 12), found: all.includes(secret) }).toEqual({ secret: secret.slice(0, 12), found: false });
      // And the parts that identify without revealing are there.
      expect(all).toContain(`"key_id":"${created.body.id}"`);
      expect(all).toContain('"username":"dana"');
    } finally {
      await t.database.close();
    }
  });
});
