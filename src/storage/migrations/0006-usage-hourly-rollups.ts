import { sql } from 'kysely';
import { ROLLUP_SUMS, ROLLUP_TABLES, rollUpExistingRows } from '../usage-rollup.js';
import type { MigrationFactory } from './migration-context.js';

/**
 * Hourly and daily usage roll-ups (usage-rollup.ts): the dashboard's 7- and 30-day views read
 * these instead of scanning raw usage rows, which are kept only for the retention
 * period. Existing usage is folded in once here. The primary key starts with the hour,
 * so range reads and the yearly expiry use it; no other index is paid per batch.
 */
export const usageHourlyRollupsMigration: MigrationFactory = ({ dialect }) => ({
  async up(db) {
    for (const target of ROLLUP_TABLES) {
      let table = db.schema.createTable(target.table).addColumn(target.time as string, 'bigint', (c) => c.notNull());
      table = table
        .addColumn('key_id', 'text', (c) => c.notNull())
        .addColumn('model', 'text', (c) => c.notNull())
        .addColumn('provider', 'text', (c) => c.notNull())
        .addColumn('currency', 'text', (c) => c.notNull())
        .addColumn('status_class', 'integer', (c) => c.notNull())
        .addColumn('key_name', 'text');
      for (const column of ROLLUP_SUMS) {
        table = table.addColumn(column, column === 'cost' ? 'double precision' : 'bigint', (c) => c.notNull().defaultTo(0));
      }
      table = table.addPrimaryKeyConstraint(`${target.table}_pk`, [target.time as string, 'key_id', 'model', 'provider', 'currency', 'status_class']);
      // SQLite: rows stored in primary-key order, so a period range is one contiguous read
      // instead of an index walk plus a table lookup per row.
      await (dialect === 'sqlite' ? table.modifyEnd(sql`without rowid`) : table).execute();
    }
    await rollUpExistingRows(db);
  },
});
