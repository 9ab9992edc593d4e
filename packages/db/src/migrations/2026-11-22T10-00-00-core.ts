import { sql, type Kysely } from 'kysely';

// Migrations are frozen once landed: they must keep producing the schema they produced then,
// so the state lists are written out here rather than read from contracts.
const FROZEN_RUN_STATES = [
  'RUN_CREATED',
  'PHASE_EXECUTION',
  'DONE_SUCCESS',
  'DONE_FAILED_BUDGET_EXHAUSTED',
  'DONE_FAILED_POLICY_VIOLATION',
  'DONE_FAILED_REQUIRES_HUMAN_REVIEW',
  'DONE_FAILED_ENVIRONMENT',
  'CANCELLED',
];
const FROZEN_TIER_STATES = ['PENDING', 'IN_PROGRESS', 'COMPLETE', 'FAILED', 'SKIPPED'];
const FROZEN_PHASE_STATES = [
  'QUEUED',
  'EXECUTING',
  'GATE',
  'CI_RUNNING',
  'BLOCKED',
  'COMPLETE',
  'FAILED',
  'SKIPPED',
  'CANCELLED',
];

const oneOf = (column: string, values: readonly string[]) =>
  sql.raw(`${column} in (${values.map((v) => `'${v}'`).join(', ')})`);

