import type { MigrationFactory } from './migration-context.js';

/**
 * Named admin accounts with roles. Sessions get the account they belong to, so disabling an
 * account or changing its role can end its sessions with one indexed delete. The first
 * account is created at start-up (not here) from the deployment's console password.
 */
export const adminUsersMigration: MigrationFactory = () => ({
  async up(db) {
    await db.schema
      .createTable('admin_users')
      .addColumn('id', 'text', (c) => c.primaryKey())
      .addColumn('username', 'text', (c) => c.notNull().unique())
      .addColumn('display_name', 'text')
      .addColumn('role', 'text', (c) => c.notNull())
      .addColumn('password_hash', 'text')
      .addColumn('is_initial', 'integer', (c) => c.notNull().defaultTo(0))
      .addColumn('disabled', 'integer', (c) => c.notNull().defaultTo(0))
      .addColumn('oidc_subject', 'text', (c) => c.unique())
      .addColumn('created_at', 'bigint', (c) => c.notNull())
      .addColumn('updated_at', 'bigint', (c) => c.notNull())
      .addColumn('last_login_at', 'bigint')
      .execute();
    await db.schema.alterTable('admin_sessions').addColumn('user_id', 'text').execute();
    await db.schema.createIndex('admin_sessions_user_idx').on('admin_sessions').column('user_id').execute();
    // Sessions from before accounts existed belong to nobody: everyone logs in once more.
    await db.deleteFrom('admin_sessions').execute();
  },
});
