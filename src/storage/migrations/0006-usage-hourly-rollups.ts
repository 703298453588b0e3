import { rollUpExistingRows, ROLLUP_SUMS } from '../usage-rollup.js';
import type { MigrationFactory } from './migration-context.js';

/**
 * Hourly usage roll-ups (usage-rollup.ts): the dashboard's 7- and 30-day views read
 * these instead of scanning raw usage rows, which are kept only for the retention
 * period. Existing usage is folded in once here. The primary key starts with the hour,
 * so range reads and the yearly expiry use it; no other index is paid per batch.
 */
export const usageHourlyRollupsMigration: MigrationFactory = () => ({
  async up(db) {
    let table = db.schema
      .createTable('usage_hourly')
      .addColumn('hour', 'bigint', (c) => c.notNull())
      .addColumn('key_id', 'text', (c) => c.notNull())
      .addColumn('model', 'text', (c) => c.notNull())
      .addColumn('provider', 'text', (c) => c.notNull())
      .addColumn('currency', 'text', (c) => c.notNull())
      .addColumn('status_class', 'integer', (c) => c.notNull())
      .addColumn('key_name', 'text');
    for (const column of ROLLUP_SUMS) {
      table = table.addColumn(column, column === 'cost' ? 'double precision' : 'bigint', (c) => c.notNull().defaultTo(0));
    }
    await table
      .addPrimaryKeyConstraint('usage_hourly_pk', ['hour', 'key_id', 'model', 'provider', 'currency', 'status_class'])
      .execute();
    await rollUpExistingRows(db);
  },
});
