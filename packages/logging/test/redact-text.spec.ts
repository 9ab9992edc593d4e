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
    // Names that hold a secret without ending in the secret word, in any case.
    ['GITHUB_TOKEN_V2=ghp_abc123', 'GITHUB_TOKEN_V2=[REDACTED]'],
    ['DB_PASSWORD_PROD=hunter2 next', 'DB_PASSWORD_PROD=[REDACTED] next'],
    ['SECRET_TOKEN_VALUE=abc', 'SECRET_TOKEN_VALUE=[REDACTED]'],
    ['secret_value: z9', 'secret_value: [REDACTED]'],
    ['db_password=hunter2', 'db_password=[REDACTED]'],
    ['passphrase: y9', 'passphrase: [REDACTED]'],
    ['authToken=a1', 'authToken=[REDACTED]'],
    // Keys that are credentials; any other `*_key` is an identifier (below).
    ...['api_key', 'apikey', 'APIKey', 'access_key', 'secret_key', 'private_key', 'signing_key', 'encryption_key', 'client_key', 'auth_key', 'X-Api-Key', 'SESSION_KEY'].map(
      (name): [string, string] => [`${name}=k3y`, `${name}=[REDACTED]`],
    ),
    // JSON inside a JSON string: `\"` is a quote there, and `\n` ends a bare value.
    ['{"log":"{\\"password\\":\\"hunter2\\"}"}', '{"log":"{\\"password\\":\\"[REDACTED]\\"}"}'],
    ['{"log":"{\\"password\\":\\"a\\\\\\"b\\"}"}', '{"log":"{\\"password\\":\\"[REDACTED]\\"}"}'],
    ['{"log":"start\\napi_key=abc123\\nend"}', '{"log":"start\\napi_key=[REDACTED]\\nend"}'],
    // `authorization` needs a credential after it: a scheme, or an opaque token.
    ['authorization: 0123456789abcdefABCDEF', 'authorization: [REDACTED]'],
    ['"authorization": "AWS4-HMAC-SHA256 Credential=AKIA/x, Signature=0123456789abcdef0123"', '"authorization": "[REDACTED]"'],
    ['"password" => "hunter2"', '"password" => "[REDACTED]"'],
    ['Cookie: sid=abc123; theme=dark', 'Cookie: [REDACTED]; theme=dark'],
    // A weak password looks like a word: only `token` names get the benefit of the doubt.
    ['password: letmein rejected', 'password: [REDACTED] rejected'],
    ['db secret: hunter two', 'db secret: [REDACTED] two'],
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
    // Identifiers named `*_key` that readers need.
    '{"issue_key": "flaky-login"}',
    'Idempotency-Key: build-1',
    'partition_key=p7',
    'cache_key: deps-abc123',
    'api_key_id: k1',
    // Comparisons are not assignments.
    'assert token == "abc123"',
    'if password != "x" || token >= 3 || token=~abc',
    'tokens.map(token => token.trim())',
    // Prose: `authorization` and secret-looking names followed by ordinary words.
    'expected authorization: denied for role viewer',
    '"authorization": "denied for role viewer"',
    'run refresh-token: phase p1 claimed',
    'TOKEN_COUNT=3 PASSWORD_HINT=ask',
  ])('leaves %p alone', (text) => {
    expect(redactText(text)).toBe(text);
  });

  describe('a quoted value, however long, is masked to its closing quote', () => {
    const signature = 'SIGNATURE' + 'x'.repeat(40);
    const jwt = 'eyJhbGciOiJSUzI1NiJ9.' + 'eyJzdWIiOi' + 'A'.repeat(4200) + '.' + signature;
    it.each([
      [`{"access_token": "${jwt}", "user": "bob"}`, '{"access_token": "[REDACTED]", "user": "bob"}'],
      [`{"access_token": "${jwt.replace('eyJ', 'xyz')}"}`, '{"access_token": "[REDACTED]"}'],
      [`password="${'p'.repeat(4100)}TAIL" next`, 'password="[REDACTED]" next'],
      [`secret='${'p\\\''.repeat(3000)}TAIL'`, "secret='[REDACTED]'"],
      [`{"password":"${'a\\"'.repeat(3000)}TAIL","user":"bob"}`, '{"password":"[REDACTED]","user":"bob"}'],
      [`password="${'p'.repeat(5000)}TAIL\nnext line`, 'password="[REDACTED]\nnext line'],
    ])('masks a %#. value', (input, expected) => {
      expect(redactText(input)).toBe(expected);
    });
  });

  // Crafted for the value walker and name rules: one long value, escape runs, unclosed quotes,
  // assignments that are skipped (prose, `authorization` words) repeated back to back.
  it.each([
    ['a quoted value', '"password":"' + 'a'.repeat(1_000_000)],
    ['escaped quotes', 'password="' + '\\"'.repeat(500_000)],
    ['backslash runs', 'password="' + '\\\\\\"'.repeat(250_000)],
    ['escaped JSON names', '\\"password\\":\\"'.repeat(60_000)],
    ['unclosed quotes', "token: 'a ".repeat(100_000)],
    ['authorization words', 'authorization:authorization:'.repeat(40_000)],
    ['quoted authorization', 'authorization: "denied '.repeat(50_000)],
    ['prose', 'a-token: phase '.repeat(70_000)],
    ['one long name', 'A_TOKEN_'.repeat(125_000) + '=x'],
    ['JSON escapes', 'x\\na_token=b\\'.repeat(70_000)],
  ])('stays linear on 1 MB of %s', (_, text) => {
    const started = Date.now();
    redactText(text);
    expect(Date.now() - started).toBeLessThan(1000);
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
