import { randomBytes } from 'node:crypto';
import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { sql } from 'kysely';
import { testDialects } from '@autopack/db/testing';
import type { Claim } from '@autopack/contracts';
import { expectEnvelope, makePlan, startTestApp, type TestApp } from './support/test-app';
import { cancelOpenRuns, claim, leased } from './support/work';

const binary = (res: { on: (e: string, f: (c?: Buffer) => void) => void }, done: (err: Error | null, body: Buffer) => void) => {
  const chunks: Buffer[] = [];
  res.on('data', (c?: Buffer) => chunks.push(c!));
  res.on('end', () => done(null, Buffer.concat(chunks)));
};

async function download(t: TestApp, runId: string, query: string) {
  return t.http.get(`/runs/${runId}/artifacts/file?${query}`).buffer(true).parse(binary);
}

for (const dialect of testDialects()) {
  describe(`artifacts on ${dialect.name}`, () => {
    let t: TestApp;
    let c: Claim;
    beforeAll(async () => {
      t = await startTestApp(dialect, { AUTOPACK_ARTIFACT_MAX_BYTES: '65536' });
      await t.http.post('/runs/start').send(makePlan('a-run')).expect(201);
      c = await claim(t);
    });
    afterAll(async () => {
      await cancelOpenRuns(t);
      await t.database.close();
    });

    it('stores bytes per run, phase and attempt with their SHA-256, and returns them byte for byte', async () => {
      const bytes = randomBytes(40_000);
      bytes[0] = 0;
      const up = await leased(t, c, 'artifacts', { kind: 'other', path: 'bin/blob.dat', content: bytes.toString('base64'), encoding: 'base64' });
      expect(up.status).toBe(201);
      expect(up.body).toMatchObject({
        created: true,
        artifact: { run_id: 'a-run', phase_id: 't0-p0', attempt: 1, kind: 'other', path: 't0-p0/1/bin/blob.dat', size_bytes: 40_000, media_type: 'application/octet-stream' },
      });
      const sha = (await import('node:crypto')).createHash('sha256').update(bytes).digest('hex');
      expect(up.body.artifact.sha256).toBe(sha);
      const byPath = await download(t, 'a-run', 'path=t0-p0/1/bin/blob.dat');
      expect(byPath.status).toBe(200);
      expect(Buffer.compare(byPath.body as Buffer, bytes)).toBe(0);
      expect(byPath.headers['x-content-sha256']).toBe(sha);
      expect(byPath.headers['content-type']).toBe('application/octet-stream');
      expect(byPath.headers['content-disposition']).toBe('attachment; filename="blob.dat"');
      const byId = await download(t, 'a-run', `artifact_id=${up.body.artifact.artifact_id}`);
      expect(Buffer.compare(byId.body as Buffer, bytes)).toBe(0);

      const patch = await leased(t, c, 'artifacts', { kind: 'patch', path: 'accepted.patch', content: 'diff --git a/x b/x\n+ü\n' });
      expect(patch.body.artifact).toMatchObject({ media_type: 'text/x-diff', size_bytes: Buffer.byteLength('diff --git a/x b/x\n+ü\n') });
      const text = await download(t, 'a-run', 'path=t0-p0/1/accepted.patch');
      expect((text.body as Buffer).toString('utf8')).toBe('diff --git a/x b/x\n+ü\n');

      const index = (await t.http.get('/runs/a-run/artifacts/index')).body;
      expect(index.artifacts.map((a: { path: string }) => a.path)).toEqual(['t0-p0/1/bin/blob.dat', 't0-p0/1/accepted.patch']);
      const page = (await t.http.get('/runs/a-run/artifacts/index?limit=1')).body;
      expect(page.artifacts).toHaveLength(1);
      expect((await t.http.get(`/runs/a-run/artifacts/index?after=${page.next_after}`)).body.artifacts[0].path).toBe('t0-p0/1/accepted.patch');
    });

    it('answers an identical re-upload with the stored artifact and refuses other bytes at the same path', async () => {
      const first = await leased(t, c, 'artifacts', { kind: 'log', path: 'same.txt', content: 'one' });
      expect(first.status).toBe(201);
      const same = await leased(t, c, 'artifacts', { kind: 'log', path: 'same.txt', content: 'one' });
      expect(same.status).toBe(200);
      expect(same.body).toEqual({ created: false, artifact: first.body.artifact });
      const other = await leased(t, c, 'artifacts', { kind: 'log', path: 'same.txt', content: 'two' });
      expect(other.status).toBe(409);
      expectEnvelope(other.body, 'artifact_exists');
    });

    it('refuses an artifact over the size limit with 413', async () => {
      const res = await leased(t, c, 'artifacts', { kind: 'log', path: 'big.log', content: 'x'.repeat(65_537) });
      expect(res.status).toBe(413);
      expectEnvelope(res.body, 'payload_too_large');
      const bad64 = await leased(t, c, 'artifacts', { kind: 'other', path: 'x.bin', content: '@@@', encoding: 'base64' });
      expect(bad64.status).toBe(400);
    });

    it('refuses invalid base64 with 400 and says what to fix', async () => {
      for (const content of ['@@@@', 'QUJD!', 'QUJDRA', 'QU=D', 'Q===', 'QUJD-_==']) {
        const res = await leased(t, c, 'artifacts', { kind: 'other', path: 'b64.bin', content, encoding: 'base64' });
        expect([content, res.status]).toEqual([content, 400]);
        expectEnvelope(res.body, 'validation_failed');
        expect(res.body.error.details).toEqual([{ path: 'body.content', message: expect.stringContaining('multiple of 4') }]);
      }
      const spaced = await leased(t, c, 'artifacts', { kind: 'other', path: 'b64.bin', content: 'QUJD\nRA==\n', encoding: 'base64' });
      expect(spaced.status).toBe(201);
      expect(spaced.body.artifact.size_bytes).toBe(4);
    });

    it('masks secrets whatever the case of their name, and in JSON, but not ordinary words', async () => {
      const log = [
        'my_token=abc123',
        'password=hunter2',
        'Api_Key: x9x9x9',
        '{"api_key": "sk-live-1", "password":"pw\\"q", "authorization": "Bearer opaque-credential-1"}',
        'tokens_used=5 token budget left; max_tokens: 4096',
      ].join('\n');
      const res = await leased(t, c, 'artifacts', { kind: 'log', path: 'mixed.log', content: log });
      expect(res.status).toBe(201);
      expect(res.body.artifact.redacted).toBe(true);
      const stored = ((await download(t, 'a-run', 'path=t0-p0/1/mixed.log')).body as Buffer).toString('utf8');
      expect(stored.split('\n')).toEqual([
        'my_token=[REDACTED]',
        'password=[REDACTED]',
        'Api_Key: [REDACTED]',
        '{"api_key": "[REDACTED]", "password":"[REDACTED]", "authorization": "Bearer [REDACTED]"}',
        'tokens_used=5 token budget left; max_tokens: 4096',
      ]);
    });

    it('masks secrets in logs before storing them', async () => {
      const log = 'start\nOPENAI_API_KEY=sk-abcdefghijklmnopqrstuvwx\nAuthorization: Bearer eyJhbGciOi.abc.def\nurl postgres://app:hunter2@db/x\nend\n';
      const res = await leased(t, c, 'artifacts', { kind: 'log', path: 'run.log', content: log });
      expect(res.body.artifact.redacted).toBe(true);
      const stored = ((await download(t, 'a-run', 'path=t0-p0/1/run.log')).body as Buffer).toString('utf8');
      expect(stored).not.toMatch(/sk-abcdef|eyJhbGciOi|hunter2/);
      expect(stored).toContain('OPENAI_API_KEY=[REDACTED]');
    });

    it('masks long quoted secrets whole, JSON inside JSON strings, and keeps identifiers named *_key', async () => {
      const jwt = 'eyJhbGciOiJSUzI1NiJ9.eyJzdWIiOi' + 'A'.repeat(4200) + '.SIGNATURE-TAIL';
      const log = [`{"access_token": "${jwt}"}`, '{"log":"{\\"password\\":\\"hunter2\\"}"}', 'DB_PASSWORD_PROD=hunter3', '{"issue_key": "flaky-login"}'].join('\n');
      const res = await leased(t, c, 'artifacts', { kind: 'log', path: 'long.log', content: log });
      expect(res.status).toBe(201);
      const stored = ((await download(t, 'a-run', 'path=t0-p0/1/long.log')).body as Buffer).toString('utf8');
      expect(stored.split('\n')).toEqual([
        '{"access_token": "[REDACTED]"}',
        '{"log":"{\\"password\\":\\"[REDACTED]\\"}"}',
        'DB_PASSWORD_PROD=[REDACTED]',
        '{"issue_key": "flaky-login"}',
      ]);
    });

    const traversal = [
      '../etc/passwd',
      't0-p0/../../secret',
      '%2e%2e%2fetc%2fpasswd',
      '%252e%252e%252fetc',
      '..%2f..%2fetc',
      '..\\..\\windows',
      't0-p0\\1\\x',
      '/etc/passwd',
      '//server/share',
      'C:/Windows/win.ini',
      'c:x',
      't0-p0//1/x',
      './t0-p0/1/x',
      't0-p0/1/x%00.txt',
      '',
    ];
    it.each(traversal)('refuses the path %p with 400', async (path) => {
      const res = await t.http.get('/runs/a-run/artifacts/file').query({ path });
      expect(res.status).toBe(400);
      expectEnvelope(res.body, 'validation_failed');
    });

    it('refuses traversal in raw (unencoded by the client) URLs and in upload paths', async () => {
      for (const raw of ['path=../x', 'path=%2e%2e/x', 'path=%252e%252e%252fx', 'path=a%5c..%5cb', 'path=%2Fetc%2Fpasswd', 'path=a&path=b', 'path=C%3A%5Cx']) {
        const res = await t.http.get(`/runs/a-run/artifacts/file?${raw}`);
        expect([raw, res.status]).toEqual([raw, 400]);
      }
      for (const path of ['../x', 'a/../../x', '/abs', 'C:/x', 'a\\b', '%2e%2e/x']) {
        const res = await leased(t, c, 'artifacts', { kind: 'log', path, content: 'x' });
        expect([path, res.status]).toEqual([path, 400]);
      }
      expect((await t.http.get('/runs/a-run/artifacts/file?path=t0-p0/1/missing.txt')).status).toBe(404);
      expect((await t.http.get('/runs/a-run/artifacts/file?path=x&artifact_id=1')).status).toBe(400);
    });

    it('takes artifact_id only as decimal digits', async () => {
      const first = (await t.http.get('/runs/a-run/artifacts/index?limit=1')).body.artifacts[0];
      expect(first.artifact_id).toBe(1);
      expect((await download(t, 'a-run', 'artifact_id=1')).status).toBe(200);
      for (const raw of ['0x1', '1e0', '%201', '+1', '1.0', '-1', '0', '', 'one', '1%00']) {
        const res = await t.http.get(`/runs/a-run/artifacts/file?artifact_id=${raw}`);
        expect([raw, res.status]).toEqual([raw, 400]);
        expectEnvelope(res.body, 'validation_failed');
      }
      const hex = await t.http.get('/runs/a-run/artifacts/file?artifact_id=0x1');
      expect(hex.body.error.details).toEqual([{ path: 'query.artifact_id', message: expect.stringContaining('decimal digits') }]);
      expect((await t.http.get('/runs/a-run/artifacts/index?limit=1e1')).status).toBe(400);
      expect((await t.http.get('/runs/a-run/artifacts/index?after=0x0')).status).toBe(400);
    });

    it('keeps the bytes in content-addressed files with AUTOPACK_ARTIFACT_STORE=directory', async () => {
      const dir = mkdtempSync(join(tmpdir(), 'autopack-artifacts-'));
      const d = await startTestApp(dialect, { AUTOPACK_ARTIFACT_STORE: 'directory', AUTOPACK_ARTIFACT_DIR: dir });
      try {
        await d.http.post('/runs/start').send(makePlan('a-dir')).expect(201);
        const dc = await claim(d);
        const bytes = randomBytes(1000);
        const up = await leased(d, dc, 'artifacts', { kind: 'other', path: 'x.bin', content: bytes.toString('base64'), encoding: 'base64' });
        expect(up.status).toBe(201);
        const row = await sql<{ storage: string; content: unknown }>`select storage, content from artifacts`.execute(d.database.db);
        expect(row.rows).toEqual([{ storage: 'directory', content: null }]);
        expect(readdirSync(join(dir, up.body.artifact.sha256.slice(0, 2)))).toEqual([up.body.artifact.sha256]);
        const back = await download(d, 'a-dir', 'path=t0-p0/1/x.bin');
        expect(Buffer.compare(back.body as Buffer, bytes)).toBe(0);
      } finally {
        await cancelOpenRuns(d);
        await d.database.close();
        rmSync(dir, { recursive: true, force: true });
      }
    });
  });
}