// eslint-disable-next-line @typescript-eslint/no-explicit-any -- migrations must not depend on the evolving schema type
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .createTable('runs')
    .addColumn('run_id', 'text', (c) => c.primaryKey())
    .addColumn('state', 'text', (c) => c.notNull().check(oneOf('state', FROZEN_RUN_STATES)))
    .addColumn('safety_profile', 'text', (c) => c.notNull())
    .addColumn('run_scope', 'text', (c) => c.notNull())
    .addColumn('token_cap', 'bigint', (c) => c.notNull())
    .addColumn('max_phases', 'integer', (c) => c.notNull())
    .addColumn('max_duration_minutes', 'integer', (c) => c.notNull())
    .addColumn('goal_anchor', 'text')
    .addColumn('repo', 'jsonb', (c) => c.notNull())
    .addColumn('on_phase_failure', 'text', (c) => c.notNull())
    .addColumn('plan', 'jsonb', (c) => c.notNull())
    .addColumn('tokens_used', 'bigint', (c) => c.notNull().defaultTo(0).check(sql`tokens_used >= 0`))
    .addColumn('minor_issues_count', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('major_issues_count', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('failure_reason', 'text')
    .addColumn('created_at', 'timestamptz', (c) => c.notNull())
    .addColumn('updated_at', 'timestamptz', (c) => c.notNull())
    .addColumn('started_at', 'timestamptz')
    .addColumn('completed_at', 'timestamptz')
    .execute();
  await db.schema.createIndex('runs_newest_first').on('runs').columns(['created_at desc', 'run_id desc']).execute();

  await db.schema
    .createTable('tiers')
    .addColumn('run_id', 'text', (c) => c.notNull().references('runs.run_id').onDelete('cascade'))
    .addColumn('tier_id', 'text', (c) => c.notNull())
    .addColumn('tier_index', 'integer', (c) => c.notNull())
    .addColumn('name', 'text', (c) => c.notNull())
    .addColumn('description', 'text')
    .addColumn('state', 'text', (c) => c.notNull().check(oneOf('state', FROZEN_TIER_STATES)))
    .addColumn('minor_issues_count', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('major_issues_count', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('created_at', 'timestamptz', (c) => c.notNull())
    .addColumn('updated_at', 'timestamptz', (c) => c.notNull())
    .addPrimaryKeyConstraint('tiers_pk', ['run_id', 'tier_id'])
    .addUniqueConstraint('tiers_position', ['run_id', 'tier_index'])
    .execute();

  await db.schema
    .createTable('phases')
    .addColumn('run_id', 'text', (c) => c.notNull())
    .addColumn('phase_id', 'text', (c) => c.notNull())
    .addColumn('tier_id', 'text', (c) => c.notNull())
    .addColumn('tier_index', 'integer', (c) => c.notNull())
    .addColumn('phase_index', 'integer', (c) => c.notNull())
    .addColumn('name', 'text', (c) => c.notNull())
    .addColumn('description', 'text')
    .addColumn('task_category', 'text')
    .addColumn('complexity', 'text')
    .addColumn('builder_mode', 'text')
    .addColumn('builder_kind', 'text')
    .addColumn('scope', 'jsonb', (c) => c.notNull())
    .addColumn('ci', 'jsonb')
    .addColumn('builder', 'jsonb')
    .addColumn('max_attempts', 'integer', (c) => c.notNull())
    .addColumn('attempt', 'integer', (c) => c.notNull().defaultTo(0).check(sql`attempt >= 0`))
    .addColumn('state', 'text', (c) => c.notNull().check(oneOf('state', FROZEN_PHASE_STATES)))
    .addColumn('tokens_used', 'bigint', (c) => c.notNull().defaultTo(0))
    .addColumn('minor_issues_count', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('major_issues_count', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('failure_reason', 'text')
    .addColumn('created_at', 'timestamptz', (c) => c.notNull())
    .addColumn('updated_at', 'timestamptz', (c) => c.notNull())
    .addColumn('started_at', 'timestamptz')
    .addColumn('completed_at', 'timestamptz')
    .addPrimaryKeyConstraint('phases_pk', ['run_id', 'phase_id'])
    .addUniqueConstraint('phases_position', ['run_id', 'tier_id', 'phase_index'])
    .addForeignKeyConstraint('phases_tier_fk', ['run_id', 'tier_id'], 'tiers', ['run_id', 'tier_id'], (fk) =>
      fk.onDelete('cascade'),
    )
    .execute();
  await db.schema.createIndex('phases_by_state').on('phases').columns(['state', 'run_id']).execute();

  await db.schema
    .createTable('phase_attempts')
    .addColumn('run_id', 'text', (c) => c.notNull())
    .addColumn('phase_id', 'text', (c) => c.notNull())
    .addColumn('attempt', 'integer', (c) => c.notNull())
    .addColumn('outcome', 'text', (c) => c.notNull())
    .addColumn('failure_reason', 'text')
    .addColumn('started_at', 'timestamptz', (c) => c.notNull())
    .addColumn('ended_at', 'timestamptz')
    .addPrimaryKeyConstraint('phase_attempts_pk', ['run_id', 'phase_id', 'attempt'])
    .addForeignKeyConstraint('phase_attempts_phase_fk', ['run_id', 'phase_id'], 'phases', ['run_id', 'phase_id'], (fk) =>
      fk.onDelete('cascade'),
    )
    .execute();

  await db.schema
    .createTable('run_events')
    .addColumn('id', 'bigserial', (c) => c.primaryKey())
    .addColumn('run_id', 'text', (c) => c.notNull().references('runs.run_id').onDelete('cascade'))
    .addColumn('tier_id', 'text')
    .addColumn('phase_id', 'text')
    .addColumn('type', 'text', (c) => c.notNull())
    .addColumn('actor', 'text', (c) => c.notNull())
    .addColumn('payload', 'jsonb', (c) => c.notNull())
    .addColumn('created_at', 'timestamptz', (c) => c.notNull())
    .execute();
  await db.schema.createIndex('run_events_by_run').on('run_events').columns(['run_id', 'id']).execute();

  for (const table of ['builder_results', 'auditor_results'] as const) {
    let builder = db.schema
      .createTable(table)
      .addColumn('id', 'bigserial', (c) => c.primaryKey())
      .addColumn('run_id', 'text', (c) => c.notNull())
      .addColumn('phase_id', 'text', (c) => c.notNull())
      .addColumn('attempt', 'integer', (c) => c.notNull());
    builder =
      table === 'builder_results'
        ? builder.addColumn('status', 'text', (c) => c.notNull())
        : builder
            .addColumn('recommendation', 'text', (c) => c.notNull())
            .addColumn('confidence', 'text', (c) => c.notNull());
    await builder
      .addColumn('body', 'jsonb', (c) => c.notNull())
      .addColumn('created_at', 'timestamptz', (c) => c.notNull())
      .addForeignKeyConstraint(`${table}_phase_fk`, ['run_id', 'phase_id'], 'phases', ['run_id', 'phase_id'], (fk) =>
        fk.onDelete('cascade'),
      )
      .execute();
    await db.schema.createIndex(`${table}_by_phase`).on(table).columns(['run_id', 'phase_id', 'attempt']).execute();
  }

  await db.schema
    .createTable('phase_issues')
    .addColumn('id', 'bigserial', (c) => c.primaryKey())
    .addColumn('run_id', 'text', (c) => c.notNull())
    .addColumn('phase_id', 'text', (c) => c.notNull())
    .addColumn('tier_id', 'text', (c) => c.notNull())
    .addColumn('issue_key', 'text', (c) => c.notNull())
    .addColumn('severity', 'text', (c) => c.notNull().check(sql`severity in ('minor', 'major')`))
    .addColumn('source', 'text', (c) => c.notNull())
    .addColumn('category', 'text', (c) => c.notNull())
    .addColumn('evidence_refs', 'jsonb', (c) => c.notNull())
    .addColumn('description', 'text')
    .addColumn('occurrence_count', 'integer', (c) => c.notNull().defaultTo(1))
    .addColumn('first_seen_at', 'timestamptz', (c) => c.notNull())
    .addColumn('last_seen_at', 'timestamptz', (c) => c.notNull())
    .addUniqueConstraint('phase_issues_key', ['run_id', 'phase_id', 'issue_key'])
    .addForeignKeyConstraint('phase_issues_phase_fk', ['run_id', 'phase_id'], 'phases', ['run_id', 'phase_id'], (fk) =>
      fk.onDelete('cascade'),
    )
    .execute();
  await db.schema.createIndex('phase_issues_by_key').on('phase_issues').column('issue_key').execute();

  await db.schema
    .createTable('llm_usage_events')
    .addColumn('id', 'bigserial', (c) => c.primaryKey())
    .addColumn('run_id', 'text', (c) => c.notNull().references('runs.run_id').onDelete('cascade'))
    .addColumn('phase_id', 'text')
    .addColumn('provider', 'text', (c) => c.notNull())
    .addColumn('model', 'text', (c) => c.notNull())
    .addColumn('role', 'text', (c) => c.notNull())
    .addColumn('prompt_tokens', 'integer', (c) => c.notNull())
    .addColumn('completion_tokens', 'integer', (c) => c.notNull())
    .addColumn('total_tokens', 'integer', (c) => c.notNull())
    .addColumn('succeeded', 'boolean', (c) => c.notNull())
    .addColumn('created_at', 'timestamptz', (c) => c.notNull())
    .execute();
  await db.schema.createIndex('llm_usage_by_run').on('llm_usage_events').columns(['run_id', 'phase_id']).execute();
  await db.schema.createIndex('llm_usage_by_time').on('llm_usage_events').column('created_at').execute();
}

// eslint-disable-next-line @typescript-eslint/no-explicit-any
export async function down(db: Kysely<any>): Promise<void> {
  for (const table of [
    'llm_usage_events',
    'phase_issues',
    'auditor_results',
    'builder_results',
    'run_events',
    'phase_attempts',
    'phases',
    'tiers',
    'runs',
  ]) {
    await db.schema.dropTable(table).execute();
  }
}
