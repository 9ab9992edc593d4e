import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';

/**
 * API keys look like `apk_<id>_<secret><checksum>`:
 * - `apk_` makes a leaked key recognisable (secret scanners, logs);
 * - `<id>` (12 chars) is public: it names the key in lists, events and revocations;
 * - `<secret>` (32 chars, ~190 bits) is only ever stored as a SHA-256 hash;
 * - `<checksum>` (6 chars) catches typos and truncation before any database lookup.
 */
export const API_KEY_PATTERN = /^apk_([0-9a-z]{12})_([0-9A-Za-z]{32})([0-9A-Za-z]{6})$/;

const BASE62 = '0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz';
const BASE36 = '0123456789abcdefghijklmnopqrstuvwxyz';

function randomString(alphabet: string, length: number): string {
  // Rejection sampling keeps every character uniformly likely.
  const limit = 256 - (256 % alphabet.length);
  let out = '';
  while (out.length < length) {
    for (const byte of randomBytes(length * 2)) {
      if (byte < limit && out.length < length) out += alphabet[byte % alphabet.length];
    }
  }
  return out;
}

function checksum(body: string): string {
  const digest = createHash('sha256').update(body).digest();
  let n = digest.readBigUInt64BE(0);
  let out = '';
  for (let i = 0; i < 6; i++) {
    out += BASE62[Number(n % 62n)];
    n /= 62n;
  }
  return out;
}

export interface ParsedApiKey {
  id: string;
}

/** Format and checksum only (no database): `null` for anything that is not a well-formed key. */
export function parseApiKey(text: string): ParsedApiKey | null {
  const match = API_KEY_PATTERN.exec(text);
  if (!match) return null;
  const [, id, secret, sum] = match as unknown as [string, string, string, string];
  return checksum(`apk_${id}_${secret}`) === sum ? { id } : null;
}

export interface NewApiKey {
  /** Shown once to its owner, never stored. */
  key: string;
  id: string;
  /** What is stored: SHA-256 of the whole key, hex. */
  hash: string;
}

/** A fresh public key id (12 characters, base 36). */
export function newApiKeyId(): string {
  return randomString(BASE36, 12);
}

export function generateApiKey(): NewApiKey {
  const id = newApiKeyId();
  const body = `apk_${id}_${randomString(BASE62, 32)}`;
  const key = body + checksum(body);
  return { key, id, hash: hashApiKey(key) };
}

export function hashApiKey(key: string): string {
  return createHash('sha256').update(key).digest('hex');
}

/** Constant-time comparison of a presented key with a stored hash. */
export function apiKeyMatches(key: string, storedHash: string): boolean {
  const presented = createHash('sha256').update(key).digest();
  const stored = Buffer.from(storedHash, 'hex');
  return stored.length === presented.length && timingSafeEqual(presented, stored);
}

export const LEGACY_API_KEY_MIN_LENGTH = 32;

/**
 * The predecessor's `AUTOPACK_API_KEY`: a free-form secret, accepted as an admin credential (sent
 * as `X-API-Key`) so its operators' scripts keep working. Not an `apk_` key (a mistyped one must
 * not pass as free-form), at least 32 characters, and only visible ASCII, which an HTTP header
 * carries unchanged. It has no public id inside, so the server finds it by its hash.
 */
export function isLegacyApiKey(text: string): boolean {
  return !text.startsWith('apk_') && text.length >= LEGACY_API_KEY_MIN_LENGTH && text.length <= 1024 && /^[\x21-\x7e]+$/.test(text);
}
