import { sql } from 'kysely';
import type { MigrationFactory } from './migration-context.js';

/**
 * Budgets are checked from memory but refreshed from the database every few seconds;
 * summing usage rows for that grows with traffic (millions of rows a month). A running
 * total per key and day, updated in the same transaction as each usage batch, keeps the
 * refresh at a handful of rows. Existing usage is folded in once here.
 */
export const keySpendDailyMigration: MigrationFactory = () => ({
  async up(db) {
    await db.schema
      .createTable('key_spend_daily')
      .addColumn('key_id', 'text', (c) => c.notNull())
      .addColumn('day', 'bigint', (c) => c.notNull())
      .addColumn('cost', 'double precision', (c) => c.notNull().defaultTo(0))
      .addColumn('requests', 'bigint', (c) => c.notNull().defaultTo(0))
      .addPrimaryKeyConstraint('key_spend_daily_pk', ['key_id', 'day'])
      .execute();
    await sql`INSERT INTO key_spend_daily (key_id, day, cost, requests)
      SELECT key_id, time / 86400000, SUM(cost), COUNT(*) FROM usage_records
      WHERE key_id IS NOT NULL GROUP BY key_id, time / 86400000`.execute(db);
  },
});
