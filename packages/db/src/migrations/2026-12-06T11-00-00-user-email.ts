import { sql, type Kysely } from 'kysely';

// eslint-disable-next-line @typescript-eslint/no-explicit-any -- migrations must not depend on the evolving schema type
export async function up(db: Kysely<any>): Promise<void> {
  // Nullable: users created before this migration have none and keep logging in by username.
  await db.schema.alterTable('users').addColumn('email', 'text').execute();
  // Emails are unique regardless of case, like usernames: "Bob@x.org" and "bob@x.org" are one person.
  await sql`create unique index users_email_lower on users (lower(email))`.execute(db);
  // The predecessor's API keys carried an optional description.
  await db.schema.alterTable('api_keys').addColumn('description', 'text').execute();
  // Free-form keys are found by their hash: one row per hash, even when two instances store it at once.
  await sql`create unique index api_keys_hash on api_keys (hash)`.execute(db);
}

// eslint-disable-next-line @typescript-eslint/no-explicit-any -- see up()
export async function down(db: Kysely<any>): Promise<void> {
  await sql`drop index api_keys_hash`.execute(db);
  await db.schema.alterTable('api_keys').dropColumn('description').execute();
  await sql`drop index users_email_lower`.execute(db);
  await db.schema.alterTable('users').dropColumn('email').execute();
}
