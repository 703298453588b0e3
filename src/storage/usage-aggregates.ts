import { sql, type Kysely } from 'kysely';
import { badRequest } from '../server/errors.js';
import type { DatabaseSchema } from './schema.js';
import { applyUsageFilter, type UsageFilter } from './usage-query.js';

export interface UsageSummary {
  requests: number;
  errors: number;
  errorRate: number;
  promptTokens: number;
  completionTokens: number;
  totalTokens: number;
  cost: number;
  p50LatencyMs: number | null;
  p95LatencyMs: number | null;
  p50TtftMs: number | null;
  p95TtftMs: number | null;
}

export type UsageBucket = 'minute' | 'hour' | 'day';
export interface TimeseriesPoint {
  /** Bucket start, epoch ms (UTC). */
  time: number;
  requests: number;
  errors: number;
  totalTokens: number;
  cost: number;
  p50LatencyMs: number | null;
  p95LatencyMs: number | null;
  p50TtftMs: number | null;
}

export type TopBy = 'model' | 'provider' | 'key';
export interface TopEntry {
  /** Model, provider or key name. */
  name: string;
  /** The key id when grouping by key, else the name. */
  id: string;
  requests: number;
  totalTokens: number;
  cost: number;
}

export const BUCKET_MS: Record<UsageBucket, number> = { minute: 60_000, hour: 3_600_000, day: 86_400_000 };
/** Gap-filled series longer than this are refused rather than built. */
export const MAX_BUCKETS = 50_000;

type Db = Kysely<DatabaseSchema>;

const bucketExpression = (bucketMs: number | null) =>
  bucketMs === null ? sql<number>`0` : sql<number>`(${sql.ref('time')} - (${sql.ref('time')} % ${sql.lit(bucketMs)}))`;

/**
 * Nearest-rank percentiles per bucket in SQL both dialects understand: window
 * row_number/count per bucket, keeping only the rows whose rank is ceil(p·n/100)
 * (integer arithmetic: (p·n + 99) / 100). Returns bucket → percent → value.
 */
