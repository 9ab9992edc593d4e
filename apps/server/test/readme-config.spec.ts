import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { generateApiKey } from '@autopack/auth';
import { join } from 'node:path';
import { ConfigError, loadConfig, SERVER_ENV } from '../src/config';

const readme = readFileSync(join(__dirname, '../../../README.md'), 'utf8');
// The rows of README's "### Server" table.
const section = readme.slice(readme.indexOf('### Server'), readme.indexOf('### Executor'));
const documented = [...section.matchAll(/^\| `([A-Z][A-Z0-9_]+)` \|/gm)].map((m) => m[1]);

describe('configuration', () => {
  it('README documents exactly the variables the server reads', () => {
    expect(documented.sort()).toEqual(Object.keys(SERVER_ENV).sort());
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

  it('reads the admin key from AUTOPACK_API_KEY_FILE, trimmed, and keeps secrets out of the printable config', () => {
    const { key } = generateApiKey();
    const dir = mkdtempSync(join(tmpdir(), 'autopack-cfg-'));
    writeFileSync(join(dir, 'key'), `${key}\n`);
    const config = loadConfig({ AUTOPACK_API_KEY_FILE: join(dir, 'key'), AUTOPACK_SECRET_KEY: 'readme-config-secret-0123456789abcdefgh' });
    expect(config.secrets).toEqual({ bootstrapApiKey: key, secretKey: 'readme-config-secret-0123456789abcdefgh' });
    expect(JSON.stringify(config)).not.toContain(key);
    expect(JSON.stringify(config)).not.toContain('k'.repeat(40));
    expect(() => loadConfig({ AUTOPACK_API_KEY_FILE: join(dir, 'missing') })).toThrow(/AUTOPACK_API_KEY_FILE: cannot read/);
    expect(() => loadConfig({ AUTOPACK_API_KEY_FILE: join(dir, 'key'), AUTOPACK_API_KEY: key })).toThrow(/both set/);
    rmSync(dir, { recursive: true, force: true });
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
