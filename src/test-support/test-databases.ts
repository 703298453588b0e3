/**
 * Test harness (imported by *.test.ts only): the same suites run on SQLite (a temp
 * dir per test) and PostgreSQL (a fresh schema per test, via search_path).
 */
import { randomBytes } from 'node:crypto';
import { mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { Kysely, PostgresDialect, sql } from 'kysely';
import pg from 'pg';
import { afterEach, beforeEach } from 'vitest';
import { openDatabase, type GatewayDatabase, type StorageDialect } from '../storage/database.js';

export const PG_TEST_URL = process.env.GATEWAY_TEST_POSTGRES_URL ?? 'postgres://postgres@127.0.0.1:5432/test';

export interface TestTarget {
  dialect: StorageDialect;
  skip: boolean;
}

const adminDb = () =>
  new Kysely<any>({
    dialect: new PostgresDialect({ pool: new pg.Pool({ connectionString: PG_TEST_URL, max: 1, connectionTimeoutMillis: 3000 }) }),
  });

let probe: Promise<string | null> | undefined;
const probePostgres = (): Promise<string | null> =>
  (probe ??= (async () => {
    const db = adminDb();
    try {
      await sql`select 1`.execute(db);
      return null;
    } catch (error) {
      return error instanceof Error ? error.message || error.name : String(error);
    } finally {
      await db.destroy().catch(() => undefined);
    }
  })());

/**
 * Both dialects. PostgreSQL being unreachable fails the run when CI is set; locally
 * it is skipped with a visible warning.
 */
export const testTargets = async (): Promise<TestTarget[]> => {
  const problem = await probePostgres();
  if (problem && process.env.CI) {
    throw new Error(`PostgreSQL at ${PG_TEST_URL} is unreachable (${problem}); CI requires it for the storage tests.`);
  }
  if (problem) {
    console.warn(`\n*** SKIPPING PostgreSQL storage tests: ${PG_TEST_URL} unreachable (${problem}) ***\n`);
  }
  return [
    { dialect: 'sqlite', skip: false },
    { dialect: 'postgres', skip: problem !== null },
  ];
};

export interface TestDatabase {
  gdb: GatewayDatabase;
  dialect: StorageDialect;
  dataDir: string;
  /** PostgreSQL schema of this database (undefined on SQLite). */
  schema?: string;
  /** Opens another handle on the same database (runs migrations again). */
  reopen(): Promise<GatewayDatabase>;
  cleanup(): Promise<void>;
}

export const openTestDatabase = async (dialect: StorageDialect): Promise<TestDatabase> => {
  const dataDir = await mkdtemp(path.join(tmpdir(), 'skgw-storage-'));
  const handles: GatewayDatabase[] = [];
  let schema: string | undefined;
  let open: () => Promise<GatewayDatabase>;
  if (dialect === 'postgres') {
    const name = `t_${randomBytes(8).toString('hex')}`;
    schema = name;
    const admin = adminDb();
    await admin.schema.createSchema(name).execute();
    await admin.destroy();
    open = () => openDatabase({ databaseUrl: PG_TEST_URL, dataDir, postgres: { searchPath: name, max: 4 } });
  } else {
    open = () => openDatabase({ dataDir });
  }
  const track = async () => {
    const handle = await open();
    handles.push(handle);
    return handle;
  };
  const gdb = await track();
  return {
    gdb,
    dialect,
    dataDir,
    schema,
    reopen: track,
    async cleanup() {
      for (const handle of handles) await handle.close().catch(() => undefined);
      if (schema) {
        const admin = adminDb();
        await admin.schema.dropSchema(schema).ifExists().cascade().execute();
        await admin.destroy();
      }
      await rm(dataDir, { recursive: true, force: true });
    },
  };
};

/** Registers beforeEach/afterEach hooks; the getter returns this test's database. */
export const useTestDatabase = (dialect: StorageDialect): (() => TestDatabase) => {
  let current: TestDatabase | undefined;
  beforeEach(async () => {
    current = await openTestDatabase(dialect);
  });
  afterEach(async () => {
    await current?.cleanup();
    current = undefined;
  });
  return () => {
    if (!current) throw new Error('The test database is only available inside a test.');
    return current;
  };
};

/** Every value of every row of every table, plus (SQLite) the raw database files. */
export const dumpDatabase = async (t: TestDatabase): Promise<string> => {
  const { db } = t.gdb;
  const tables = [
    'state_version',
    'settings',
    'config_overlay',
    'config_audit',
    'provider_keys',
    'api_keys',
    'usage_records',
    'admin_sessions',
  ] as const;
  let dump = '';
  for (const table of tables) dump += JSON.stringify(await db.selectFrom(table).selectAll().execute());
  if (t.dialect === 'sqlite') {
    for (const file of await readdir(t.dataDir)) dump += (await readFile(path.join(t.dataDir, file))).toString('latin1');
  }
  return dump;
};