const percentiles = async (
  db: Db,
  filter: UsageFilter,
  column: 'latency_ms' | 'ttft_ms',
  percents: number[],
  bucketMs: number | null,
): Promise<Map<number, Map<number, number>>> => {
  const bucket = bucketExpression(bucketMs);
  const partition = bucketMs === null ? sql.raw('') : sql`partition by ${bucket}`;
  const ranked = applyUsageFilter(
    db
      .selectFrom('usage_records')
      .select([
        bucket.as('bucket'),
        sql<number>`${sql.ref(column)}`.as('value'),
        sql<number>`row_number() over (${partition} order by ${sql.ref(column)})`.as('rn'),
        sql<number>`count(*) over (${partition})`.as('cnt'),
      ])
      .where(column, 'is not', null),
    filter,
  );
  const wanted = percents.map((p) => sql<boolean>`r.rn = (${sql.lit(p)} * r.cnt + 99) / 100`);
  const rows = await db
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

const totals = () => ({
  requests: sql<number>`count(*)`,
  errors: sql<number>`coalesce(sum(case when ${sql.ref('status')} >= 400 then 1 else 0 end), 0)`,
  promptTokens: sql<number>`coalesce(sum(${sql.ref('prompt_tokens')}), 0)`,
  completionTokens: sql<number>`coalesce(sum(${sql.ref('completion_tokens')}), 0)`,
  totalTokens: sql<number>`coalesce(sum(${sql.ref('total_tokens')}), 0)`,
  cost: sql<number>`coalesce(sum(${sql.ref('cost')}), 0)`,
});

export const usageSummary = async (db: Db, filter: UsageFilter): Promise<UsageSummary> => {
  const t = totals();
  const row = await applyUsageFilter(
    db
      .selectFrom('usage_records')
      .select([
        t.requests.as('requests'),
        t.errors.as('errors'),
        t.promptTokens.as('promptTokens'),
        t.completionTokens.as('completionTokens'),
        t.totalTokens.as('totalTokens'),
        t.cost.as('cost'),
      ]),
    filter,
  ).executeTakeFirstOrThrow();
  const latency = (await percentiles(db, filter, 'latency_ms', [50, 95], null)).get(0);
  const ttft = (await percentiles(db, filter, 'ttft_ms', [50, 95], null)).get(0);
  const requests = Number(row.requests);
  const errors = Number(row.errors);
  return {
    requests,
    errors,
    errorRate: requests === 0 ? 0 : errors / requests,
    promptTokens: Number(row.promptTokens),
    completionTokens: Number(row.completionTokens),
    totalTokens: Number(row.totalTokens),
    cost: Number(row.cost),
    p50LatencyMs: latency?.get(50) ?? null,
    p95LatencyMs: latency?.get(95) ?? null,
    p50TtftMs: ttft?.get(50) ?? null,
    p95TtftMs: ttft?.get(95) ?? null,
  };
};

/** One point per bucket from `from` to `to`, empty buckets included (zeros, null percentiles). */
export const usageTimeseries = async (
  db: Db,
  filter: UsageFilter & { from: number; to: number },
  bucket: UsageBucket,
): Promise<TimeseriesPoint[]> => {
  const bucketMs = BUCKET_MS[bucket];
  if (!bucketMs) throw badRequest('bucket must be minute, hour or day.', 'invalid_request', 'bucket');
  const first = Math.floor(filter.from / bucketMs) * bucketMs;
  const count = filter.to > filter.from ? Math.ceil((filter.to - first) / bucketMs) : 0;
  if (count > MAX_BUCKETS) {
    throw badRequest(`The range holds ${count} ${bucket} buckets; use a coarser bucket.`, 'too_many_buckets', 'bucket');
  }
  const expression = bucketExpression(bucketMs);
  const t = totals();
  const rows = await applyUsageFilter(
    db
      .selectFrom('usage_records')
      .select([
        expression.as('bucket'),
        t.requests.as('requests'),
        t.errors.as('errors'),
        t.totalTokens.as('totalTokens'),
        t.cost.as('cost'),
      ])
      .groupBy(expression),
    filter,
  ).execute();
  const latency = await percentiles(db, filter, 'latency_ms', [50, 95], bucketMs);
  const ttft = await percentiles(db, filter, 'ttft_ms', [50], bucketMs);
  const byBucket = new Map(rows.map((row) => [Number(row.bucket), row]));
  const points: TimeseriesPoint[] = [];
  for (let i = 0; i < count; i += 1) {
    const time = first + i * bucketMs;
    const row = byBucket.get(time);
    points.push({
      time,
      requests: Number(row?.requests ?? 0),
      errors: Number(row?.errors ?? 0),
      totalTokens: Number(row?.totalTokens ?? 0),
      cost: Number(row?.cost ?? 0),
      p50LatencyMs: latency.get(time)?.get(50) ?? null,
      p95LatencyMs: latency.get(time)?.get(95) ?? null,
      p50TtftMs: ttft.get(time)?.get(50) ?? null,
    });
  }
  return points;
};

const TOP_COLUMNS = { model: 'model', provider: 'provider', key: 'key_id' } as const;

/** Largest consumers, by request count (ties: cost, then name). Requests without a key are left out of `key`. */
export const usageTop = async (db: Db, by: TopBy, filter: UsageFilter, limit = 10): Promise<TopEntry[]> => {
  const column = TOP_COLUMNS[by];
  if (!column) throw badRequest('by must be model, provider or key.', 'invalid_request', 'by');
  const safeLimit = Math.min(Math.max(Math.floor(Number.isFinite(limit) ? limit : 10), 1), 1000);
  const t = totals();
  const rows = await applyUsageFilter(
    db
      .selectFrom('usage_records')
      .select([
        sql<string>`${sql.ref(column)}`.as('id'),
        sql<string | null>`max(${sql.ref('key_name')})`.as('keyName'),
        t.requests.as('requests'),
        t.totalTokens.as('totalTokens'),
        t.cost.as('cost'),
      ])
      .where(column, 'is not', null)
      .groupBy(column)
      .orderBy(sql`count(*)`, 'desc')
      .orderBy(sql`coalesce(sum(${sql.ref('cost')}), 0)`, 'desc')
      .orderBy(column)
      .limit(safeLimit),
    filter,
  ).execute();
  return rows.map((row) => ({
    id: String(row.id),
    name: by === 'key' ? (row.keyName ?? String(row.id)) : String(row.id),
    requests: Number(row.requests),
    totalTokens: Number(row.totalTokens),
    cost: Number(row.cost),
  }));
};
