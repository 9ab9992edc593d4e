import { createPrivateKey, createPublicKey, type KeyObject } from 'node:crypto';
import jwt from 'jsonwebtoken';
import {
  buildJwks,
  currentSigningKey,
  decryptPrivateKey,
  generateSigningKey,
  planRotation,
  signAccessToken,
  SigningKeyError,
  TokenError,
  verificationKeys,
  verifyAccessToken,
  type StoredSigningKey,
} from '../src';

const settings = { issuer: 'autopack', audience: 'autopack-api', ttlSeconds: 3600 };
const t0 = new Date('2026-11-22T10:00:00Z');
const at = (seconds: number) => new Date(t0.getTime() + seconds * 1000);

describe('access tokens', () => {
  let stored: StoredSigningKey;
  let key: { kid: string; privateKey: KeyObject };
  let keys: Map<string, KeyObject>;
  beforeAll(async () => {
    stored = await generateSigningKey(t0, t0, undefined);
    key = { kid: stored.kid, privateKey: createPrivateKey(stored.private_pem) };
    keys = new Map([[stored.kid, createPublicKey(stored.public_pem)]]);
  });

  const sign = (now = t0) => signAccessToken({ sub: 'user:1', role: 'operator' }, key, settings, now).token;
  const reason = (fn: () => unknown) => {
    try {
      fn();
    } catch (err) {
      return err instanceof TokenError ? err.reason : `unexpected: ${String(err)}`;
    }
    return 'accepted';
  };

  it('carry sub, iss, aud, iat, exp and role, with the kid in the header', () => {
    const token = sign();
    const decoded = jwt.decode(token, { complete: true })!;
    expect(decoded.header).toMatchObject({ alg: 'RS256', kid: stored.kid });
    expect(verifyAccessToken(token, keys, settings, at(10))).toMatchObject({
      sub: 'user:1',
      role: 'operator',
      iss: 'autopack',
      aud: 'autopack-api',
      iat: t0.getTime() / 1000,
      exp: t0.getTime() / 1000 + 3600,
    });
  });

  it('refuse alg none', () => {
    const header = Buffer.from(JSON.stringify({ alg: 'none', typ: 'JWT', kid: stored.kid })).toString('base64url');
    const body = Buffer.from(JSON.stringify({ sub: 'x', role: 'admin', iss: 'autopack', aud: 'autopack-api', iat: 1, exp: 9e9 })).toString('base64url');
    expect(reason(() => verifyAccessToken(`${header}.${body}.`, keys, settings, t0))).toBe('malformed');
    expect(reason(() => verifyAccessToken(`${header}.${body}.x`, keys, settings, t0))).toBe('algorithm');
  });

  it('refuse HS256 signed with the public key as the secret', () => {
    const forged = jwt.sign({ sub: 'x', role: 'admin' }, stored.public_pem, {
      algorithm: 'HS256',
      keyid: stored.kid,
      issuer: 'autopack',
      audience: 'autopack-api',
    });
    expect(reason(() => verifyAccessToken(forged, keys, settings, t0))).toBe('algorithm');
  });

  it.each([
    ['expired', () => verifyAccessToken(sign(), keys, settings, at(3601)), 'expired'],
    ['wrong issuer', () => verifyAccessToken(sign(), keys, { ...settings, issuer: 'other' }, t0), 'invalid'],
    ['wrong audience', () => verifyAccessToken(sign(), keys, { ...settings, audience: 'other' }, t0), 'invalid'],
    ['unknown kid', () => verifyAccessToken(sign(), new Map(), settings, t0), 'unknown_key'],
  ])('refuse a token that is %s', (_name, fn, expected) => {
    expect(reason(fn)).toBe(expected);
  });

  it('refuse a token that is not valid yet (nbf)', () => {
    const token = jwt.sign({ sub: 'x', role: 'admin', nbf: t0.getTime() / 1000 + 600 }, key.privateKey, {
      algorithm: 'RS256',
      keyid: key.kid,
      issuer: 'autopack',
      audience: 'autopack-api',
    });
    expect(reason(() => verifyAccessToken(token, keys, settings, t0))).toBe('not_yet_valid');
  });

  it('refuse a tampered payload or signature, and malformed or truncated tokens', () => {
    const [h, p, s] = sign().split('.') as [string, string, string];
    const payload = JSON.parse(Buffer.from(p, 'base64url').toString());
    const escalated = Buffer.from(JSON.stringify({ ...payload, role: 'admin' })).toString('base64url');
    expect(reason(() => verifyAccessToken(`${h}.${escalated}.${s}`, keys, settings, t0))).toBe('invalid');
    const flipped = s.slice(0, -2) + (s.at(-2) === 'A' ? 'B' : 'A') + s.at(-1);
    expect(reason(() => verifyAccessToken(`${h}.${p}.${flipped}`, keys, settings, t0))).toBe('invalid');
    expect(reason(() => verifyAccessToken(`${h}.${p}`, keys, settings, t0))).toBe('malformed');
    expect(reason(() => verifyAccessToken(`${h}.${p}.${s}`.slice(0, 40), keys, settings, t0))).toBe('malformed');
    expect(reason(() => verifyAccessToken('not a token', keys, settings, t0))).toBe('malformed');
  });

  it('refuse critical header extensions, tokens issued in the future, and lifetimes longer than issued', () => {
    const custom = (payload: object, header: object = {}) =>
      jwt.sign({ sub: 'user:1', role: 'admin', ...payload }, key.privateKey, {
        algorithm: 'RS256',
        keyid: key.kid,
        issuer: 'autopack',
        audience: 'autopack-api',
        header: { alg: 'RS256', kid: key.kid, ...header },
      });
    const iat = t0.getTime() / 1000;
    expect(reason(() => verifyAccessToken(custom({ iat, exp: iat + 60 }, { crit: ['x-unknown'], 'x-unknown': 1 }), keys, settings, t0))).toBe('malformed');
    expect(reason(() => verifyAccessToken(custom({ iat: iat + 3600, exp: iat + 3700 }), keys, settings, t0))).toBe('not_yet_valid');
    expect(reason(() => verifyAccessToken(custom({ iat, exp: 1e12 }), keys, settings, t0))).toBe('invalid');
    expect(reason(() => verifyAccessToken(custom({ iat, exp: iat + 3600 }), keys, settings, t0))).toBe('accepted');
  });

  it('refuse claims of the wrong shape, such as an unknown role', () => {
    const token = jwt.sign({ role: 'root' }, key.privateKey, { algorithm: 'RS256', keyid: key.kid, subject: 's', issuer: 'autopack', audience: 'autopack-api' });
    expect(reason(() => verifyAccessToken(token, keys, settings, t0))).toBe('invalid');
  });
});

