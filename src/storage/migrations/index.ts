import type { Kysely, Migration, MigrationProvider } from 'kysely';
import { Migrator } from 'kysely';
import { initialMigration } from './0001-initial.js';
import { lighterUsageIndexesMigration } from './0002-lighter-usage-indexes.js';
import { keySpendDailyMigration } from './0003-key-spend-daily.js';
import { usageCurrencyMigration } from './0004-usage-currency-and-cache-tokens.js';
import { usageHourlyRollupsMigration } from './0006-usage-hourly-rollups.js';
import { storedResponsesMigration } from './0008-stored-responses.js';
import { keyPoolsAndTeamsMigration } from './0009-key-pools-and-teams.js';
import { adminUsersMigration } from './0011-admin-users.js';
import type { MigrationFactory, StorageDialect } from './migration-context.js';

/**
 * The static, ordered list of migrations. Names sort lexically in order; entries are
 * only ever appended (forward-only). A static list instead of directory globbing
 * keeps it working from `dist/` and from bundles.
 */
export const migrations: ReadonlyArray<readonly [name: string, factory: MigrationFactory]> = [
  ['0001_initial', initialMigration],
  ['0002_lighter_usage_indexes', lighterUsageIndexesMigration],
  ['0003_key_spend_daily', keySpendDailyMigration],
  ['0004_usage_currency_and_cache_tokens', usageCurrencyMigration],
  // 0005 is another change's number; it lands in its own place in this list.
  ['0006_usage_hourly_rollups', usageHourlyRollupsMigration],
  // 0007 likewise.
  ['0008_stored_responses', storedResponsesMigration],
  ['0009_key_pools_and_teams', keyPoolsAndTeamsMigration],
  ['0011_admin_users', adminUsersMigration],
];

export class StaticMigrationProvider implements MigrationProvider {
  constructor(private readonly dialect: StorageDialect) {}

  async getMigrations(): Promise<Record<string, Migration>> {
    const result: Record<string, Migration> = {};
    for (const [name, factory] of migrations) result[name] = factory({ dialect: this.dialect });
    return result;
  }
}

const isSqliteBusy = (error: unknown): boolean =>
  typeof error === 'object' && error !== null && String((error as { code?: unknown }).code).startsWith('SQLITE_BUSY');

/** Runs every pending migration; throws if one fails (its transaction is rolled back). */
export const migrateToLatest = async (db: Kysely<any>, dialect: StorageDialect, schema?: string): Promise<string[]> => {
  const migrator = new Migrator({
    db,
    provider: new StaticMigrationProvider(dialect),
    ...(schema ? { migrationTableSchema: schema } : {}),
  });
  // Several workers may open the same SQLite file at once; PostgreSQL serialises on
  // Kysely's lock row, SQLite can report BUSY when two migrators race, so retry.
  for (let attempt = 0; ; attempt += 1) {
    const { error, results } = await migrator.migrateToLatest();
    if (!error) return (results ?? []).filter((r) => r.status === 'Success').map((r) => r.migrationName);
    if (dialect === 'sqlite' && isSqliteBusy(error) && attempt < 20) {
      await new Promise((resolve) => setTimeout(resolve, 50 + attempt * 50));
      continue;
    }
    const failed = results?.find((r) => r.status === 'Error')?.migrationName;
    throw new Error(`Database migration ${failed ?? ''} failed: ${(error as Error)?.message ?? String(error)}`, {
      cause: error,
    });
  }
};
