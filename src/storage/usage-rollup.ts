/* eslint-disable @typescript-eslint/no-explicit-any -- the same query runs over usage_records, usage_hourly or usage_daily, chosen at run time; Kysely types one table at a time. */
import { sql, type Kysely, type RawBuilder } from 'kysely';
import type { DatabaseSchema, UsageHourlyTable } from './schema.js';
import type { FullUsageRow } from './schema.js';

/**
 * Hourly roll-ups of usage rows: one row per hour × key × model × provider × currency ×
 * status class, kept a year and updated in the same transaction as every usage batch
 * (like key_spend_daily), so dashboards over days and weeks read hundreds of rows
 * instead of millions. Latency and time-to-first-token are kept as fixed histograms
 * (plus sums for averages), from which long-range percentiles are estimated.
 */

export const HOUR_MS = 3_600_000;
export const DAY_MS = 86_400_000;

/** The two roll-ups: hourly (hour buckets, range edges) and daily (the whole days of long ranges). */
export interface RollupTable {
  table: 'usage_hourly' | 'usage_daily';
  /** Its period-start column (epoch ms). */
  time: 'hour' | 'day';
  periodMs: number;
}
export const HOURLY: RollupTable = { table: 'usage_hourly', time: 'hour', periodMs: HOUR_MS };
export const DAILY: RollupTable = { table: 'usage_daily', time: 'day', periodMs: DAY_MS };
export const ROLLUP_TABLES = [HOURLY, DAILY] as const;

/** Upper bounds (ms, exclusive) of the histogram buckets; the last bucket is open-ended. */
export const LATENCY_BOUNDS = [100, 250, 500, 1000, 2000, 4000, 8000, 15_000, 30_000, 60_000, 120_000] as const;
export const HISTOGRAM_SIZE = LATENCY_BOUNDS.length + 1;
export const latencyColumns = Array.from({ length: HISTOGRAM_SIZE }, (_, i) => `lat_h${i}`) as ReadonlyArray<keyof UsageHourlyTable>;
export const ttftColumns = Array.from({ length: HISTOGRAM_SIZE }, (_, i) => `ttft_h${i}`) as ReadonlyArray<keyof UsageHourlyTable>;

/** The roll-up's grouping columns after the period start, in primary-key order. */
export const ROLLUP_KEY = ['key_id', 'model', 'provider', 'currency', 'status_class'] as const;
/** Columns added together on conflict. */
export const ROLLUP_SUMS = [
  'requests', 'prompt_tokens', 'completion_tokens', 'cache_read_tokens', 'cache_write_tokens', 'reasoning_tokens',
  'total_tokens', 'cost', 'latency_sum', 'ttft_sum', 'ttft_count', ...latencyColumns, ...ttftColumns,
] as const;
export const ROLLUP_COLUMNS = [...ROLLUP_KEY, 'key_name', ...ROLLUP_SUMS] as const;
export const rollupColumns = (target: RollupTable) => [target.time, ...ROLLUP_COLUMNS];

export type RollupRow = Record<(typeof ROLLUP_COLUMNS)[number] | 'hour' | 'day', string | number | null>;

export const bucketOf = (ms: number): number => {
  let i = 0;
  while (i < LATENCY_BOUNDS.length && ms >= LATENCY_BOUNDS[i]!) i += 1;
  return i;
};

/** Requests without a key roll up under '' (a primary-key column cannot be null). */
export const NO_KEY = '';

/**
 * New usage rows folded into roll-up increments, sorted by primary key so concurrent
 * instances take row locks in the same order (no deadlocks on PostgreSQL).
 */
export const rollupIncrements = (rows: ReadonlyArray<FullUsageRow>, target: RollupTable = HOURLY): RollupRow[] => {
  const groups = new Map<string, RollupRow>();
  for (const row of rows) {
    const hour = Math.floor(Number(row.time) / target.periodMs) * target.periodMs;
    const statusClass = Math.min(5, Math.max(1, Math.floor(row.status / 100)));
    const keyId = row.key_id ?? NO_KEY;
    const id = `${hour}\u0000${keyId}\u0000${row.model}\u0000${row.provider}\u0000${row.currency}\u0000${statusClass}`;
    let group = groups.get(id);
    if (!group) {
      group = { [target.time]: hour, key_id: keyId, model: row.model, provider: row.provider, currency: row.currency, status_class: statusClass, key_name: row.key_name } as RollupRow;
      for (const column of ROLLUP_SUMS) group[column] = 0;
      groups.set(id, group);
    }
    const g = group as Record<string, number>;
    g.requests! += 1;
    g.prompt_tokens! += row.prompt_tokens;
    g.completion_tokens! += row.completion_tokens;
    g.cache_read_tokens! += row.cache_read_tokens;
    g.cache_write_tokens! += row.cache_write_tokens;
    g.reasoning_tokens! += row.reasoning_tokens;
    g.total_tokens! += row.total_tokens;
    g.cost! += row.cost;
    g.latency_sum! += row.latency_ms;
    g[latencyColumns[bucketOf(row.latency_ms)]!]! += 1;
    if (row.ttft_ms !== null) {
      g.ttft_sum! += row.ttft_ms;
      g.ttft_count! += 1;
      g[ttftColumns[bucketOf(row.ttft_ms)]!]! += 1;
    }
    if (row.key_name) group.key_name = row.key_name;
  }
  return [...groups.entries()].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)).map(([, group]) => group);
};

