import type { Request } from 'express';
import { apiKeyMatches, hashApiKey, isLegacyApiKey, parseApiKey, TokenError } from '@autopack/auth';
import { anyCredentialExists, findApiKey, findApiKeyByHash, findUserById, touchApiKey, type ApiKeyRow, type Db } from '@autopack/db';
import type { Clock } from '../clock';
import type { ServerConfig } from '../config';
import { AppError } from '../http/app-error';
import type { Principal } from '../http/request-context';
import type { Keyring } from './keyring';

const TOUCH_EVERY_MS = 60_000;

const unauthenticated = (message: string) => new AppError('unauthenticated', 401, message);

/**
 * Who is calling. API keys (`X-API-Key`, or `Authorization: Bearer apk_…`) for machines, RS256
 * access tokens (`Authorization: Bearer <jwt>`) for people. Credentials that are present but
 * wrong are refused outright, never treated as anonymous.
 */
export class AccessControl {
  /** Once any credential exists the server enforces authentication, and never goes back. */
  private enforced: boolean;

  constructor(
    private readonly db: Db,
    private readonly clock: Clock,
    private readonly config: ServerConfig,
    readonly keyring: Keyring,
  ) {
    this.enforced = config.env === 'production';
  }

  /** Development with no key and no user yet: every caller is the anonymous admin. */
  async isOpen(): Promise<boolean> {
    if (this.enforced) return false;
    if (await anyCredentialExists(this.db)) this.enforced = true;
    return !this.enforced;
  }

  async authenticate(req: Request): Promise<Principal | undefined> {
    // Node keeps only the first of several Authorization headers: refuse rather than pick one.
    if (req.rawHeaders.filter((h, i) => i % 2 === 0 && h.toLowerCase() === 'authorization').length > 1) {
      throw unauthenticated('send one credential: several Authorization headers');
    }
    const apiKey = req.get('x-api-key');
    const authorization = req.get('authorization');
    if (apiKey !== undefined && authorization !== undefined) {
      throw unauthenticated('send one credential: X-API-Key or Authorization, not both');
    }
    if (apiKey !== undefined) return this.fromApiKey(apiKey.trim());
    if (authorization === undefined) return undefined;
    const match = /^Bearer\s+(\S+)$/i.exec(authorization.trim());
    if (!match) throw unauthenticated('Authorization must be "Bearer <token>"');
    const credential = match[1]!;
    return credential.startsWith('apk_') ? this.fromApiKey(credential) : this.fromToken(credential);
  }

  private async fromApiKey(key: string): Promise<Principal> {
    // Format and checksum first: typos and garbage never reach the database. A free-form key (the
    // predecessor's AUTOPACK_API_KEY) has no id inside: it is looked up by its hash.
    const parsed = parseApiKey(key);
    let row: ApiKeyRow | undefined;
    if (parsed) row = await findApiKey(this.db, parsed.id);
    else if (isLegacyApiKey(key)) row = await findApiKeyByHash(this.db, hashApiKey(key));
    else throw unauthenticated('malformed API key (apk_<id>_<secret>; the checksum does not match)');
    const now = this.clock.now();
    if (!row || !apiKeyMatches(key, row.hash)) throw unauthenticated('unknown API key');
    if (row.revoked_at !== null) throw unauthenticated('API key revoked');
    if (row.expires_at !== null && row.expires_at <= now) throw unauthenticated('API key expired');
    await touchApiKey(this.db, row.id, now, TOUCH_EVERY_MS);
    return { kind: 'api_key', id: `key:${row.id}`, role: row.role, name: row.name };
  }

  private async fromToken(token: string): Promise<Principal> {
    let claims;
    try {
      claims = await this.keyring.verify(token);
    } catch (err) {
      if (err instanceof TokenError) throw unauthenticated(err.message);
      throw err;
    }
    // The user must still exist and be enabled: disabling someone is effective at once.
    const userId = claims.sub.startsWith('user:') ? claims.sub.slice(5) : '';
    const user = userId ? await findUserById(this.db, userId) : undefined;
    if (!user || user.disabled_at !== null) throw unauthenticated('the user of this token no longer exists or is disabled');
    return { kind: 'user', id: `user:${user.username}`, role: user.role, name: user.username };
  }
}
