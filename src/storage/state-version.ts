import type { Kysely } from 'kysely';
import type { DatabaseSchema } from './schema.js';

/**
 * Bumps the single-row state version and returns the new value. Call it as the FIRST
 * statement of a mutating transaction: on SQLite that takes the write lock up front
 * (no deferred read→write upgrade that could fail with SQLITE_BUSY under WAL), on
 * PostgreSQL the row lock serialises concurrent config changes.
 */
export const bumpStateVersion = async (tx: Kysely<DatabaseSchema>): Promise<number> => {
  const row = await tx
    .updateTable('state_version')
    .set((eb) => ({ version: eb('version', '+', 1) }))
    .where('id', '=', 1)
    .returning('version')
    .executeTakeFirstOrThrow();
  return Number(row.version);
};

/** A primary-key lookup of one row: cheap enough for workers to poll several times a second. */
export const getStateVersion = async (db: Kysely<DatabaseSchema>): Promise<number> => {
  const row = await db.selectFrom('state_version').select('version').where('id', '=', 1).executeTakeFirst();
  return row ? Number(row.version) : 0;
};
