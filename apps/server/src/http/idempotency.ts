import { createHash } from 'node:crypto';
import type { Request } from 'express';
import { IDEMPOTENCY_KEY_PATTERN } from '@autopack/contracts';
import {
  findIdempotentAnswer,
  reserveIdempotencyKey,
  storeIdempotentAnswer,
  transaction,
  type Db,
  type IdempotencyScope,
} from '@autopack/db';
import type { Clock } from '../clock';
import { hashLeaseToken } from '../kernel';
import { AppError, validationError } from './app-error';

export interface StoredResult {
  status: number;
  body: unknown;
}

/** A 204 wrote nothing: it is not stored, and its transaction (holding the key) is rolled back. */
class NothingToStore extends Error {
  constructor(readonly result: StoredResult) {
    super('nothing to store');
  }
}

/** The `Idempotency-Key` of a write, checked; undefined when the request has none. */
export function idempotencyKeyOf(req: Request): string | undefined {
  const key = req.get('idempotency-key');
  if (key === undefined) return undefined;
  if (!IDEMPOTENCY_KEY_PATTERN.test(key)) {
    throw validationError([{ path: 'header.idempotency-key', message: `must match ${IDEMPOTENCY_KEY_PATTERN.source}` }]);
  }
  return key;
}

/**
 * What makes two requests "the same": method, URL, body and lease. A key replayed under another
 * lease is not a repeat: the first answer belongs to whoever held the phase then (SPEC §4.3).
 */
export function requestFingerprint(req: Request): string {
  const lease = req.get('x-lease-token');
  return createHash('sha256')
    .update(`${req.method} ${req.originalUrl}\n${lease === undefined ? '-' : hashLeaseToken(lease)}\n${JSON.stringify(req.body ?? null)}`)
    .digest('hex');
}

/**
 * Runs a write at most once per (principal, route, key): the key is reserved in the same
 * transaction as the write and the answer stored with it, so either both commit or neither does.
 * A repeat — even one racing the first on another connection — answers the stored answer.
 */
export async function runOnce<R extends StoredResult>(
  db: Db,
  clock: Clock,
  scope: IdempotencyScope | undefined,
  fingerprint: string,
  fn: (db: Db) => Promise<R>,
): Promise<{ result: R | StoredResult; replayed: boolean }> {
  if (!scope) return { result: await fn(db), replayed: false };
  try {
    return await transaction(db, async (trx) => {
      if (!(await reserveIdempotencyKey(trx, scope, fingerprint, clock.now()))) {
        const stored = await findIdempotentAnswer(trx, scope);
        if (!stored || stored.status === null) throw new Error('idempotency key stored without its answer');
        if (stored.request_hash !== fingerprint) {
          throw new AppError(
            'idempotency_key_reused',
            422,
            'this Idempotency-Key was used for a different request (method, URL, body or lease token); use a new key per request',
          );
        }
        return { result: { status: stored.status, body: stored.body }, replayed: true };
      }
      const result = await fn(trx);
      if (result.status === 204) throw new NothingToStore(result);
      await storeIdempotentAnswer(trx, scope, result.status, result.body);
      return { result, replayed: false };
    });
  } catch (err) {
    if (err instanceof NothingToStore) return { result: err.result, replayed: false };
    throw err;
  }
}
