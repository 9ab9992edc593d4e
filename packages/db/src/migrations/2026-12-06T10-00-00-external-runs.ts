import type { Kysely } from 'kysely';

// eslint-disable-next-line @typescript-eslint/no-explicit-any -- migrations must not depend on the evolving schema type
export async function up(db: Kysely<any>): Promise<void> {
  // A run without a repository is driven from outside (the predecessor's clients): no executor claims it.
  await db.schema.alterTable('runs').alterColumn('repo', (c) => c.dropNotNull()).execute();
  // The predecessor's PhaseCreate.intention_refs: stored and returned, not interpreted.
  await db.schema.alterTable('phases').addColumn('intention_refs', 'jsonb').execute();
  // The predecessor's RunResponse.ci_runs_used: how many times a phase of the run entered CI_RUNNING.
  await db.schema.alterTable('runs').addColumn('ci_runs_used', 'integer', (c) => c.notNull().defaultTo(0)).execute();
}

// eslint-disable-next-line @typescript-eslint/no-explicit-any -- see up()
export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.alterTable('runs').dropColumn('ci_runs_used').execute();
  await db.schema.alterTable('phases').dropColumn('intention_refs').execute();
  await db.deleteFrom('runs').where('repo', 'is', null).execute();
  await db.schema.alterTable('runs').alterColumn('repo', (c) => c.setNotNull()).execute();
}
