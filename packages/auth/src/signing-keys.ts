import {
  createCipheriv,
  createDecipheriv,
  createHash,
  createPrivateKey,
  createPublicKey,
  generateKeyPair,
  hkdfSync,
  randomBytes,
  type KeyObject,
} from 'node:crypto';

/**
 * A JWT signing key as stored. Its life: published (in JWKS) → active (signs new tokens) →
 * retired (stops signing; still verifies its tokens) → expired (gone from JWKS; its tokens fail).
 */
export interface StoredSigningKey {
  kid: string;
  public_pem: string;
  /** PEM, or `enc:v1:<iv>:<tag>:<ciphertext>` (base64) when AUTOPACK_SECRET_KEY encrypts it. */
  private_pem: string;
  created_at: Date;
  activates_at: Date;
  retired_at: Date | null;
  expires_at: Date | null;
}

export interface SigningKey {
  kid: string;
  privateKey: KeyObject;
}

export async function generateSigningKey(
  now: Date,
  activatesAt: Date,
  secret: string | undefined,
): Promise<StoredSigningKey> {
  const { publicKey, privateKey } = await new Promise<{ publicKey: string; privateKey: string }>((resolve, reject) =>
    generateKeyPair(
      'rsa',
      { modulusLength: 2048, publicKeyEncoding: { type: 'spki', format: 'pem' }, privateKeyEncoding: { type: 'pkcs8', format: 'pem' } },
      (err, pub, priv) => (err ? reject(err) : resolve({ publicKey: pub, privateKey: priv })),
    ),
  );
  // RFC 7638-style: the kid is derived from the public key, so it never collides or lies.
  const kid = createHash('sha256').update(publicKey).digest('base64url').slice(0, 22);
  return {
    kid,
    public_pem: publicKey,
    private_pem: secret ? encryptPrivateKey(privateKey, secret) : privateKey,
    created_at: now,
    activates_at: activatesAt,
    retired_at: null,
    expires_at: null,
  };
}

function encryptionKey(secret: string): Buffer {
  return Buffer.from(hkdfSync('sha256', secret, 'autopack', 'signing-keys-v1', 32));
}

export function encryptPrivateKey(pem: string, secret: string): string {
  const iv = randomBytes(12);
  const cipher = createCipheriv('aes-256-gcm', encryptionKey(secret), iv);
  const data = Buffer.concat([cipher.update(pem, 'utf8'), cipher.final()]);
  return ['enc', 'v1', iv.toString('base64'), cipher.getAuthTag().toString('base64'), data.toString('base64')].join(':');
}

export class SigningKeyError extends Error {}

export function decryptPrivateKey(stored: string, secret: string | undefined): KeyObject {
  if (!stored.startsWith('enc:')) return createPrivateKey(stored);
  if (!secret) throw new SigningKeyError('signing keys are encrypted: AUTOPACK_SECRET_KEY is required to use them');
  const [, version, iv, tag, data] = stored.split(':');
  if (version !== 'v1' || !iv || !tag || !data) throw new SigningKeyError('unknown signing key encryption format');
  try {
    const decipher = createDecipheriv('aes-256-gcm', encryptionKey(secret), Buffer.from(iv, 'base64'));
    decipher.setAuthTag(Buffer.from(tag, 'base64'));
    const pem = Buffer.concat([decipher.update(Buffer.from(data, 'base64')), decipher.final()]).toString('utf8');
    return createPrivateKey(pem);
  } catch {
    throw new SigningKeyError('cannot decrypt the signing keys: AUTOPACK_SECRET_KEY is not the one they were stored with');
  }
}

/** The key that signs now: the newest active one that is not retired. */
export function currentSigningKey(keys: readonly StoredSigningKey[], now: Date): StoredSigningKey | undefined {
  return keys
    .filter((k) => k.activates_at <= now && (k.retired_at === null || k.retired_at > now))
    .sort((a, b) => b.activates_at.getTime() - a.activates_at.getTime())[0];
}

/** Keys whose tokens still verify: published and not expired (JWKS lists exactly these). */
export function verificationKeys(keys: readonly StoredSigningKey[], now: Date): StoredSigningKey[] {
  return keys.filter((k) => k.expires_at === null || k.expires_at > now);
}

export interface RotationPlan {
  /** When the new key starts signing: published first, so verifiers can fetch it beforehand. */
  activatesAt: Date;
  /** Keys to retire when the new one activates, and when their last tokens expire. */
  retire: { kid: string; retired_at: Date; expires_at: Date }[];
}

/**
 * Rotation with overlap: the new key is in JWKS `publishLeadSeconds` before it signs; every key
 * signing until then retires at that moment and stays verifiable for one token lifetime more.
 */
export function planRotation(
  keys: readonly StoredSigningKey[],
  now: Date,
  opts: { publishLeadSeconds: number; tokenTtlSeconds: number },
): RotationPlan {
  const activatesAt = new Date(now.getTime() + opts.publishLeadSeconds * 1000);
  const retire = keys
    .filter((k) => k.retired_at === null || k.retired_at > activatesAt)
    .map((k) => ({
      kid: k.kid,
      retired_at: activatesAt,
      expires_at: new Date(activatesAt.getTime() + opts.tokenTtlSeconds * 1000),
    }));
  return { activatesAt, retire };
}

export interface Jwk {
  kty: string;
  n: string;
  e: string;
  kid: string;
  alg: 'RS256';
  use: 'sig';
}

export function buildJwks(keys: readonly StoredSigningKey[]): { keys: Jwk[] } {
  return {
    keys: keys.map((k) => {
      const jwk = createPublicKey(k.public_pem).export({ format: 'jwk' }) as { kty: string; n: string; e: string };
      return { kty: jwk.kty, n: jwk.n, e: jwk.e, kid: k.kid, alg: 'RS256', use: 'sig' };
    }),
  };
}