/*
 * The size cap against big bodies, on one dialect (storage is not what is tested). The cap is 4 MiB
 * and the JSON limit 6 MiB, so base64 just over the cap still parses (the artifact check answers)
 * and a body over 6 MiB stops at the parser. Both answer 413 with the envelope.
 */
describe('artifact size limits', () => {
  const [pglite] = testDialects();
  const MiB = 1024 * 1024;
  let t: TestApp;
  let c: Claim;
  beforeAll(async () => {
    t = await startTestApp(pglite!, { AUTOPACK_ARTIFACT_MAX_BYTES: String(4 * MiB), AUTOPACK_MAX_BODY_BYTES: String(6 * MiB) });
    await t.http.post('/runs/start').send(makePlan('big-run')).expect(201);
    c = await claim(t);
  });
  afterAll(async () => {
    await cancelOpenRuns(t);
    await t.database.close();
  });

  it('stores base64 of several MB (validated in linear time)', async () => {
    const bytes = randomBytes(3.5 * MiB);
    const res = await leased(t, c, 'artifacts', { kind: 'other', path: 'big.bin', content: bytes.toString('base64'), encoding: 'base64' });
    expect(res.status).toBe(201);
    expect(res.body.artifact.size_bytes).toBe(bytes.length);
  });

  it('refuses invalid base64 of several MB with 400', async () => {
    const res = await leased(t, c, 'artifacts', { kind: 'other', path: 'bad.bin', content: 'QUJD'.repeat(1.25 * MiB) + 'QUJ!', encoding: 'base64' });
    expect(res.status).toBe(400);
    expectEnvelope(res.body, 'validation_failed');
  });

  it('answers base64 over the artifact cap but under the body limit with 413 naming the artifact limit', async () => {
    const res = await leased(t, c, 'artifacts', { kind: 'other', path: 'over.bin', content: 'A'.repeat(4 * Math.ceil((4 * MiB + 1) / 3)), encoding: 'base64' });
    expect(res.status).toBe(413);
    expectEnvelope(res.body, 'payload_too_large');
    expect(res.body.error.message).toContain('AUTOPACK_ARTIFACT_MAX_BYTES');
  });

  it('answers a body over the JSON limit with 413 naming the body limit', async () => {
    const res = await leased(t, c, 'artifacts', { kind: 'other', path: 'huge.bin', content: 'A'.repeat(6 * MiB + 4), encoding: 'base64' });
    expect(res.status).toBe(413);
    expectEnvelope(res.body, 'payload_too_large');
    expect(res.body.error.message).toContain('AUTOPACK_MAX_BODY_BYTES');
  });
});
