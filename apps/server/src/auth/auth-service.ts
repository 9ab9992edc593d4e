import { randomUUID } from 'node:crypto';
import { burnPasswordCheck, generateApiKey, hashPassword, signAccessToken, verifyPassword } from '@autopack/auth';
import type { ApiKey, CreateApiKeyRequest, CreatedApiKey, Role, TokenResponse, User } from '@autopack/contracts';
import {
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
import type { Keyring } from './keyring';

const isUniqueViolation = (err: unknown) => (err as { code?: unknown })?.code === '23505';
const iso = (d: Date | null) => (d ? d.toISOString() : null);

export function toUser(row: UserRow): User {
  return { id: row.id, username: row.username, role: row.role, created_at: row.created_at.toISOString() };
}

export function toApiKey(row: ApiKeyRow): ApiKey {
  return {
    id: row.id,
    name: row.name,
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

  /** Same answer and about the same time for an unknown user and a wrong password. */
  async login(username: string, password: string): Promise<TokenResponse> {
    const user = await findUserByUsername(this.db, username);
    const ok = user ? await verifyPassword(password, user.password_hash) : (await burnPasswordCheck(), false);
    if (!user || !ok || user.disabled_at !== null) {
      throw new AppError('invalid_credentials', 401, 'wrong username or password');
    }
    const now = this.clock.now();
    await touchUserLogin(this.db, user.id, now);
    const { token } = signAccessToken({ sub: `user:${user.id}`, role: user.role }, await this.keyring.signingKey(), this.tokenSettings, now);
    return { access_token: token, token_type: 'bearer', expires_in: this.tokenSettings.ttlSeconds, role: user.role };
  }

  async createUser(username: string, password: string, role: Role): Promise<User> {
    const hash = await hashPassword(password);
    try {
      const row = await insertUser(this.db, {
        id: randomUUID(),
        username,
        password_hash: hash,
        role,
        created_at: this.clock.now(),
        last_login_at: null,
        disabled_at: null,
      });
      return toUser(row);
    } catch (err) {
      if (isUniqueViolation(err)) throw conflict('user_exists', `a user named "${username}" already exists`);
      throw err;
    }
  }

  async createApiKey(request: CreateApiKeyRequest, createdBy: string): Promise<CreatedApiKey> {
    const { key, id, hash } = generateApiKey();
    const now = this.clock.now();
    const row = await insertApiKey(this.db, {
      id,
      name: request.name,
      role: request.role,
      hash,
      created_by: createdBy,
      created_at: now,
      last_used_at: null,
      expires_at: request.expires_in_days ? new Date(now.getTime() + request.expires_in_days * 86_400_000) : null,
      revoked_at: null,
    });
    return { ...toApiKey(row), key };
  }

  async listApiKeys(): Promise<ApiKey[]> {
    return (await listKeyRows(this.db)).map(toApiKey);
  }

  async revokeApiKey(id: string): Promise<ApiKey> {
    const row = await revokeKeyRow(this.db, id, this.clock.now());
    if (!row) throw notFound('not_found', `no API key ${id}`);
    return toApiKey(row);
  }
}
