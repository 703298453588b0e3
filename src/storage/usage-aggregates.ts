import { sql, type Kysely, type RawBuilder, type SelectQueryBuilder } from 'kysely';
import {
  addCost,
  type CostByCurrency,
  type TimeseriesPoint as WireTimeseriesPoint,
  type TopBy,
  type TopEntry,
  type UsageBucket,
  type UsageSource,
  type UsageSummary as WireUsageSummary,
} from '../core/usage-wire.js';
import { badRequest } from '../server/errors.js';
import type { DatabaseSchema } from './schema.js';
import { HOUR_MS, histogramPercentile, latencyColumns, ttftColumns } from './usage-rollup.js';
import type { UsageFilter } from './usage-query.js';

export type { TopBy, TopEntry, UsageBucket } from '../core/usage-wire.js';
/** As the storage layer returns them: times are epoch ms. */
export type UsageSummary = Omit<WireUsageSummary, 'from' | 'to'> & { from: number; to: number };
export type TimeseriesPoint = WireTimeseriesPoint<number>;

export const BUCKET_MS: Record<UsageBucket, number> = { minute: 60_000, hour: 3_600_000, day: 86_400_000 };
/** Gap-filled series longer than this are refused rather than built. */
export const MAX_BUCKETS = 50_000;
/** Ranges longer than this read the hourly roll-ups instead of request rows. */
export const ROLLUP_THRESHOLD_MS = 48 * HOUR_MS;

type Db = Kysely<DatabaseSchema>;
type AnyQuery = SelectQueryBuilder<any, any, any>;

/**
 * The two places aggregates come from. Request rows are exact (and kept for the retention
 * period); the hourly roll-ups (kept a year) answer long ranges from a few hundred rows
 * per day, widening the range to whole UTC hours.
 */
interface Source {
  kind: UsageSource;
  table: 'usage_records' | 'usage_hourly';
  time: string;
  requests: RawBuilder<number>;
  errors: RawBuilder<number>;
  from: number;
  to: number;
}

const sum = (expression: string) => sql<number>`coalesce(sum(${sql.raw(expression)}), 0)`;

const chooseSource = (filter: UsageFilter & { from: number; to: number }, bucket?: UsageBucket): Source => {
  const exactStatus = typeof filter.status === 'number';
  if (filter.to - filter.from > ROLLUP_THRESHOLD_MS && !exactStatus && bucket !== 'minute') {
    return {
      kind: 'hourly',
      table: 'usage_hourly',
      time: 'hour',
      requests: sum('requests'),
      errors: sum('CASE WHEN status_class >= 4 THEN requests ELSE 0 END'),
      from: Math.floor(filter.from / HOUR_MS) * HOUR_MS,
      to: Math.ceil(filter.to / HOUR_MS) * HOUR_MS,
    };
  }
  return {
    kind: 'requests',
    table: 'usage_records',
    time: 'time',
    requests: sql<number>`count(*)`,
    errors: sum('CASE WHEN status >= 400 THEN 1 ELSE 0 END'),
    from: filter.from,
    to: filter.to,
  };
};

const applyFilter = <Q extends AnyQuery>(query: Q, source: Source, filter: UsageFilter): Q => {
  let q = query.where(source.time, '>=', Math.floor(source.from)).where(source.time, '<', Math.ceil(source.to)) as Q;
  if (filter.model) q = q.where('model', '=', filter.model) as Q;
  if (filter.provider) q = q.where('provider', '=', filter.provider) as Q;
  if (filter.keyId) q = q.where('key_id', '=', filter.keyId) as Q;
  const statusColumn = source.kind === 'hourly' ? sql.raw('status_class') : sql.raw('status');
  const errorFrom = source.kind === 'hourly' ? 4 : 400;
  if (filter.status === 'success') q = q.where(sql<boolean>`${statusColumn} < ${errorFrom}`) as Q;
  else if (filter.status === 'error') q = q.where(sql<boolean>`${statusColumn} >= ${errorFrom}`) as Q;
  else if (filter.status !== undefined) {
    if (!Number.isInteger(filter.status)) throw badRequest('status must be an HTTP status, "success" or "error".', 'invalid_request', 'status');
    q = q.where('status', '=', filter.status) as Q;
  }
  return q;
};

const bucketExpression = (source: Source, bucketMs: number | null) =>
  bucketMs === null ? sql<number>`0` : sql<number>`(${sql.ref(source.time)} - (${sql.ref(source.time)} % ${sql.lit(bucketMs)}))`;

/**
 * Nearest-rank percentiles per bucket from request rows, in SQL both dialects understand:
 * window row_number/count per bucket, keeping only the rows whose rank is ceil(p·n/100)
 * (integer arithmetic: (p·n + 99) / 100). Returns bucket → percent → value.
 */
