import { generateApiKey, hashPassword } from '@autopack/auth';
import type { Role } from '@autopack/contracts';
import { insertApiKey, insertUser } from '@autopack/db';
import type { TestApp } from './test-app';

export const ROLES_AND_ANONYMOUS = ['anonymous', 'viewer', 'executor', 'operator', 'admin'] as const;
export type Caller = (typeof ROLES_AND_ANONYMOUS)[number];

let counter = 0;

/** An API key of `role`, written straight to the database (as `keys create` does). */
export async function apiKeyFor(t: TestApp, role: Role, opts: { revoked?: boolean; expiresAt?: Date } = {}): Promise<{ key: string; id: string }> {
  const { key, id, hash } = generateApiKey();
  await insertApiKey(t.database.db, {
    id,
    name: `${role}-${++counter}`,
    role,
    hash,
    created_by: 'test',
    created_at: t.clock.now(),
    last_used_at: null,
    expires_at: opts.expiresAt ?? null,
    revoked_at: opts.revoked ? t.clock.now() : null,
  });
  return { key, id };
}

/** A user of `role` with a (cheaply hashed) password. */
export async function userFor(t: TestApp, role: Role, username = `${role}-user-${++counter}`) {
  const password = `pw-${username}-0123456789`;
  await insertUser(t.database.db, {
    id: `${username}-id`,
    username,
    password_hash: await hashPassword(password, { N: 1024, r: 8, p: 1, keylen: 32 }),
    role,
    created_at: t.clock.now(),
    last_login_at: null,
    disabled_at: null,
  });
  return { username, password };
}

/** Headers that authenticate as `caller` (none for anonymous). */
export async function headersFor(t: TestApp, caller: Caller): Promise<Record<string, string>> {
  if (caller === 'anonymous') return {};
  return { 'X-API-Key': (await apiKeyFor(t, caller)).key };
}
