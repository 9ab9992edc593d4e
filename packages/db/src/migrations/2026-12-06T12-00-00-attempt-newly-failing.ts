import type { Kysely } from 'kysely';

// eslint-disable-next-line @typescript-eslint/no-explicit-any -- migrations must not depend on the evolving schema type
export async function up(db: Kysely<any>): Promise<void> {
  // The tests an attempt broke, as the executor reported them with its FAILED status (a JSON array
  // of names): the next attempt's claim hands them over as a field, never parsed out of `message`.
  await db.schema.alterTable('phase_attempts').addColumn('newly_failing', 'jsonb').execute();
}

// eslint-disable-next-line @typescript-eslint/no-explicit-any -- see up()
export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.alterTable('phase_attempts').dropColumn('newly_failing').execute();
}
