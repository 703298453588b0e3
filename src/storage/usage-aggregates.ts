/* eslint-disable @typescript-eslint/no-explicit-any -- the same query runs over usage_records, usage_hourly or usage_daily, chosen at run time; Kysely types one table at a time. */
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
import { DAY_MS, HOUR_MS, histogramPercentile, latencyColumns, ttftColumns } from './usage-rollup.js';
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
interface Part {
  table: 'usage_records' | 'usage_hourly' | 'usage_daily';
  time: string;
  from: number;
  to: number;
}
interface Source {
  kind: UsageSource;
  /** Disjoint time slices, each read from one table; their rows are added together. */
  parts: Part[];
  requests: RawBuilder<number>;
  errors: RawBuilder<number>;
  from: number;
  to: number;
}

/**
 * A long range read from roll-ups: whole UTC days from the daily table and the partial
 * days at either end from the hourly one (hour buckets need the hourly table throughout).
 */
const rollupParts = (from: number, to: number, bucket?: UsageBucket): Part[] => {
  const firstDay = Math.ceil(from / DAY_MS) * DAY_MS;
  const lastDay = Math.floor(to / DAY_MS) * DAY_MS;
  if (bucket === 'hour' || lastDay <= firstDay) return [{ table: 'usage_hourly', time: 'hour', from, to }];
  return [
    { table: 'usage_hourly' as const, time: 'hour', from, to: firstDay },
    { table: 'usage_daily' as const, time: 'day', from: firstDay, to: lastDay },
    { table: 'usage_hourly' as const, time: 'hour', from: lastDay, to },
  ].filter((part) => part.to > part.from);
};

const sum = (expression: string) => sql<number>`coalesce(sum(${sql.raw(expression)}), 0)`;

const chooseSource = (filter: UsageFilter & { from: number; to: number }, bucket?: UsageBucket): Source => {
  const exactStatus = typeof filter.status === 'number';
  if (filter.to - filter.from > ROLLUP_THRESHOLD_MS && !exactStatus && bucket !== 'minute') {
    const from = Math.floor(filter.from / HOUR_MS) * HOUR_MS;
    const to = Math.ceil(filter.to / HOUR_MS) * HOUR_MS;
    return {
      kind: 'hourly',
      parts: rollupParts(from, to, bucket),
      requests: sum('requests'),
      errors: sum('CASE WHEN status_class >= 4 THEN requests ELSE 0 END'),
      from,
      to,
    };
  }
  return {
    kind: 'requests',
    parts: [{ table: 'usage_records', time: 'time', from: filter.from, to: filter.to }],
    requests: sql<number>`count(*)`,
    errors: sum('CASE WHEN status >= 400 THEN 1 ELSE 0 END'),
    from: filter.from,
    to: filter.to,
  };
};

