import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { createKey, startExecutor, startServer } from './processes';

/**
 * `npm start`: the server and one executor, as one command. On the first start it creates an admin
 * and an executor API key (files next to the data directory, readable by this user only), so the
 * server is never open. Ctrl-C stops both cleanly.
 */
async function start(): Promise<number> {
  const dataDir = resolve(process.env['AUTOPACK_DATA_DIR'] ?? '.autopack/data');
  const keysDir = `${dataDir}-keys`;
  const keyFile = (role: string) => resolve(keysDir, `${role}.key`);
  const port = process.env['AUTOPACK_PORT'] ?? '8000';
  const env = { AUTOPACK_DATA_DIR: dataDir, AUTOPACK_PORT: port };
  mkdirSync(keysDir, { recursive: true, mode: 0o700 });
  for (const role of ['admin', 'executor']) {
    if (existsSync(keyFile(role))) continue;
    writeFileSync(keyFile(role), `${await createKey(env, role, `local-${role}`, true)}\n`, { mode: 0o600 });
  }
  const say = (line: string) => console.log(line);
  const server = await startServer(env, say, true);
  const executor = startExecutor(
    {
      AUTOPACK_SERVER_URL: server.url,
      AUTOPACK_EXECUTOR_API_KEY: readFileSync(keyFile('executor'), 'utf8').trim(),
      AUTOPACK_WORK_DIR: process.env['AUTOPACK_WORK_DIR'] ?? resolve('.autopack/work'),
    },
    [],
    say,
    true,
  );
  console.error(`\nAutopack is running on ${server.url} with one executor.\nAdmin API key: ${keyFile('admin')}\n  curl -H "X-API-Key: $(cat ${keyFile('admin')})" ${server.url}/runs\nCtrl-C stops both.\n`);
  let stopping = false;
  const stop = () => {
    if (stopping) return;
    stopping = true;
    void executor.stop('SIGTERM').then(() => server.stop('SIGTERM'));
  };
  process.on('SIGINT', stop);
  process.on('SIGTERM', stop);
  const [serverCode, executorCode] = await Promise.all([server.exited.then((c) => (stop(), c)), executor.exited.then((c) => (stop(), c))]);
  return serverCode === 0 && executorCode === 0 ? 0 : 1;
}

start().then(
  (code) => process.exit(code),
  (err: unknown) => {
    console.error('autopack:', err instanceof Error ? err.message : err);
    process.exit(1);
  },
);
