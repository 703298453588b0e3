import { sql } from 'kysely';
import type { MigrationFactory } from './migration-context.js';

/**
 * Usage in the neutral model and money per currency:
 * - usage rows gain the pricing currency (old rows were all priced as if USD, the only
 *   currency the totals assumed), cache read/write and reasoning tokens, the client
 *   protocol (all traffic so far was OpenAI chat) and a provider-key label for key pools;
 * - API keys gain a budget currency (null: USD);
 * - the per-key daily spend is kept per currency, so a budget only ever counts spend in
 *   its own currency (the table is rebuilt: the primary key gains `currency`).
 * ADD COLUMN with a constant default is instant on both dialects (no table rewrite).
 */
export const usageCurrencyMigration: MigrationFactory = () => ({
  async up(db) {
    const add = (column: string, type: 'text' | 'integer', value: string | number) =>
      db.schema.alterTable('usage_records').addColumn(column, type, (c) => c.notNull().defaultTo(value)).execute();
    await add('currency', 'text', 'USD');
    await add('cache_read_tokens', 'integer', 0);
    await add('cache_write_tokens', 'integer', 0);
    await add('reasoning_tokens', 'integer', 0);
    await add('protocol', 'text', 'openai-chat');
    await db.schema.alterTable('usage_records').addColumn('provider_key_label', 'text').execute();

    await db.schema.alterTable('api_keys').addColumn('budget_currency', 'text').execute();

    await db.schema
      .createTable('key_spend_daily_v4')
      .addColumn('key_id', 'text', (c) => c.notNull())
      .addColumn('day', 'bigint', (c) => c.notNull())
      .addColumn('currency', 'text', (c) => c.notNull())
      .addColumn('cost', 'double precision', (c) => c.notNull().defaultTo(0))
      .addColumn('requests', 'bigint', (c) => c.notNull().defaultTo(0))
      .addPrimaryKeyConstraint('key_spend_daily_currency_pk', ['key_id', 'day', 'currency'])
      .execute();
    await sql`INSERT INTO key_spend_daily_v4 (key_id, day, currency, cost, requests)
      SELECT key_id, day, 'USD', cost, requests FROM key_spend_daily`.execute(db);
    await db.schema.dropTable('key_spend_daily').execute();
    await db.schema.alterTable('key_spend_daily_v4').renameTo('key_spend_daily').execute();
  },
});
