import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { EXECUTOR_ENV, ExecutorConfigError, loadExecutorConfig } from '../src/config';

const readme = readFileSync(join(__dirname, '../../../README.md'), 'utf8');
// The rows of README's "### Executor" table.
const section = readme.slice(readme.indexOf('### Executor'), readme.indexOf('### Tests'));

describe('executor configuration', () => {
  it('README documents exactly the variables the executor reads', () => {
    const documented = [...section.matchAll(/^\| `([A-Z][A-Z0-9_]+)` \|/gm)].map((m) => m[1]);
    expect(documented.sort()).toEqual(Object.keys(EXECUTOR_ENV).sort());
  });

  it('lets flags win over variables and keeps keys out of the printable config', () => {
    const config = loadExecutorConfig(
      { AUTOPACK_SERVER_URL: 'http://a:1', AUTOPACK_EXECUTOR_API_KEY: 'from-env', OPENAI_API_KEY: 'sk-secret', AUTOPACK_LLM_PROVIDER: 'openai' },
      ['--server', 'http://b:2/', '--api-key', 'from-flag', '--concurrency', '3', '--once'],
    );
    expect(config).toMatchObject({ serverUrl: 'http://b:2', concurrency: 3, once: true, llm: { provider: 'openai' } });
    expect(config.secrets).toMatchObject({ apiKey: 'from-flag', openaiApiKey: 'sk-secret' });
    expect(JSON.stringify(config)).not.toMatch(/from-flag|sk-secret/);
  });

  it('reports every problem at once', () => {
    let error: unknown;
    try {
      loadExecutorConfig({ AUTOPACK_EXECUTOR_CONCURRENCY: '0', AUTOPACK_AUDITOR: 'llm' }, []);
    } catch (err) {
      error = err;
    }
    expect(error).toBeInstanceOf(ExecutorConfigError);
    expect((error as ExecutorConfigError).problems.join('\n')).toMatch(/AUTOPACK_EXECUTOR_CONCURRENCY/);
    expect(() => loadExecutorConfig({ AUTOPACK_AUDITOR: 'llm' }, [])).toThrow(/AUTOPACK_EXECUTOR_API_KEY.*\n.*AUTOPACK_AUDITOR=llm needs AUTOPACK_LLM_PROVIDER/s);
    expect(() => loadExecutorConfig({}, ['--bogus'])).toThrow(/bogus/);
  });
});
