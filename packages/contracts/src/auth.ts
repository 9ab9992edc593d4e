import { z } from 'zod';
import { Timestamp } from './common';
import { Role } from './roles';

const username = z
  .string()
  .min(3)
  .max(64)
  .regex(/^[A-Za-z0-9][A-Za-z0-9._@-]*$/, { message: 'letters, digits, ".", "_", "@" or "-", starting with a letter or digit' });
const password = z.string().min(12, { message: 'must be at least 12 characters' }).max(1024);

/** JSON or an OAuth2 password-grant form (`application/x-www-form-urlencoded`). */
export const LoginRequest = z.strictObject({
  username: z.string().min(1).max(64),
  password: z.string().min(1).max(1024),
  grant_type: z.literal('password').optional(),
  scope: z.string().max(1024).optional(),
});
export type LoginRequest = z.infer<typeof LoginRequest>;

export const TokenResponse = z.strictObject({
  access_token: z.string(),
  token_type: z.literal('bearer'),
  expires_in: z.int().min(1),
  role: Role,
});
export type TokenResponse = z.infer<typeof TokenResponse>;

export const RegisterRequest = z.strictObject({ username, password });
export type RegisterRequest = z.infer<typeof RegisterRequest>;

export const CreateUserRequest = z.strictObject({ username, password, role: Role });
export type CreateUserRequest = z.infer<typeof CreateUserRequest>;

export const User = z.strictObject({
  id: z.string(),
  username: z.string(),
  role: Role,
  created_at: Timestamp,
});
export type User = z.infer<typeof User>;

export const Me = z.strictObject({
  kind: z.enum(['user', 'api_key', 'anonymous']),
  id: z.string().describe('The actor name recorded in events, e.g. "user:alice" or "key:3f9c2a1b7d0e"'),
  role: Role,
  name: z.string(),
});
export type Me = z.infer<typeof Me>;

export const CreateApiKeyRequest = z.strictObject({
  name: z.string().trim().min(1).max(100),
  role: Role,
  expires_in_days: z.int().min(1).max(3650).optional(),
});
export type CreateApiKeyRequest = z.infer<typeof CreateApiKeyRequest>;

export const ApiKey = z.strictObject({
  id: z.string().describe('Public id: the part after "apk_"'),
  name: z.string(),
  role: Role,
  created_by: z.string(),
  created_at: Timestamp,
  last_used_at: Timestamp.nullable(),
  expires_at: Timestamp.nullable(),
  revoked_at: Timestamp.nullable(),
});
export type ApiKey = z.infer<typeof ApiKey>;

export const CreatedApiKey = ApiKey.extend({
  key: z.string().describe('The key itself: shown this once, stored only as a hash'),
});
export type CreatedApiKey = z.infer<typeof CreatedApiKey>;

export const ApiKeyList = z.strictObject({ api_keys: z.array(ApiKey) });
export const ApiKeyPathParams = z.strictObject({ key_id: z.string().regex(/^[0-9a-z]{12}$/, { message: 'not an API key id' }) });

export const Jwks = z.strictObject({
  keys: z.array(
    z.strictObject({
      kty: z.string(),
      n: z.string(),
      e: z.string(),
      kid: z.string(),
      alg: z.literal('RS256'),
      use: z.literal('sig'),
    }),
  ),
});
export type Jwks = z.infer<typeof Jwks>;

export const RotationResult = z.strictObject({
  kid: z.string().describe('The new key: in JWKS now, signing from activates_at'),
  activates_at: Timestamp,
  retired: z.array(z.strictObject({ kid: z.string(), retired_at: Timestamp, expires_at: Timestamp })),
});
export type RotationResult = z.infer<typeof RotationResult>;
