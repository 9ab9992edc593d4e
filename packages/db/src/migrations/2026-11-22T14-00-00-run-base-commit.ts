import type { Kysely } from 'kysely';

// eslint-disable-next-line @typescript-eslint/no-explicit-any -- migrations must not depend on the evolving schema type
export async function up(db: Kysely<any>): Promise<void> {
  // What base_ref resolved to for the first executor: every later workspace rebuild starts there,
  // even when the branch has moved on since.
  await db.schema.alterTable('runs').addColumn('base_commit', 'text').execute();
}

// eslint-disable-next-line @typescript-eslint/no-explicit-any -- see up()
export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.alterTable('runs').dropColumn('base_commit').execute();
}