const exactPercentiles = async (db: Db, source: Source, filter: UsageFilter, column: 'latency_ms' | 'ttft_ms', percents: number[], bucketMs: number | null) => {
  const bucket = bucketExpression(source, bucketMs);
  const partition = bucketMs === null ? sql.raw('') : sql`partition by ${bucket}`;
  const ranked = applyFilter(
    (db as Kysely<any>)
      .selectFrom('usage_records')
      .select([
        bucket.as('bucket'),
        sql<number>`${sql.ref(column)}`.as('value'),
        sql<number>`row_number() over (${partition} order by ${sql.ref(column)})`.as('rn'),
        sql<number>`count(*) over (${partition})`.as('cnt'),
      ])
      .where(column, 'is not', null),
    source,
    filter,
  );
  const wanted = percents.map((p) => sql<boolean>`r.rn = (${sql.lit(p)} * r.cnt + 99) / 100`);
  const rows = await (db as Kysely<any>)
    .selectFrom(ranked.as('r'))
    .select(['r.bucket', 'r.value', 'r.rn', 'r.cnt'])
    .where(sql<boolean>`(${sql.join(wanted, sql` or `)})`)
    .execute();
  const out = new Map<number, Map<number, number>>();
  for (const row of rows) {
    const key = Number(row.bucket);
    const values = out.get(key) ?? new Map<number, number>();
    for (const p of percents) {
      if (Math.floor((p * Number(row.cnt) + 99) / 100) === Number(row.rn)) values.set(p, Number(row.value));
    }
    out.set(key, values);
  }
  return out;
};

/** bucket → {latency: percent → ms, ttft: percent → ms}, exact or from the roll-ups' histograms. */
const percentiles = async (db: Db, source: Source, filter: UsageFilter, bucketMs: number | null) => {
  const result = new Map<number, { latency: Map<number, number | null>; ttft: Map<number, number | null> }>();
  const entry = (bucket: number) => {
    let value = result.get(bucket);
    if (!value) result.set(bucket, (value = { latency: new Map(), ttft: new Map() }));
    return value;
  };
  if (source.kind === 'requests') {
    for (const [bucket, values] of await exactPercentiles(db, source, filter, 'latency_ms', [50, 95], bucketMs)) entry(bucket).latency = values;
    for (const [bucket, values] of await exactPercentiles(db, source, filter, 'ttft_ms', [50, 95], bucketMs)) entry(bucket).ttft = values;
    return result;
  }
  const bucket = bucketExpression(source, bucketMs);
  const columns = [...latencyColumns, ...ttftColumns];
  let query = applyFilter(
    (db as Kysely<any>).selectFrom('usage_hourly').select([bucket.as('bucket'), ...columns.map((c) => sum(c).as(c))]),
    source,
    filter,
  );
  if (bucketMs !== null) query = query.groupBy(bucket);
  for (const row of await query.execute()) {
    const latency = latencyColumns.map((c) => Number(row[c]));
    const ttft = ttftColumns.map((c) => Number(row[c]));
    const value = entry(Number(row.bucket));
    for (const p of [50, 95]) {
      value.latency.set(p, histogramPercentile(latency, p));
      value.ttft.set(p, histogramPercentile(ttft, p));
    }
  }
  return result;
};

const tokenSums = (source: Source) => ({
  requests: source.requests,
  errors: source.errors,
  promptTokens: sum('prompt_tokens'),
  completionTokens: sum('completion_tokens'),
  cacheReadTokens: sum('cache_read_tokens'),
  cacheWriteTokens: sum('cache_write_tokens'),
  reasoningTokens: sum('reasoning_tokens'),
  totalTokens: sum('total_tokens'),
  cost: sum('cost'),
});
type Sums = { [K in keyof ReturnType<typeof tokenSums>]: number };
const COUNT_FIELDS = ['requests', 'errors', 'promptTokens', 'completionTokens', 'cacheReadTokens', 'cacheWriteTokens', 'reasoningTokens', 'totalTokens'] as const;

const selectSums = (source: Source) => Object.entries(tokenSums(source)).map(([name, expression]) => expression.as(name));

export const usageSummary = async (db: Db, filter: UsageFilter & { from: number; to: number }): Promise<UsageSummary> => {
  const source = chooseSource(filter);
  const rows = (await applyFilter(
    (db as Kysely<any>).selectFrom(source.table).select(['currency', ...selectSums(source)]).groupBy('currency'),
    source,
    filter,
  ).execute()) as unknown as Array<Sums & { currency: string }>;
  const totals = Object.fromEntries(COUNT_FIELDS.map((f) => [f, 0])) as Record<(typeof COUNT_FIELDS)[number], number>;
  const costByCurrency: CostByCurrency = {};
  for (const row of rows) {
    for (const field of COUNT_FIELDS) totals[field] += Number(row[field]);
    addCost(costByCurrency, row.currency, Number(row.cost));
  }
  const p = (await percentiles(db, source, filter, null)).get(0);
  return {
    ...totals,
    errorRate: totals.requests === 0 ? 0 : totals.errors / totals.requests,
    costByCurrency,
    p50LatencyMs: p?.latency.get(50) ?? null,
    p95LatencyMs: p?.latency.get(95) ?? null,
    p50TtftMs: p?.ttft.get(50) ?? null,
    p95TtftMs: p?.ttft.get(95) ?? null,
    source: source.kind,
    from: source.from,
    to: source.to,
  };
};