const applyFilter = <Q extends AnyQuery>(query: Q, source: Source, part: Part, filter: UsageFilter): Q => {
  let q = query.where(part.time, '>=', Math.floor(part.from)).where(part.time, '<', Math.ceil(part.to)) as Q;
  if (filter.model) q = q.where('model', '=', filter.model) as Q;
  if (filter.provider) q = q.where('provider', '=', filter.provider) as Q;
  if (filter.keyId) q = q.where('key_id', '=', filter.keyId) as Q;
  // A team is its member keys (current membership), in raw rows and roll-ups alike.
  if (filter.teamId) q = q.where(sql<boolean>`${sql.ref('key_id')} in (select id from api_keys where team_id = ${filter.teamId})`) as Q;
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

const PERIOD_MS: Record<Part['table'], number> = { usage_records: 1, usage_hourly: HOUR_MS, usage_daily: DAY_MS };

/** The bucket start; a roll-up's own period column when the bucket is that period (grouping follows the primary key). */
const bucketExpression = (part: Part, bucketMs: number | null) =>
  bucketMs === null
    ? sql<number>`0`
    : bucketMs === PERIOD_MS[part.table]
      ? sql<number>`${sql.ref(part.time)}`
      : sql<number>`(${sql.ref(part.time)} - (${sql.ref(part.time)} % ${sql.lit(bucketMs)}))`;

/** Runs one query per part of the source and returns all their rows. */
const eachPart = async <R>(source: Source, run: (part: Part) => Promise<R[]>): Promise<R[]> => {
  const rows: R[] = [];
  for (const part of source.parts) rows.push(...(await run(part)));
  return rows;
};

/**
 * Nearest-rank percentiles per bucket from request rows, in SQL both dialects understand:
 * window row_number/count per bucket, keeping only the rows whose rank is ceil(p·n/100)
 * (integer arithmetic: (p·n + 99) / 100). Returns bucket → percent → value.
 */
const exactPercentiles = async (db: Db, source: Source, filter: UsageFilter, column: 'latency_ms' | 'ttft_ms', percents: number[], bucketMs: number | null) => {
  const part = source.parts[0]!;
  const bucket = bucketExpression(part, bucketMs);
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
    part,
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

type PercentileMap = Map<number, { latency: Map<number, number | null>; ttft: Map<number, number | null> }>;

/** Exact percentiles from request rows (short ranges); bucket → {latency, ttft} → percent → ms. */
const exactPercentilesByBucket = async (db: Db, source: Source, filter: UsageFilter, bucketMs: number | null): Promise<PercentileMap> => {
  const result: PercentileMap = new Map();
  const entry = (bucket: number) => {
    let value = result.get(bucket);
    if (!value) result.set(bucket, (value = { latency: new Map(), ttft: new Map() }));
    return value;
  };
  for (const [bucket, values] of await exactPercentiles(db, source, filter, 'latency_ms', [50, 95], bucketMs)) entry(bucket).latency = values;
  for (const [bucket, values] of await exactPercentiles(db, source, filter, 'ttft_ms', [50, 95], bucketMs)) entry(bucket).ttft = values;
  return result;
};

/** Roll-up rows carry their histograms in the same pass as the sums (one read of the range). */
const histogramSelects = (source: Source) =>
  source.kind === 'hourly' ? [...latencyColumns, ...ttftColumns].map((c) => sum(c).as(c)) : [];

/** Adds one roll-up row's histograms into `into` (bucket → [latency counts, ttft counts]). */
const addHistograms = (into: Map<number, [number[], number[]]>, bucket: number, row: Record<string, unknown>) => {
  let value = into.get(bucket);
  if (!value) into.set(bucket, (value = [latencyColumns.map(() => 0), ttftColumns.map(() => 0)]));
  latencyColumns.forEach((c, i) => (value[0][i]! += Number(row[c])));
  ttftColumns.forEach((c, i) => (value[1][i]! += Number(row[c])));
};

const fromHistograms = (histograms: Map<number, [number[], number[]]>): PercentileMap => {
  const result: PercentileMap = new Map();
  for (const [bucket, [latency, ttft]] of histograms) {
    result.set(bucket, {
      latency: new Map([50, 95].map((p) => [p, histogramPercentile(latency, p)])),
      ttft: new Map([50, 95].map((p) => [p, histogramPercentile(ttft, p)])),
    });
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
  const rows = (await eachPart(source, (part) =>
    applyFilter(
      (db as Kysely<any>).selectFrom(part.table).select(['currency', ...selectSums(source), ...histogramSelects(source)]).groupBy('currency'),
      source,
      part,
      filter,
    ).execute(),
  )) as unknown as Array<Sums & { currency: string }>;
  const histograms = new Map<number, [number[], number[]]>();
  const totals = Object.fromEntries(COUNT_FIELDS.map((f) => [f, 0])) as Record<(typeof COUNT_FIELDS)[number], number>;
  const costByCurrency: CostByCurrency = {};
  for (const row of rows) {
    for (const field of COUNT_FIELDS) totals[field] += Number(row[field]);
    addCost(costByCurrency, row.currency, Number(row.cost));
    if (source.kind === 'hourly') addHistograms(histograms, 0, row);
  }
  const p = (source.kind === 'hourly' ? fromHistograms(histograms) : await exactPercentilesByBucket(db, source, filter, null)).get(0);
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

const emptyPoint = (time: number): TimeseriesPoint => ({
  time,
  requests: 0,
  errors: 0,
  totalTokens: 0,
  promptTokens: 0,
  cacheReadTokens: 0,
  cacheWriteTokens: 0,
  completionTokens: 0,
  reasoningTokens: 0,
  costByCurrency: {},
  p50LatencyMs: null,
  p95LatencyMs: null,
  p50TtftMs: null,
});

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
  const rows = (await eachPart(source, (part) => {
    const expression = bucketExpression(part, bucketMs);
    return applyFilter(
      (db as Kysely<any>)
        .selectFrom(part.table)
        .select([expression.as('bucket'), 'currency', ...selectSums(source), ...histogramSelects(source)])
        .groupBy([expression, 'currency']),
      source,
      part,
      filter,
    ).execute();
  })) as unknown as Array<Sums & { bucket: number; currency: string }>;
  const histograms = new Map<number, [number[], number[]]>();
  const byBucket = new Map<number, TimeseriesPoint>();
  for (const row of rows) {
    const time = Number(row.bucket);
    if (source.kind === 'hourly') addHistograms(histograms, time, row);
    let point = byBucket.get(time);
    if (!point) {
      point = emptyPoint(time);
      byBucket.set(time, point);
    }
    point.requests += Number(row.requests);
    point.errors += Number(row.errors);
    point.totalTokens += Number(row.totalTokens);
    point.promptTokens += Number(row.promptTokens);
    point.cacheReadTokens += Number(row.cacheReadTokens);
    point.cacheWriteTokens += Number(row.cacheWriteTokens);
    point.completionTokens += Number(row.completionTokens);
    point.reasoningTokens += Number(row.reasoningTokens);
    addCost(point.costByCurrency, row.currency, Number(row.cost));
  }
  const p = source.kind === 'hourly' ? fromHistograms(histograms) : await exactPercentilesByBucket(db, source, filter, bucketMs);
  const points: TimeseriesPoint[] = [];
  for (let i = 0; i < count; i += 1) {
    const time = first + i * bucketMs;
    const point = byBucket.get(time) ?? emptyPoint(time);
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
  // One pass per part grouped by (name, currency); the handful of groups are ranked here.
  const rows = await eachPart(source, (part) => {
    let query = (db as Kysely<any>).selectFrom(part.table).where(column, 'is not', null);
    // The roll-ups keep keyless requests under '' (a primary key cannot hold null).
    if (source.kind === 'hourly' && by === 'key') query = query.where('key_id', '<>', '');
    return applyFilter(query, source, part, filter)
    .select([
      sql<string>`${sql.ref(column)}`.as('id'),
      'currency',
      sql<string | null>`max(${sql.ref('key_name')})`.as('keyName'),
      source.requests.as('requests'),
      sum('total_tokens').as('totalTokens'),
      sum('cost').as('cost'),
    ])
    .groupBy([column, 'currency'])
    .execute();
  });
  const entries = new Map<string, TopEntry>();
  for (const row of rows) {
    const id = String(row.id);
    let entry = entries.get(id);
    if (!entry) entries.set(id, (entry = { id, name: id, requests: 0, totalTokens: 0, costByCurrency: {} }));
    if (by === 'key' && row.keyName) entry.name = String(row.keyName);
    entry.requests += Number(row.requests);
    entry.totalTokens += Number(row.totalTokens);
    addCost(entry.costByCurrency, String(row.currency), Number(row.cost));
  }
  return [...entries.values()]
    .sort((a, b) => b.requests - a.requests || b.totalTokens - a.totalTokens || (a.id < b.id ? -1 : a.id > b.id ? 1 : 0))
    .slice(0, safeLimit);
};
