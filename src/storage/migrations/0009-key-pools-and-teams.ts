import { sql } from 'kysely';
import type { MigrationFactory } from './migration-context.js';

/**
 * Provider key pools (several sealed vendor keys per provider, each with a label,
 * weight, switch and optional per-key limits) and teams (a budget, limits and allowed
 * models shared by their member keys). Usage rows name the pool key that served by
 * label: the column is 0004's; it is added here only if 0004 did not add it.
 */
export const keyPoolsAndTeamsMigration: MigrationFactory = ({ dialect }) => ({
  async up(db) {
    await db.schema
      .createTable('provider_pool_keys')
      .addColumn('id', 'text', (c) => c.primaryKey())
      .addColumn('provider', 'text', (c) => c.notNull())
      .addColumn('label', 'text', (c) => c.notNull())
      .addColumn('sealed', 'text', (c) => c.notNull())
      .addColumn('last4', 'text', (c) => c.notNull())
      .addColumn('weight', 'double precision', (c) => c.notNull().defaultTo(1))
      .addColumn('enabled', 'integer', (c) => c.notNull().defaultTo(1))
      .addColumn('rpm_limit', 'bigint')
      .addColumn('tpm_limit', 'bigint')
      .addColumn('created_at', 'bigint', (c) => c.notNull())
      .addColumn('updated_at', 'bigint', (c) => c.notNull())
      .execute();
    await db.schema.createIndex('provider_pool_keys_label').on('provider_pool_keys').columns(['provider', 'label']).unique().execute();

    await db.schema
      .createTable('teams')
      .addColumn('id', 'text', (c) => c.primaryKey())
      .addColumn('name', 'text', (c) => c.notNull().unique())
      .addColumn('budget_amount', 'double precision')
      .addColumn('budget_period', 'text')
      .addColumn('budget_currency', 'text')
      .addColumn('rpm_limit', 'bigint')
      .addColumn('tpm_limit', 'bigint')
      .addColumn('allowed_models', 'text')
      .addColumn('created_at', 'bigint', (c) => c.notNull())
      .addColumn('updated_at', 'bigint', (c) => c.notNull())
      .execute();
    await db.schema.alterTable('api_keys').addColumn('team_id', 'text').execute();
    await db.schema.createIndex('api_keys_team').on('api_keys').column('team_id').execute();

    const columns =
      dialect === 'sqlite'
        ? (await sql<{ name: string }>`SELECT name FROM pragma_table_info('usage_records')`.execute(db)).rows
        : (
            await sql<{ name: string }>`SELECT column_name AS name FROM information_schema.columns
              WHERE table_name = 'usage_records' AND table_schema = current_schema()`.execute(db)
          ).rows;
    if (!columns.some((c) => c.name === 'provider_key_label')) {
      await db.schema.alterTable('usage_records').addColumn('provider_key_label', 'text').execute();
    }
  },
});
