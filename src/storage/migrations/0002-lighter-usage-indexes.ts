import type { MigrationFactory } from './migration-context.js';

/**
 * Usage rows are written once per request; every index on them is paid on the hot
 * path. Nothing queries by request id (logs are read by time, key, model, provider),
 * so that index goes.
 */
export const lighterUsageIndexesMigration: MigrationFactory = () => ({
  async up(db) {
    await db.schema.dropIndex('usage_records_request_id_idx').ifExists().execute();
  },
});
