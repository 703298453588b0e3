import type { ColumnDefinitionBuilder, CreateTableBuilder, Migration } from 'kysely';

export type StorageDialect = 'sqlite' | 'postgres';

/** Migrations are factories so the few dialect differences (identity columns) stay explicit. */
export type MigrationFactory = (context: { dialect: StorageDialect }) => Migration;

/** An auto-incrementing integer primary key: SQLite rowid alias, PostgreSQL bigserial. */
export const addIdentityColumn = <T extends string, C extends string>(
  table: CreateTableBuilder<T, C>,
  name: string,
  dialect: StorageDialect,
): CreateTableBuilder<T, C> =>
  dialect === 'sqlite'
    ? table.addColumn(name, 'integer', (column: ColumnDefinitionBuilder) => column.primaryKey().autoIncrement())
    : table.addColumn(name, 'bigserial', (column: ColumnDefinitionBuilder) => column.primaryKey());
