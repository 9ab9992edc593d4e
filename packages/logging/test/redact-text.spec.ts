import { redactText } from '../src';

describe('redactText', () => {
  // [input, expected]: the name and the value's quotes stay, the secret becomes [REDACTED].
  const secrets: [string, string][] = [
    ['my_token=abc123', 'my_token=[REDACTED]'],
    ['password=hunter2', 'password=[REDACTED]'],
    ['Api_Key: x9', 'Api_Key: [REDACTED]'],
    ['OPENAI_API_KEY=sk-abcdefghijklmnopqrstuvwx', 'OPENAI_API_KEY=[REDACTED]'],
    ['export GITHUB_TOKEN=ghp_123, next', 'export GITHUB_TOKEN=[REDACTED], next'],
    ['AWS_SECRET_ACCESS_KEY=abc/def+ghi', 'AWS_SECRET_ACCESS_KEY=[REDACTED]'],
    ['clientSecret: s3', 'clientSecret: [REDACTED]'],
    ['x-api-key: abc', 'x-api-key: [REDACTED]'],
    ['--password=abc', '--password=[REDACTED]'],
    ['GET /cb?token=abc&state=1', 'GET /cb?token=[REDACTED]&state=1'],
    ['"api_key": "sk-live-1"', '"api_key": "[REDACTED]"'],
    ['{"password":"x","user":"bob"}', '{"password":"[REDACTED]","user":"bob"}'],
    ['{"password":"a\\"b\\"c","user":"bob"}', '{"password":"[REDACTED]","user":"bob"}'],
    ["{'Secret': 'two words'}", "{'Secret': '[REDACTED]'}"],
    ['"authorization": "Bearer opaque-credential"', '"authorization": "Bearer [REDACTED]"'],
    ['Authorization: Basic dXNlcjpwYXNz', 'Authorization: Basic [REDACTED]'],
    ['Authorization: Bearer eyJhbGciOi.abc.def', 'Authorization: Bearer [REDACTED]'],
    ['lease lt_' + 'a'.repeat(43) + ' held', 'lease [REDACTED] held'],
    ['url postgres://app:hunter2@db/x', 'url postgres://app:[REDACTED]@db/x'],
    ['{"private_key": "-----BEGIN PRIVATE KEY-----\\nMIIE\\n-----END PRIVATE KEY-----\\n"}', '{"private_key": "[REDACTED]"}'],
  ];
  it.each(secrets)('masks %p', (input, expected) => {
    expect(redactText(input)).toBe(expected);
  });

  it.each([
    'tokens_used=5',
    'token budget: 10 left',
    'token_count: 3',
    'max_tokens=4096',
    'primary key: id',
    'monkey=1',
    'key=abc',
    'password_hint=ask bob',
    'POST /oauth/token: 200',
    '"password": ""',
  ])('leaves %p alone', (text) => {
    expect(redactText(text)).toBe(text);
  });

  // Inputs that make a careless pattern rescan the rest of the text from every match. The patterns
  // before this file took seconds on some at 250 KB (://a:, eyJ-, A_TOKEN), hours at artifact size.
  it.each(['a', 'token', '"', 'a_token=b ', 'A_TOKEN', '"password":"', '://a:', 'eyJ-', '-----BEGIN PRIVATE KEY-----'])(
    'stays linear on %p repeated to 250 KB',
    (unit) => {
      const started = Date.now();
      redactText(unit.repeat(Math.ceil(250_000 / unit.length)));
      expect(Date.now() - started).toBeLessThan(2000);
    },
  );

  it('redacts a log of several MB without a RangeError', () => {
    const line = 'step 7 ok tokens_used=5 {"password":"pw"} Authorization: Bearer abcdefgh12345678 url redis://u:pw@h\n';
    const out = redactText(line.repeat(Math.ceil(5_000_000 / line.length)));
    expect(out.split('\n')[0]).toBe('step 7 ok tokens_used=5 {"password":"[REDACTED]"} Authorization: Bearer [REDACTED] url redis://u:[REDACTED]@h');
  });
});
