import { chmodSync, closeSync, mkdirSync, openSync } from 'node:fs';
import path from 'node:path';
import SqliteDatabase from 'better-sqlite3';
import { Kysely, SqliteDialect, sql } from 'kysely';
import type PgModule from 'pg';
import { migrateToLatest } from './migrations/index.js';
import type { StorageDialect } from './migrations/migration-context.js';
import type { DatabaseSchema } from './schema.js';
import { CurrentSchemaPostgresDialect } from './scoped-postgres-dialect.js';

export type { StorageDialect } from './migrations/migration-context.js';

export interface GatewayDatabase {
  db: Kysely<DatabaseSchema>;
  dialect: StorageDialect;
  /** The raw SQLite handle (null on PostgreSQL), for the one hot write path: usage rows. */
  sqlite: SqliteDatabase.Database | null;
  close(): Promise<void>;
}

export interface OpenDatabaseOptions {
  /** `postgres://…` / `postgresql://…` selects PostgreSQL; anything else (or nothing) SQLite. */
  databaseUrl?: string;
  /** SQLite lives at `${dataDir}/gateway.db`. */
  dataDir: string;
  postgres?: {
    /** Pool size (default 10). */
    max?: number;
    /**
     * Schema to use as `search_path` (GATEWAY_DATABASE_SCHEMA; tests isolate each run in
     * its own schema). Without it the connection's own search_path (the URL's `options`,
     * the role's default) decides, and migrations follow whatever schema that resolves to.
     */
    searchPath?: string;
  };
}

export const isPostgresUrl = (url: string | undefined): url is string =>
  typeof url === 'string' && /^postgres(ql)?:\/\//i.test(url.trim());

const PG_INT8 = 20;
const PG_NUMERIC = 1700;

/**
 * int8 (counts, epoch-ms, bigserial ids) and numeric (SUM of bigint) arrive as strings
 * from pg by default; timestamps and counts fit easily in a double, so parse them to
 * numbers for this pool only, keeping query results identical to SQLite's.
 */
const pgTypesFor = (pg: typeof PgModule) => ({
  getTypeParser: ((oid: number, format?: 'text' | 'binary') => {
    if ((oid === PG_INT8 || oid === PG_NUMERIC) && format !== 'binary') {
      return (value: string) => (value === null ? null : Number(value));
    }
    return pg.types.getTypeParser(oid, format as 'text');
  }) as typeof pg.types.getTypeParser,
});

const SCHEMA_NAME = /^[a-z_][a-z0-9_]{0,62}$/;

/**
 * The database holds key hashes, sessions and encrypted vendor keys: owner-only. The file
 * is created 0600 before SQLite opens it, and SQLite gives its -wal and -shm files the
 * database's own mode. Existing installs are tightened too (chmod is a no-op when already so).
 */
const restrictFiles = (dataDir: string, file: string) => {
  mkdirSync(dataDir, { recursive: true, mode: 0o700 });
  const tighten = (target: string, mode: number) => {
    try {
      chmodSync(target, mode);
    } catch (error) {
      // Not ours to change (another owner) or gone: SQLite reports real problems itself.
      if ((error as NodeJS.ErrnoException).code !== 'ENOENT' && (error as NodeJS.ErrnoException).code !== 'EPERM') throw error;
    }
  };
  tighten(dataDir, 0o700);
  closeSync(openSync(file, 'a', 0o600));
  for (const target of [file, `${file}-wal`, `${file}-shm`]) tighten(target, 0o600);
};

const openSqlite = (dataDir: string, handle: { sqlite: SqliteDatabase.Database | null }): Kysely<DatabaseSchema> => {
  const file = path.join(dataDir, 'gateway.db');
  restrictFiles(dataDir, file);
  const database = new SqliteDatabase(file);
  handle.sqlite = database;
  // Must come before the first table exists (a new file): lets retention hand deleted
  // usage rows' pages back to the file system (PRAGMA incremental_vacuum) so the file
  // stays bounded. An existing file keeps its mode until a one-off `VACUUM`.
  database.pragma('auto_vacuum = INCREMENTAL');
  database.pragma('journal_mode = WAL');
  database.pragma('busy_timeout = 5000');
  database.pragma('synchronous = NORMAL');
  database.pragma('foreign_keys = ON');
  return new Kysely<DatabaseSchema>({ dialect: new SqliteDialect({ database }) });
};

const openPostgres = async (url: string, options: OpenDatabaseOptions['postgres']): Promise<Kysely<DatabaseSchema>> => {
  // Loaded only when PostgreSQL is configured: SQLite installs never pay for it.
  const pg = (await import('pg')).default;
  const searchPath = options?.searchPath;
  if (searchPath !== undefined && !SCHEMA_NAME.test(searchPath)) {
    throw new Error(`Invalid PostgreSQL schema name for search_path: ${JSON.stringify(searchPath)}`);
  }
  const pool = new pg.Pool({
    connectionString: url,
    max: options?.max ?? 10,
    types: pgTypesFor(pg),
    ...(searchPath ? { options: `-c search_path=${searchPath}` } : {}),
  });
  // An idle client losing its connection must not crash the process; the next query reconnects.
  pool.on('error', () => undefined);
  const db = new Kysely<DatabaseSchema>({ dialect: new CurrentSchemaPostgresDialect({ pool }) });
  if (searchPath) await sql`create schema if not exists ${sql.id(searchPath)}`.execute(db).catch(() => undefined);
  return db;
};

/**
 * The schema unqualified table names resolve to on this connection. Kysely's migrator
 * looks its bookkeeping tables up without a schema, so another schema's
 * `kysely_migration` (another deployment, another test) would otherwise be taken for
 * ours and our tables never created.
 */
const currentSchema = async (db: Kysely<DatabaseSchema>): Promise<string> => {
  const { rows } = await sql<{ schema: string | null }>`select current_schema() as schema`.execute(db);
  const schema = rows[0]?.schema;
  if (!schema) throw new Error('PostgreSQL has no current schema: the search_path names no existing schema (set GATEWAY_DATABASE_SCHEMA).');
  return schema;
};

/** Opens (and migrates) the gateway database. */
export const openDatabase = async (options: OpenDatabaseOptions): Promise<GatewayDatabase> => {
  const handle: { sqlite: SqliteDatabase.Database | null } = { sqlite: null };
  const dialect: StorageDialect = isPostgresUrl(options.databaseUrl) ? 'postgres' : 'sqlite';
  const db =
    dialect === 'postgres'
      ? await openPostgres(options.databaseUrl!.trim(), options.postgres)
      : openSqlite(options.dataDir, handle);
  try {
    await migrateToLatest(db, dialect, dialect === 'postgres' ? await currentSchema(db) : undefined);
  } catch (error) {
    await db.destroy().catch(() => undefined);
    throw error;
  }
  let closed: Promise<void> | undefined;
  return {
    db,
    dialect,
    sqlite: handle.sqlite,
    close: () => (closed ??= db.destroy()),
  };
};
