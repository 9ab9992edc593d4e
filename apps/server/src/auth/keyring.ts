import type { KeyObject } from 'node:crypto';
import {
  buildJwks,
  currentSigningKey,
  decryptPrivateKey,
  encryptPrivateKey,
  generateSigningKey,
  planRotation,
  TokenError,
  verificationKeys,
  verifyAccessToken,
  type AccessClaims,
  type SigningKey,
  type StoredSigningKey,
} from '@autopack/auth';
import type { Jwks, KeyStatus, RotationResult } from '@autopack/contracts';
import { insertSigningKey, listSigningKeys, lockSigningKeys, replaceSigningKeyPem, retireSigningKey, transaction, type Db } from '@autopack/db';
import type { Clock } from '../clock';

export interface KeyringSettings {
  secret: string | undefined;
  issuer: string;
  audience: string;
  ttlSeconds: number;
  publishLeadSeconds: number;
}

const REFRESH_MS = 60_000;
/** An unknown kid may mean another instance rotated; reload then, but not more often than this. */
const UNKNOWN_KID_RELOAD_MS = 10_000;

/**
 * The JWT signing keys, persisted in the database (so tokens survive restarts and are shared by
 * every instance) and cached here. Private keys are decrypted only when they sign.
 */
export class Keyring {
  private keys: StoredSigningKey[] = [];
  private loadedAt = -Infinity;
  private decrypted = new Map<string, KeyObject>();

  constructor(
    private readonly db: Db,
    private readonly clock: Clock,
    private readonly settings: KeyringSettings,
  ) {}

  /** Makes sure a key can sign now (first start), and checks that the secret opens it. */
  async ensureSigningKey(): Promise<void> {
    await this.encryptPlainKeys();
    await this.reload();
    if (!currentSigningKey(this.keys, this.clock.now())) {
      await transaction(this.db, async (trx) => {
        await lockSigningKeys(trx);
        if (currentSigningKey(await listSigningKeys(trx), this.clock.now())) return;
        const now = this.clock.now();
        await insertSigningKey(trx, await generateSigningKey(now, now, this.settings.secret));
      });
      await this.reload();
    }
    const stored = currentSigningKey(this.keys, this.clock.now())!;
    decryptPrivateKey(stored.private_pem, this.settings.secret);
  }

  /**
   * Keys a start without AUTOPACK_SECRET_KEY stored in plain text are encrypted as soon as a
   * secret is configured: otherwise a production server would keep signing with a key that any
   * reader of the database has, whatever secret it was given.
   */
  private async encryptPlainKeys(): Promise<void> {
    const secret = this.settings.secret;
    if (!secret) return;
    await transaction(this.db, async (trx) => {
      await lockSigningKeys(trx);
      for (const key of await listSigningKeys(trx)) {
        if (!key.private_pem.startsWith('enc:')) await replaceSigningKeyPem(trx, key.kid, encryptPrivateKey(key.private_pem, secret));
      }
    });
  }

  async signingKey(): Promise<SigningKey> {
    await this.refreshIfStale();
    let stored = currentSigningKey(this.keys, this.clock.now());
    if (!stored) {
      await this.ensureSigningKey();
      stored = currentSigningKey(this.keys, this.clock.now());
    }
    if (!stored) throw new Error('no JWT signing key is active');
    let privateKey = this.decrypted.get(stored.kid);
    if (!privateKey) {
      privateKey = decryptPrivateKey(stored.private_pem, this.settings.secret);
      this.decrypted.set(stored.kid, privateKey);
    }
    return { kid: stored.kid, privateKey };
  }

  async verify(token: string): Promise<AccessClaims> {
    await this.refreshIfStale();
    try {
      return verifyAccessToken(token, this.publicKeys(), this.settings, this.clock.now());
    } catch (err) {
      if (!(err instanceof TokenError && err.reason === 'unknown_key')) throw err;
      if (performance.now() - this.loadedAt < UNKNOWN_KID_RELOAD_MS) throw err;
      await this.reload();
      return verifyAccessToken(token, this.publicKeys(), this.settings, this.clock.now());
    }
  }

  async jwks(): Promise<Jwks> {
    await this.refreshIfStale();
    return buildJwks(verificationKeys(this.keys, this.clock.now()));
  }

  /**
   * The predecessor's key status. Autopack always generates its signing keys itself and keeps them
   * in the database (never from the environment), hence `generated`.
   */
  async status(): Promise<KeyStatus> {
    await this.refreshIfStale();
    const now = this.clock.now();
    const active = currentSigningKey(this.keys, now);
    return { keys_loaded: active !== undefined, source: 'generated', active_kid: active?.kid ?? null, keys: verificationKeys(this.keys, now).length };
  }

  /** Publishes a new key now; it signs after the publish lead; the old ones verify one TTL more. */
  async rotate(): Promise<RotationResult> {
    const result = await transaction(this.db, async (trx) => {
      await lockSigningKeys(trx);
      const now = this.clock.now();
      const plan = planRotation(await listSigningKeys(trx), now, {
        publishLeadSeconds: this.settings.publishLeadSeconds,
        tokenTtlSeconds: this.settings.ttlSeconds,
      });
      const fresh = await generateSigningKey(now, plan.activatesAt, this.settings.secret);
      await insertSigningKey(trx, fresh);
      for (const r of plan.retire) await retireSigningKey(trx, r.kid, r.retired_at, r.expires_at);
      return {
        kid: fresh.kid,
        activates_at: plan.activatesAt.toISOString(),
        retired: plan.retire.map((r) => ({
          kid: r.kid,
          retired_at: r.retired_at.toISOString(),
          expires_at: r.expires_at.toISOString(),
        })),
      };
    });
    await this.reload();
    return result;
  }

  private publicKeys(): Map<string, string> {
    return new Map(verificationKeys(this.keys, this.clock.now()).map((k) => [k.kid, k.public_pem]));
  }

  private async refreshIfStale(): Promise<void> {
    if (performance.now() - this.loadedAt > REFRESH_MS) await this.reload();
  }

  private async reload(): Promise<void> {
    this.keys = await listSigningKeys(this.db);
    this.loadedAt = performance.now();
  }
}
