import { z } from 'zod';
import { Count, Timestamp } from './common';
import { Role } from './roles';

const username = z
  .string()
  .min(3)
  .max(64)
  .regex(/^[A-Za-z0-9][A-Za-z0-9._@-]*$/, { message: 'letters, digits, ".", "_", "@" or "-", starting with a letter or digit' });
const password = z
  .string()
  .min(12, { message: 'must be at least 12 characters (the predecessor allowed 8; Autopack keeps 12 as its minimum)' })
  .max(1024);
/** Unique regardless of case, like usernames; stored as given. */
const email = z.email({ message: 'must be an email address' }).max(254);

/** JSON or an OAuth2 password-grant form (`application/x-www-form-urlencoded`). */
export const LoginRequest = z.strictObject({
  username: z.string().min(1).max(254).describe('A username or an email address'),
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

/** The predecessor's `UserCreate` body: `{username, email, password}`. */
export const RegisterRequest = z.strictObject({ username, email, password });
export type RegisterRequest = z.infer<typeof RegisterRequest>;

export const CreateUserRequest = z.strictObject({ username, email, password, role: Role });
export type CreateUserRequest = z.infer<typeof CreateUserRequest>;

/** The predecessor's `UserResponse` fields, plus `role`. */
const userFields = {
  id: z.string().describe('Opaque user id (a string; the predecessor used integers)'),
  username: z.string(),
  email: z.string().nullable().describe('null only for users created before emails were recorded'),
  is_active: z.boolean().describe('false once the user is disabled'),
  is_superuser: z.boolean().describe('true for the admin role'),
  created_at: Timestamp,
  updated_at: Timestamp,
  role: Role,
};

export const User = z.strictObject(userFields);
export type User = z.infer<typeof User>;

const actor = z.string().describe('The actor name recorded in events, e.g. "user:alice" or "key:3f9c2a1b7d0e"');

/** The caller: for a user, the predecessor's `UserResponse` plus `kind`, `name` and `actor`. */
export const Me = z.discriminatedUnion('kind', [
  z.strictObject({ kind: z.literal('user'), ...userFields, name: z.string(), actor }),
  z.strictObject({
    kind: z.enum(['api_key', 'anonymous']),
    id: actor,
    role: Role,
    name: z.string(),
    actor,
  }),
]);
export type Me = z.infer<typeof Me>;

export const CreateApiKeyRequest = z.strictObject({
  name: z.string().trim().min(1).max(100),
  description: z.string().max(500).nullish(),
  role: Role,
  expires_in_days: z.int().min(1).max(3650).optional(),
});
export type CreateApiKeyRequest = z.infer<typeof CreateApiKeyRequest>;

/** The predecessor's `APIKeyResponse` fields (`id` … `last_used_at`), plus ours. */
export const ApiKey = z.strictObject({
  id: z.string().describe('Public id: the part after "apk_" (a string; the predecessor used integers)'),
  name: z.string(),
  description: z.string().nullable(),
  is_active: z.boolean().describe('false once revoked or expired'),
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

/** A bare array, as the predecessor answered. */
export const ApiKeyList = z.array(ApiKey);
export type ApiKeyList = z.infer<typeof ApiKeyList>;
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

/** The predecessor's `{keys_loaded, source}`, about the JWT signing keys, plus ours: nothing that JWKS does not show. */
export const KeyStatus = z.strictObject({
  keys_loaded: z.boolean().describe('A key that signs now exists'),
  source: z.enum(['env', 'generated']).describe('generated: Autopack generates its signing keys and keeps them (private parts encrypted) in the database'),
  active_kid: z.string().nullable().describe('The kid that signs new tokens'),
  keys: Count.describe('Keys in JWKS: the active one, a published next one, retired ones still verifying'),
});
export type KeyStatus = z.infer<typeof KeyStatus>;