/** One point per bucket from `from` to `to`, empty buckets included (zeros, null percentiles). */
export const usageTimeseries = async (
  db: Db,
  filter: UsageFilter & { from: number; to: number },
  bucket: UsageBucket,
): Promise<{ source: UsageSource; points: TimeseriesPoint[] }> => {
  const bucketMs = BUCKET_MS[bucket];
  if (!bucketMs) throw badRequest('bucket must be minute, hour or day.', 'invalid_request', 'bucket');
  const first = Math.floor(filter.from / bucketMs) * bucketMs;
  const count = filter.to > filter.from ? Math.ceil((filter.to - first) / bucketMs) : 0;
  if (count > MAX_BUCKETS) {
    throw badRequest(`The range holds ${count} ${bucket} buckets; use a coarser bucket.`, 'too_many_buckets', 'bucket');
  }
  const source = chooseSource(filter, bucket);
  const expression = bucketExpression(source, bucketMs);
  const rows = (await applyFilter(
    (db as Kysely<any>)
      .selectFrom(source.table)
      .select([expression.as('bucket'), 'currency', ...selectSums(source)])
      .groupBy([expression, 'currency']),
    source,
    filter,
  ).execute()) as unknown as Array<Sums & { bucket: number; currency: string }>;
  const p = await percentiles(db, source, filter, bucketMs);
  const byBucket = new Map<number, TimeseriesPoint>();
  for (const row of rows) {
    const time = Number(row.bucket);
    let point = byBucket.get(time);
    if (!point) {
      point = { time, requests: 0, errors: 0, totalTokens: 0, cacheReadTokens: 0, reasoningTokens: 0, costByCurrency: {}, p50LatencyMs: null, p95LatencyMs: null, p50TtftMs: null };
      byBucket.set(time, point);
    }
    point.requests += Number(row.requests);
    point.errors += Number(row.errors);
    point.totalTokens += Number(row.totalTokens);
    point.cacheReadTokens += Number(row.cacheReadTokens);
    point.reasoningTokens += Number(row.reasoningTokens);
    addCost(point.costByCurrency, row.currency, Number(row.cost));
  }
  const points: TimeseriesPoint[] = [];
  for (let i = 0; i < count; i += 1) {
    const time = first + i * bucketMs;
    const point = byBucket.get(time) ?? { time, requests: 0, errors: 0, totalTokens: 0, cacheReadTokens: 0, reasoningTokens: 0, costByCurrency: {}, p50LatencyMs: null, p95LatencyMs: null, p50TtftMs: null };
    const values = p.get(time);
    point.p50LatencyMs = values?.latency.get(50) ?? null;
    point.p95LatencyMs = values?.latency.get(95) ?? null;
    point.p50TtftMs = values?.ttft.get(50) ?? null;
    points.push(point);
  }
  return { source: source.kind, points };
};

const TOP_COLUMNS = { model: 'model', provider: 'provider', key: 'key_id' } as const;

/**
 * Largest consumers, by request count (ties: total tokens, then name; costs in different
 * currencies cannot be ranked against each other). Requests without a key are left out of `key`.
 */
export const usageTop = async (db: Db, by: TopBy, filter: UsageFilter & { from: number; to: number }, limit = 10): Promise<TopEntry[]> => {
  const column = TOP_COLUMNS[by];
  if (!column) throw badRequest('by must be model, provider or key.', 'invalid_request', 'by');
  const safeLimit = Math.min(Math.max(Math.floor(Number.isFinite(limit) ? limit : 10), 1), 1000);
  const source = chooseSource(filter);
  const base = () => {
    let query = (db as Kysely<any>).selectFrom(source.table).where(column, 'is not', null);
    // The roll-up keeps keyless requests under '' (a primary key cannot hold null).
    if (source.kind === 'hourly' && by === 'key') query = query.where('key_id', '<>', '');
    return applyFilter(query, source, filter);
  };
  const rows = await base()
    .select([
      sql<string>`${sql.ref(column)}`.as('id'),
      sql<string | null>`max(${sql.ref('key_name')})`.as('keyName'),
      source.requests.as('requests'),
      sum('total_tokens').as('totalTokens'),
    ])
    .groupBy(column)
    .orderBy(source.requests, 'desc')
    .orderBy(sum('total_tokens'), 'desc')
    .orderBy(column)
    .limit(safeLimit)
    .execute();
  if (rows.length === 0) return [];
  const ids = rows.map((row) => String(row.id));
  const costs = await base()
    .select([sql<string>`${sql.ref(column)}`.as('id'), 'currency', sum('cost').as('cost')])
    .where(column, 'in', ids)
    .groupBy([column, 'currency'])
    .execute();
  const costById = new Map<string, CostByCurrency>();
  for (const row of costs) addCost(costById.get(String(row.id)) ?? costById.set(String(row.id), {}).get(String(row.id))!, row.currency, Number(row.cost));
  return rows.map((row) => ({
    id: String(row.id),
    name: by === 'key' ? (row.keyName ?? String(row.id)) : String(row.id),
    requests: Number(row.requests),
    totalTokens: Number(row.totalTokens),
    costByCurrency: costById.get(String(row.id)) ?? {},
  }));
};
