import type { Kysely } from 'kysely';
import { addIdentityColumn, type MigrationFactory } from './migration-context.js';

/**
 * Initial schema. Column types are chosen to mean the same on both dialects:
 * `bigint` epoch-ms timestamps, `text` JSON, `integer` 0/1 booleans and
 * `double precision` money (SQLite gives it REAL affinity).
 */
export const initialMigration: MigrationFactory = ({ dialect }) => ({
  async up(db: Kysely<any>): Promise<void> {
    await db.schema
      .createTable('state_version')
      .addColumn('id', 'integer', (c) => c.primaryKey())
      .addColumn('version', 'bigint', (c) => c.notNull())
      .execute();
    await db.insertInto('state_version').values({ id: 1, version: 0 }).execute();

    await db.schema
      .createTable('settings')
      .addColumn('key', 'text', (c) => c.primaryKey())
      .addColumn('value', 'text', (c) => c.notNull())
      .addColumn('updated_at', 'bigint', (c) => c.notNull())
      .execute();

    await db.schema
      .createTable('config_overlay')
      .addColumn('kind', 'text', (c) => c.notNull())
      .addColumn('key', 'text', (c) => c.notNull())
      .addColumn('data', 'text', (c) => c.notNull())
      .addColumn('deleted', 'integer', (c) => c.notNull().defaultTo(0))
      .addColumn('updated_at', 'bigint', (c) => c.notNull())
      .addPrimaryKeyConstraint('config_overlay_pk', ['kind', 'key'])
      .execute();

    await addIdentityColumn(db.schema.createTable('config_audit'), 'id', dialect)
      .addColumn('version', 'bigint', (c) => c.notNull())
      .addColumn('time', 'bigint', (c) => c.notNull())
      .addColumn('actor', 'text', (c) => c.notNull())
      .addColumn('action', 'text', (c) => c.notNull())
      .addColumn('target', 'text', (c) => c.notNull())
      .addColumn('diff', 'text', (c) => c.notNull())
      .addColumn('snapshot', 'text', (c) => c.notNull())
      .execute();

    await db.schema
      .createTable('provider_keys')
      .addColumn('provider', 'text', (c) => c.primaryKey())
      .addColumn('sealed', 'text', (c) => c.notNull())
      .addColumn('last4', 'text', (c) => c.notNull())
      .addColumn('updated_at', 'bigint', (c) => c.notNull())
      .execute();

    await db.schema
      .createTable('api_keys')
      .addColumn('id', 'text', (c) => c.primaryKey())
      .addColumn('name', 'text', (c) => c.notNull())
      .addColumn('key_hash', 'text', (c) => c.notNull().unique())
      .addColumn('last4', 'text', (c) => c.notNull())
      .addColumn('created_at', 'bigint', (c) => c.notNull())
      .addColumn('updated_at', 'bigint', (c) => c.notNull())
      .addColumn('expires_at', 'bigint')
      .addColumn('revoked_at', 'bigint')
      .addColumn('allowed_models', 'text')
      .addColumn('rpm_limit', 'integer')
      .addColumn('tpm_limit', 'integer')
      .addColumn('budget_amount', 'double precision')
      .addColumn('budget_period', 'text')
      .addColumn('last_used_at', 'bigint')
      .execute();

    await db.schema
      .createTable('usage_records')
      .addColumn('id', 'text', (c) => c.primaryKey())
      .addColumn('request_id', 'text', (c) => c.notNull())
      .addColumn('time', 'bigint', (c) => c.notNull())
      .addColumn('key_id', 'text')
      .addColumn('key_name', 'text')
      .addColumn('model', 'text', (c) => c.notNull())
      .addColumn('provider', 'text', (c) => c.notNull())
      .addColumn('status', 'integer', (c) => c.notNull())
      .addColumn('error_code', 'text')
      .addColumn('prompt_tokens', 'integer', (c) => c.notNull().defaultTo(0))
      .addColumn('completion_tokens', 'integer', (c) => c.notNull().defaultTo(0))
      .addColumn('total_tokens', 'integer', (c) => c.notNull().defaultTo(0))
      .addColumn('tokens_estimated', 'integer', (c) => c.notNull().defaultTo(0))
      .addColumn('cost', 'double precision', (c) => c.notNull().defaultTo(0))
      .addColumn('latency_ms', 'integer', (c) => c.notNull().defaultTo(0))
      .addColumn('ttft_ms', 'integer')
      .addColumn('stream', 'integer', (c) => c.notNull().defaultTo(0))
      .addColumn('attempts', 'integer', (c) => c.notNull().defaultTo(1))
      .addColumn('cached', 'integer', (c) => c.notNull().defaultTo(0))
      .execute();
    await db.schema.createIndex('usage_records_time_idx').on('usage_records').column('time').execute();
    await db.schema.createIndex('usage_records_key_time_idx').on('usage_records').columns(['key_id', 'time']).execute();
    await db.schema.createIndex('usage_records_model_time_idx').on('usage_records').columns(['model', 'time']).execute();
    await db.schema
      .createIndex('usage_records_provider_time_idx')
      .on('usage_records')
      .columns(['provider', 'time'])
      .execute();
    await db.schema.createIndex('usage_records_request_id_idx').on('usage_records').column('request_id').execute();

    await db.schema
      .createTable('admin_sessions')
      .addColumn('id_hash', 'text', (c) => c.primaryKey())
      .addColumn('data', 'text', (c) => c.notNull())
      .addColumn('created_at', 'bigint', (c) => c.notNull())
      .addColumn('expires_at', 'bigint', (c) => c.notNull())
      .execute();
    await db.schema.createIndex('admin_sessions_expires_idx').on('admin_sessions').column('expires_at').execute();
  },
});
