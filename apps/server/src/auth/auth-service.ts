import { randomUUID } from 'node:crypto';
import { burnPasswordCheck, generateApiKey, hashPassword, signAccessToken, verifyPassword } from '@autopack/auth';
import type { ApiKey, CreateApiKeyRequest, CreatedApiKey, Me, Role, TokenResponse, User } from '@autopack/contracts';
import {
  findUserByLogin,
  findUsersByLogins,
  findUserByUsername,
  insertApiKey,
  insertUser,
  listApiKeys as listKeyRows,
  revokeApiKey as revokeKeyRow,
  touchUserLogin,
  type ApiKeyRow,
  type Db,
  type UserRow,
} from '@autopack/db';
import type { Clock } from '../clock';
import { AppError, conflict, notFound } from '../http/app-error';
import type { Principal } from '../http/request-context';
import type { Keyring } from './keyring';

const isUniqueViolation = (err: unknown) => (err as { code?: unknown })?.code === '23505';
const iso = (d: Date | null) => (d ? d.toISOString() : null);

/**
 * The predecessor's `UserResponse`, plus our role. Users are never edited after creation (there is
 * no update route), so `updated_at` is when the user last changed: created, or disabled.
 */
export function toUser(row: UserRow): User {
  const updated = row.disabled_at && row.disabled_at > row.created_at ? row.disabled_at : row.created_at;
  return {
    id: row.id,
    username: row.username,
    email: row.email,
    is_active: row.disabled_at === null,
    is_superuser: row.role === 'admin',
    created_at: row.created_at.toISOString(),
    updated_at: updated.toISOString(),
    role: row.role,
  };
}

export function toApiKey(row: ApiKeyRow, now: Date): ApiKey {
  return {
    id: row.id,
    name: row.name,
    description: row.description,
    is_active: row.revoked_at === null && (row.expires_at === null || row.expires_at > now),
    role: row.role,
    created_by: row.created_by,
    created_at: row.created_at.toISOString(),
    last_used_at: iso(row.last_used_at),
    expires_at: iso(row.expires_at),
    revoked_at: iso(row.revoked_at),
  };
}

export class AuthService {
  constructor(
    private readonly db: Db,
    private readonly clock: Clock,
    private readonly keyring: Keyring,
    private readonly tokenSettings: { issuer: string; audience: string; ttlSeconds: number },
  ) {}

  /**
   * By username or by email. Same answer and about the same time for an unknown username, an
   * unknown email and a wrong password: one query finds either, and a miss still hashes once.
   */
  async login(login: string, password: string): Promise<TokenResponse> {
    const user = await findUserByLogin(this.db, login);
    const ok = user ? await verifyPassword(password, user.password_hash) : (await burnPasswordCheck(), false);
    if (!user || !ok || user.disabled_at !== null) {
      throw new AppError('invalid_credentials', 401, 'wrong username, email or password');
    }
    const now = this.clock.now();
    await touchUserLogin(this.db, user.id, now);
    const { token } = signAccessToken({ sub: `user:${user.id}`, role: user.role }, await this.keyring.signingKey(), this.tokenSettings, now);
    return { access_token: token, token_type: 'bearer', expires_in: this.tokenSettings.ttlSeconds, role: user.role };
  }

  /**
   * Usernames and emails are each unique regardless of case, and neither may equal the other of
   * another user: a login names one person, whichever of the two it is.
   */
  async createUser(user: { username: string; email: string; password: string }, role: Role): Promise<User> {
    const { username, email } = user;
    const taken = async () => {
      const clashes = await findUsersByLogins(this.db, [username, email]);
      const same = (a: string | null, b: string) => a !== null && a.toLowerCase() === b.toLowerCase();
      if (clashes.some((u) => same(u.username, username))) return 'username';
      if (clashes.some((u) => same(u.email, email))) return 'email';
      return clashes.length > 0 ? 'login' : undefined;
    };
    const refuse = (field: 'username' | 'email' | 'login') =>
      conflict(
        'user_exists',
        field === 'username'
          ? `a user named "${username}" already exists`
          : field === 'email'
            ? 'a user with this email already exists'
            : 'this username is another user\'s email, or this email is another user\'s username',
      );
    const before = await taken();
    if (before) throw refuse(before);
    const hash = await hashPassword(user.password);
    try {
      const row = await insertUser(this.db, {
        id: randomUUID(),
        username,
        email,
        password_hash: hash,
        role,
        created_at: this.clock.now(),
        last_login_at: null,
        disabled_at: null,
      });
      return toUser(row);
    } catch (err) {
      // Lost a race with another creation of the same name or email.
      if (isUniqueViolation(err)) throw refuse((await taken()) ?? 'username');
      throw err;
    }
  }

  /** The caller; for a user, the predecessor's UserResponse as well. */
  async me(principal: Principal): Promise<Me> {
    if (principal.kind !== 'user') {
      return { kind: principal.kind, id: principal.id, role: principal.role, name: principal.name, actor: principal.id };
    }
    const row = await findUserByUsername(this.db, principal.name);
    if (!row) throw new AppError('unauthenticated', 401, 'the user of this token no longer exists or is disabled');
    return { kind: 'user', ...toUser(row), name: row.username, actor: principal.id };
  }

  async createApiKey(request: CreateApiKeyRequest, createdBy: string): Promise<CreatedApiKey> {
    const { key, id, hash } = generateApiKey();
    const now = this.clock.now();
    const row = await insertApiKey(this.db, {
      id,
      name: request.name,
      description: request.description ?? null,
      role: request.role,
      hash,
      created_by: createdBy,
      created_at: now,
      last_used_at: null,
      expires_at: request.expires_in_days ? new Date(now.getTime() + request.expires_in_days * 86_400_000) : null,
      revoked_at: null,
    });
    return { ...toApiKey(row, now), key };
  }

  async listApiKeys(): Promise<ApiKey[]> {
    const now = this.clock.now();
    return (await listKeyRows(this.db)).map((row) => toApiKey(row, now));
  }

  async revokeApiKey(id: string): Promise<ApiKey> {
    const now = this.clock.now();
    const row = await revokeKeyRow(this.db, id, now);
    if (!row) throw notFound('not_found', `no API key ${id}`);
    return toApiKey(row, now);
  }
}
