import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { ConfigError, loadConfig, SERVER_ENV } from '../src/config';

const readme = readFileSync(join(__dirname, '../../../README.md'), 'utf8');
const documented = [...readme.matchAll(/^\| `([A-Z][A-Z0-9_]+)` \|/gm)].map((m) => m[1]);

describe('configuration', () => {
  it('README documents exactly the variables the server reads (plus the test-only ones)', () => {
    expect(documented.filter((v) => v !== 'TEST_DATABASE_URL').sort()).toEqual(Object.keys(SERVER_ENV).sort());
  });

  it('has safe defaults: development, loopback, embedded database, kill switches off', () => {
    expect(loadConfig({})).toMatchObject({
      env: 'development',
      host: '127.0.0.1',
      port: 8000,
      database: { dataDir: '.autopack/data', bootstrap: false },
      killSwitches: { consolidated_metrics: false, phase6_metrics: false },
    });
  });

  it('reports every bad variable at once, one line each, without echoing the database password', () => {
    let error: unknown;
    try {
      loadConfig({ AUTOPACK_PORT: '70000', AUTOPACK_DB_BOOTSTRAP: 'yes', DATABASE_URL: 'mysql://u:hunter2@db/x' });
    } catch (err) {
      error = err;
    }
    expect(error).toBeInstanceOf(ConfigError);
    const problems = (error as ConfigError).problems;
    expect(problems).toHaveLength(3);
    expect(problems.join('\n')).toMatch(/AUTOPACK_PORT/);
    expect(problems.join('\n')).toMatch(/AUTOPACK_DB_BOOTSTRAP: must be 1 or 0/);
    expect(problems.join('\n')).not.toContain('hunter2');
  });
});
