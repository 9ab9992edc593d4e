import { PassThrough } from 'node:stream';
import { createLogger, redactText } from '../src';

function capture(level: 'info' | 'warn' = 'info') {
  const stream = new PassThrough();
  const lines: Record<string, unknown>[] = [];
  stream.on('data', (c: Buffer) => c.toString().split('\n').filter(Boolean).forEach((l) => lines.push(JSON.parse(l))));
  return { logger: createLogger({ service: 'svc', level, stream }), lines };
}

const flush = () => new Promise((r) => setImmediate(r));

describe('createLogger', () => {
  it('writes one JSON object per line with service, level, message, timestamp and fields', async () => {
    const { logger, lines } = capture();
    logger.info('phase claimed', { run_id: 'r1', attempt: 2 });
    await flush();
    expect(lines).toEqual([
      { service: 'svc', level: 'info', message: 'phase claimed', run_id: 'r1', attempt: 2, timestamp: expect.stringMatching(/^\d{4}-\d{2}-\d{2}T/) },
    ]);
  });

  it('writes errors given as fields with name, message and stack', async () => {
    const { logger, lines } = capture();
    logger.error('request failed', { err: new TypeError('boom') });
    await flush();
    expect(lines[0]!['err']).toEqual({ name: 'TypeError', message: 'boom', stack: expect.stringContaining('TypeError: boom') });
  });

  it('keeps fields of child loggers and drops lines below the level', async () => {
    const { logger, lines } = capture('warn');
    const child = logger.child({ correlation_id: 'c-1' });
    child.info('quiet');
    child.warn('loud');
    await flush();
    expect(lines).toEqual([expect.objectContaining({ message: 'loud', correlation_id: 'c-1' })]);
  });
});

describe('secret redaction', () => {
  const apiKey = 'apk_3f9c2a1b7d0e_' + 'A'.repeat(32) + 'bcdEFG';
  const jwt = 'eyJhbGciOiJSUzI1NiJ9.eyJzdWIiOiJ1c2VyOjEifQ.c2lnbmF0dXJl';
  const provider = 'sk-ant-api03-abcdefghijklmnopqrstuvwxyz012345';

  it('redacts secret fields at any depth, whatever their value', async () => {
    const { logger, lines } = capture();
    logger.info('request', {
      headers: { authorization: 'Bearer whatever', 'x-api-key': 'anything', accept: 'application/json' },
      body: { username: 'alice', password: 'hunter2hunter2', nested: [{ lease_token: 'lt-123456789' }] },
      config: { secretKey: 'abc', OPENAI_API_KEY: 'x' },
      tokens_used: 42,
    });
    await flush();
    const line = JSON.stringify(lines[0]);
    for (const secret of ['Bearer whatever', 'anything', 'hunter2hunter2', 'lt-123456789', '"abc"', '"x"']) expect(line).not.toContain(secret);
    expect(lines[0]).toMatchObject({ headers: { accept: 'application/json' }, body: { username: 'alice' }, tokens_used: 42 });
  });

  it('redacts fields named like secrets that do not end in the secret word', async () => {
    const { logger, lines } = capture();
    logger.info('config', { db_password: 'hunter2', signing_key: 'x', passphrase: 'y', secret_value: 'z', GITHUB_TOKEN_V2: 'w' });
    await flush();
    expect(lines[0]).toMatchObject({ db_password: '[REDACTED]', signing_key: '[REDACTED]', passphrase: '[REDACTED]', secret_value: '[REDACTED]', GITHUB_TOKEN_V2: '[REDACTED]' });
  });

  it('keeps identifier and counter fields readable', async () => {
    const { logger, lines } = capture();
    const fields = { issue_key: 'flaky-login', idempotency_key: 'build-1', cache_key: 'deps', partition_key: 'p7', key_id: 'k1', tokens_used: 5, token_count: 3 };
    logger.info('done', fields);
    await flush();
    expect(lines[0]).toMatchObject(fields);
  });

  // One name rule: a field is redacted exactly when `name=value` is redacted in text.
  it.each([
    'password', 'db_password', 'DB_PASSWORD_PROD', 'passwd', 'passphrase', 'secret', 'secret_value', 'clientSecret', 'token', 'accessToken',
    'GITHUB_TOKEN_V2', 'set-cookie', 'api_key', 'x-api-key', 'apiKey', 'signing_key', 'AWS_SECRET_ACCESS_KEY', 'authorization', 'proxy-authorization',
    'issue_key', 'Idempotency-Key', 'cache_key', 'partition_key', 'key', 'monkey', 'key_id', 'api_key_id', 'tokens_used', 'token_count', 'max_tokens',
    'password_hint', 'username', 'secretary',
  ])('treats the field %p as the text rule treats it in name=value', async (name) => {
    const { logger, lines } = capture();
    const value = '0123456789abcdefXYZ';
    logger.info('x', { [name]: value });
    await flush();
    expect(lines[0]![name] === '[REDACTED]').toBe(redactText(`${name}=${value}`) !== `${name}=${value}`);
  });

  it('redacts keys, tokens and URL passwords inside text, including the message and errors', async () => {
    const { logger, lines } = capture();
    logger.warn(`login with ${apiKey} failed`, {
      detail: `Authorization: Bearer ${jwt}; provider ${provider}`,
      url: 'postgres://app:s3cr3tpw@db:5432/autopack',
      err: new Error(`bad key ${apiKey}`),
    });
    await flush();
    const line = JSON.stringify(lines[0]);
    for (const secret of [apiKey, jwt, provider, 's3cr3tpw']) expect(line).not.toContain(secret);
    expect(lines[0]!['url']).toBe('postgres://app:[REDACTED]@db:5432/autopack');
  });
});
