import type { MigrationFactory } from './migration-context.js';

/**
 * Stored Responses API responses (`store: true`, OpenAI's default): the turn's input
 * items and the response object, owned by the virtual key that made it, so
 * `previous_response_id` can rebuild the conversation for stateless vendors.
 * `expires_at` drives the retention job; `owner` keeps every lookup private per key.
 */
export const storedResponsesMigration: MigrationFactory = () => ({
  async up(db) {
    await db.schema
      .createTable('stored_responses')
      .addColumn('id', 'text', (c) => c.primaryKey())
      .addColumn('owner', 'text', (c) => c.notNull())
      .addColumn('model', 'text', (c) => c.notNull())
      .addColumn('previous_id', 'text')
      .addColumn('status', 'text', (c) => c.notNull())
      .addColumn('created_at', 'bigint', (c) => c.notNull())
      .addColumn('expires_at', 'bigint', (c) => c.notNull())
      .addColumn('input_items', 'text', (c) => c.notNull())
      .addColumn('response', 'text', (c) => c.notNull())
      .execute();
    await db.schema.createIndex('stored_responses_expires_idx').on('stored_responses').column('expires_at').execute();
  },
});