/** `ON CONFLICT DO UPDATE` adding every sum; the same text on both dialects. */
export const rollupUpsertTail = (target: RollupTable) =>
  `ON CONFLICT (${[target.time, ...ROLLUP_KEY].join(', ')}) DO UPDATE SET key_name = coalesce(excluded.key_name, ${target.table}.key_name), ${ROLLUP_SUMS.map(
    (c) => `${c} = ${target.table}.${c} + excluded.${c}`,
  ).join(', ')}`;

/** Groups per statement on PostgreSQL: 42 parameters each stays far below its 65,535. */
const PG_CHUNK = 1000;

export const upsertRollupsPostgres = async (db: Kysely<DatabaseSchema>, rows: ReadonlyArray<FullUsageRow>): Promise<void> => {
  for (const target of ROLLUP_TABLES) {
    const increments = rollupIncrements(rows, target);
    const columns = rollupColumns(target);
    for (let i = 0; i < increments.length; i += PG_CHUNK) {
      const chunk = increments.slice(i, i + PG_CHUNK);
      const values = sql.join(chunk.map((row) => sql`(${sql.join(columns.map((c) => row[c as keyof RollupRow]))})`));
      await sql`INSERT INTO ${sql.raw(target.table)} (${sql.raw(columns.join(', '))}) VALUES ${values} ${sql.raw(rollupUpsertTail(target))}`.execute(db);
    }
  }
};

const histogramSql = (column: string, names: ReadonlyArray<string>): RawBuilder<unknown>[] =>
  names.map((name, i) => {
    const low = i === 0 ? null : LATENCY_BOUNDS[i - 1]!;
    const high = i < LATENCY_BOUNDS.length ? LATENCY_BOUNDS[i]! : null;
    const conditions = [`${column} IS NOT NULL`, ...(low === null ? [] : [`${column} >= ${low}`]), ...(high === null ? [] : [`${column} < ${high}`])];
    return sql.raw(`SUM(CASE WHEN ${conditions.join(' AND ')} THEN 1 ELSE 0 END)`);
  });

/**
 * Folds every usage row at or after `since` into the roll-ups in one statement (the
 * migration's backfill, and bulk loads). Rows must not have been rolled up already.
 */
export const rollUpExistingRows = async (db: Kysely<any>, since = 0): Promise<void> => {
  for (const target of ROLLUP_TABLES) await rollUp(db, target, since);
};

const rollUp = async (db: Kysely<any>, target: RollupTable, since: number): Promise<void> => {
  const hour = sql.raw(`(time - (time % ${target.periodMs}))`);
  const statusClass = sql.raw('(CASE WHEN status < 200 THEN 1 WHEN status >= 500 THEN 5 ELSE status / 100 END)');
  const selected = [
    hour, sql.raw(`coalesce(key_id, '')`), sql.raw('model'), sql.raw('provider'), sql.raw('currency'), statusClass,
    sql.raw('max(key_name)'), sql.raw('count(*)'),
    ...['prompt_tokens', 'completion_tokens', 'cache_read_tokens', 'cache_write_tokens', 'reasoning_tokens', 'total_tokens', 'cost', 'latency_ms'].map((c) => sql.raw(`coalesce(sum(${c}), 0)`)),
    sql.raw('coalesce(sum(ttft_ms), 0)'), sql.raw('count(ttft_ms)'),
    ...histogramSql('latency_ms', latencyColumns as string[]),
    ...histogramSql('ttft_ms', ttftColumns as string[]),
  ];
  await sql`INSERT INTO ${sql.raw(target.table)} (${sql.raw(rollupColumns(target).join(', '))})
    SELECT ${sql.join(selected)} FROM usage_records WHERE time >= ${since}
    GROUP BY ${hour}, coalesce(key_id, ''), model, provider, currency, ${statusClass}
    ${sql.raw(rollupUpsertTail(target))}`.execute(db);
};

/**
 * Nearest-rank percentile estimated from a histogram: the rank's bucket, interpolated
 * linearly inside it. The open-ended last bucket answers its lower bound (≥ 120 s).
 */
export const histogramPercentile = (counts: ReadonlyArray<number>, percent: number): number | null => {
  const total = counts.reduce((a, b) => a + b, 0);
  if (total === 0) return null;
  const rank = Math.max(1, Math.ceil((percent * total) / 100));
  let before = 0;
  for (let i = 0; i < counts.length; i += 1) {
    const count = counts[i]!;
    if (before + count >= rank) {
      const low = i === 0 ? 0 : LATENCY_BOUNDS[i - 1]!;
      if (i >= LATENCY_BOUNDS.length) return low;
      const high = LATENCY_BOUNDS[i]!;
      return Math.round(low + ((high - low) * (rank - before)) / count);
    }
    before += count;
  }
  return null;
};
