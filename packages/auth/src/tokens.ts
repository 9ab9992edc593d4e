import { createPublicKey, type KeyObject } from 'node:crypto';
import jwt from 'jsonwebtoken';
import { z } from 'zod';
import { Role } from '@autopack/contracts';
import type { SigningKey } from './signing-keys';

export interface TokenSettings {
  issuer: string;
  audience: string;
  ttlSeconds: number;
}

export const AccessClaims = z.object({
  sub: z.string().min(1),
  role: Role,
  iss: z.string(),
  aud: z.union([z.string(), z.array(z.string())]),
  iat: z.number(),
  exp: z.number(),
});
export type AccessClaims = z.infer<typeof AccessClaims>;

export function signAccessToken(
  subject: { sub: string; role: Role },
  key: SigningKey,
  settings: TokenSettings,
  now: Date,
): { token: string; expiresAt: Date } {
  const iat = Math.floor(now.getTime() / 1000);
  const token = jwt.sign({ role: subject.role, iat, exp: iat + settings.ttlSeconds }, key.privateKey, {
    algorithm: 'RS256',
    keyid: key.kid,
    subject: subject.sub,
    issuer: settings.issuer,
    audience: settings.audience,
  });
  return { token, expiresAt: new Date((iat + settings.ttlSeconds) * 1000) };
}

const CLOCK_SKEW_SECONDS = 60;

/** Why a token was refused; the message is safe to show (no token content). */
export class TokenError extends Error {
  constructor(readonly reason: 'malformed' | 'algorithm' | 'unknown_key' | 'expired' | 'not_yet_valid' | 'invalid') {
    super(
      {
        malformed: 'malformed token',
        algorithm: 'token algorithm not accepted (RS256 only)',
        unknown_key: 'token signed by an unknown or retired key',
        expired: 'token expired',
        not_yet_valid: 'token not valid yet',
        invalid: 'invalid token (signature, issuer, audience or claims)',
      }[reason],
    );
  }
}

/**
 * Verifies an access token: header alg must be RS256 and its kid one of `publicKeys` (so `none`,
 * HS256-with-the-public-key and unknown keys never reach a signature check with the wrong key);
 * then signature, exp, nbf, iss and aud with the algorithm pinned; then the claims' shape.
 */
export function verifyAccessToken(
  token: string,
  publicKeys: ReadonlyMap<string, KeyObject | string>,
  settings: Pick<TokenSettings, 'issuer' | 'audience'> & { ttlSeconds?: number },
  now: Date,
): AccessClaims {
  if (!/^[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+$/.test(token)) throw new TokenError('malformed');
  const decoded = jwt.decode(token, { complete: true });
  if (!decoded || typeof decoded.payload === 'string') throw new TokenError('malformed');
  if (decoded.header.alg !== 'RS256') throw new TokenError('algorithm');
  // We never issue critical extensions; RFC 7515 §4.1.11 says a verifier must refuse ones it does not know.
  if ('crit' in decoded.header) throw new TokenError('malformed');
  const key = decoded.header.kid ? publicKeys.get(decoded.header.kid) : undefined;
  if (!key) throw new TokenError('unknown_key');
  let payload: unknown;
  try {
    payload = jwt.verify(token, typeof key === 'string' ? createPublicKey(key) : key, {
      algorithms: ['RS256'],
      issuer: settings.issuer,
      audience: settings.audience,
      clockTimestamp: Math.floor(now.getTime() / 1000),
    });
  } catch (err) {
    if (err instanceof jwt.TokenExpiredError) throw new TokenError('expired');
    if (err instanceof jwt.NotBeforeError) throw new TokenError('not_yet_valid');
    throw new TokenError('invalid');
  }
  const claims = AccessClaims.safeParse(payload);
  if (!claims.success) throw new TokenError('invalid');
  // Only our own keys get here; still, a token from the future or living longer than we issue
  // them was not made by signAccessToken.
  const nowSeconds = now.getTime() / 1000;
  if (claims.data.iat > nowSeconds + CLOCK_SKEW_SECONDS) throw new TokenError('not_yet_valid');
  if (settings.ttlSeconds !== undefined && claims.data.exp - claims.data.iat > settings.ttlSeconds + CLOCK_SKEW_SECONDS) {
    throw new TokenError('invalid');
  }
  return claims.data;
}