describe('signing keys', () => {
  it('encrypt the private key with the secret and refuse a wrong or missing one', async () => {
    const stored = await generateSigningKey(t0, t0, 'a-long-enough-secret-for-the-tests-0001');
    expect(stored.private_pem).toMatch(/^enc:v1:/);
    expect(stored.private_pem).not.toContain('PRIVATE KEY');
    expect(decryptPrivateKey(stored.private_pem, 'a-long-enough-secret-for-the-tests-0001').type).toBe('private');
    expect(() => decryptPrivateKey(stored.private_pem, 'another-secret-of-enough-length-000002')).toThrow(SigningKeyError);
    expect(() => decryptPrivateKey(stored.private_pem, undefined)).toThrow(/AUTOPACK_SECRET_KEY is required/);
  });

  it('rotate with overlap: published before signing, old keys verify for one token lifetime more', async () => {
    const first = await generateSigningKey(t0, t0, undefined);
    const plan = planRotation([first], at(100), { publishLeadSeconds: 60, tokenTtlSeconds: 3600 });
    expect(plan.activatesAt).toEqual(at(160));
    const second = await generateSigningKey(at(100), plan.activatesAt, undefined);
    const retired = { ...first, ...plan.retire[0]! };
    const keys = [retired, second];

    expect(currentSigningKey(keys, at(120))?.kid).toBe(first.kid);
    expect(buildJwks(verificationKeys(keys, at(120))).keys.map((k) => k.kid).sort()).toEqual([first.kid, second.kid].sort());
    expect(currentSigningKey(keys, at(160))?.kid).toBe(second.kid);
    expect(verificationKeys(keys, at(160 + 3599)).map((k) => k.kid)).toContain(first.kid);
    expect(verificationKeys(keys, at(160 + 3600)).map((k) => k.kid)).toEqual([second.kid]);
  });

  it('publish RS256 public keys only in JWKS', async () => {
    const stored = await generateSigningKey(t0, t0, undefined);
    const [jwk] = buildJwks([stored]).keys;
    expect(jwk).toEqual({ kty: 'RSA', n: expect.any(String), e: 'AQAB', kid: stored.kid, alg: 'RS256', use: 'sig' });
    expect(JSON.stringify(jwk)).not.toMatch(/"d"|"p"|"q"/);
  });
});
