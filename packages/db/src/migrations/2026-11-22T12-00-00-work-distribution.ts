import { sql, type Kysely } from 'kysely';

// Frozen once landed, like every migration: value lists are written out, not imported.
const FROZEN_LEASE_END_REASONS = ['complete', 'failed', 'requeued', 'released', 'expired', 'blocked', 'cancelled', 'operator'];
const FROZEN_APPROVAL_STATUSES = ['pending', 'approved', 'rejected', 'cancelled'];
const FROZEN_APPROVAL_KINDS = ['governance', 'mass_deletion', 'quality_gate', 'other'];

const oneOf = (column: string, values: readonly string[]) =>
  sql.raw(`${column} in (${values.map((v) => `'${v}'`).join(', ')})`);

// eslint-disable-next-line @typescript-eslint/no-explicit-any -- migrations must not depend on the evolving schema type
export async function up(db: Kysely<any>): Promise<void> {
  // The note that ended an attempt (failure details, test digest): the next attempt's feedback.
  await db.schema.alterTable('phase_attempts').addColumn('message', 'text').execute();

  await db.schema
    .createTable('phase_leases')
    .addColumn('lease_id', 'text', (c) => c.primaryKey())
    .addColumn('run_id', 'text', (c) => c.notNull())
    .addColumn('phase_id', 'text', (c) => c.notNull())
    .addColumn('attempt', 'integer', (c) => c.notNull())
    .addColumn('executor_id', 'text', (c) => c.notNull())
    // SHA-256 of the token: a database dump does not hand out live leases.
    .addColumn('token_hash', 'text', (c) => c.notNull())
    .addColumn('created_at', 'timestamptz', (c) => c.notNull())
    .addColumn('expires_at', 'timestamptz', (c) => c.notNull())
    .addColumn('heartbeat_at', 'timestamptz')
    .addColumn('stage', 'text')
    .addColumn('progress', 'real')
    .addColumn('cancel_requested', 'boolean', (c) => c.notNull().defaultTo(false))
    .addColumn('ended_at', 'timestamptz')
    .addColumn('end_reason', 'text', (c) => c.check(sql`end_reason is null or ${oneOf('end_reason', FROZEN_LEASE_END_REASONS)}`))
    .addUniqueConstraint('phase_leases_attempt', ['run_id', 'phase_id', 'attempt'])
    .addForeignKeyConstraint('phase_leases_phase_fk', ['run_id', 'phase_id'], 'phases', ['run_id', 'phase_id'], (fk) =>
      fk.onDelete('cascade'),
    )
    .execute();
  // At most one live lease per phase, whatever the code above it does.
  await sql`create unique index phase_leases_one_live on phase_leases (run_id, phase_id) where ended_at is null`.execute(db);
  await sql`create index phase_leases_live_expiry on phase_leases (expires_at) where ended_at is null`.execute(db);

  await db.schema
    .createTable('idempotency_keys')
    .addColumn('principal', 'text', (c) => c.notNull())
    .addColumn('route', 'text', (c) => c.notNull())
    .addColumn('key', 'text', (c) => c.notNull())
    .addColumn('request_hash', 'text', (c) => c.notNull())
    .addColumn('status', 'integer')
    .addColumn('body', 'jsonb')
    .addColumn('created_at', 'timestamptz', (c) => c.notNull())
    .addPrimaryKeyConstraint('idempotency_keys_pk', ['principal', 'route', 'key'])
    .execute();
  await db.schema.createIndex('idempotency_keys_by_age').on('idempotency_keys').column('created_at').execute();

  await db.schema
    .createTable('approval_requests')
    .addColumn('request_id', 'text', (c) => c.primaryKey())
    .addColumn('kind', 'text', (c) => c.notNull().check(oneOf('kind', FROZEN_APPROVAL_KINDS)))
    .addColumn('run_id', 'text', (c) => c.notNull())
    .addColumn('phase_id', 'text', (c) => c.notNull())
    .addColumn('attempt', 'integer', (c) => c.notNull())
    .addColumn('status', 'text', (c) => c.notNull().check(oneOf('status', FROZEN_APPROVAL_STATUSES)))
    .addColumn('requested_paths', 'jsonb', (c) => c.notNull())
    .addColumn('justification', 'text', (c) => c.notNull())
    .addColumn('changed_lines', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('risk_level', 'text')
    .addColumn('auto_approved', 'boolean', (c) => c.notNull().defaultTo(false))
    .addColumn('details', 'jsonb', (c) => c.notNull())
    .addColumn('requested_by', 'text', (c) => c.notNull())
    .addColumn('decided_by', 'text')
    .addColumn('decision_reason', 'text')
    .addColumn('created_at', 'timestamptz', (c) => c.notNull())
    .addColumn('expires_at', 'timestamptz', (c) => c.notNull())
    .addColumn('decided_at', 'timestamptz')
    .addForeignKeyConstraint('approval_requests_phase_fk', ['run_id', 'phase_id'], 'phases', ['run_id', 'phase_id'], (fk) =>
      fk.onDelete('cascade'),
    )
    .execute();
  await db.schema.createIndex('approval_requests_pending').on('approval_requests').columns(['status', 'created_at']).execute();
  await db.schema.createIndex('approval_requests_by_phase').on('approval_requests').columns(['run_id', 'phase_id']).execute();

  await db.schema
    .createTable('artifacts')
    .addColumn('artifact_id', 'bigserial', (c) => c.primaryKey())
    .addColumn('run_id', 'text', (c) => c.notNull())
    .addColumn('phase_id', 'text', (c) => c.notNull())
    .addColumn('attempt', 'integer', (c) => c.notNull())
    .addColumn('kind', 'text', (c) => c.notNull())
    .addColumn('path', 'text', (c) => c.notNull())
    .addColumn('media_type', 'text', (c) => c.notNull())
    .addColumn('size_bytes', 'bigint', (c) => c.notNull())
    .addColumn('sha256', 'text', (c) => c.notNull())
    .addColumn('redacted', 'boolean', (c) => c.notNull().defaultTo(false))
    // 'database': the bytes are in `content`; 'directory': in a content-addressed file named by sha256.
    .addColumn('storage', 'text', (c) => c.notNull().check(sql`storage in ('database', 'directory')`))
    .addColumn('content', 'bytea')
    .addColumn('created_at', 'timestamptz', (c) => c.notNull())
    .addUniqueConstraint('artifacts_path', ['run_id', 'path'])
    .addForeignKeyConstraint('artifacts_phase_fk', ['run_id', 'phase_id'], 'phases', ['run_id', 'phase_id'], (fk) =>
      fk.onDelete('cascade'),
    )
    .execute();
  await db.schema.createIndex('artifacts_by_attempt').on('artifacts').columns(['run_id', 'phase_id', 'attempt']).execute();

  await db.schema
    .createTable('server_settings')
    .addColumn('key', 'text', (c) => c.primaryKey())
    .addColumn('value', 'jsonb', (c) => c.notNull())
    .addColumn('updated_at', 'timestamptz', (c) => c.notNull())
    .addColumn('updated_by', 'text', (c) => c.notNull())
    .execute();
}

// eslint-disable-next-line @typescript-eslint/no-explicit-any
export async function down(db: Kysely<any>): Promise<void> {
  for (const table of ['server_settings', 'artifacts', 'approval_requests', 'idempotency_keys', 'phase_leases']) {
    await db.schema.dropTable(table).execute();
  }
  await db.schema.alterTable('phase_attempts').dropColumn('message').execute();
}
