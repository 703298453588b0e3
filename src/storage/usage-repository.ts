import { boundText, MAX_NAME_LENGTH } from '../core/bounded-text.js';
import { timeOrderedId } from './time-ordered-id.js';
import { sql, type Kysely } from 'kysely';
import { badRequest } from '../server/errors.js';
import { normalizePaging, type Page } from './audit-repository.js';
import type { DatabaseSchema, FullUsageRow, UsageRecordRow } from './schema.js';
import { lastUseByKey } from './last-use.js';
import { HOUR_MS, ROLLUP_TABLES, rollupColumns, rollupIncrements, rollupUpsertTail, upsertRollupsPostgres } from './usage-rollup.js';
import {
  usageSummary,
  usageTimeseries,
  usageTop,
  type TimeseriesPoint,
  type TopBy,
  type TopEntry,
  type UsageBucket,
  type UsageSummary,
} from './usage-aggregates.js';
import type { UsageSource } from '../core/usage-wire.js';
import { applyUsageFilter, type UsageFilter } from './usage-query.js';

/** One request, as the proxy reports it. Omitted numbers default to 0, flags to false. */
export interface UsageRecordInput {
  /** Assigned by the writer/repository when absent; makes retried inserts idempotent. */
  id?: string;
  requestId: string;
  /** Epoch milliseconds. */
  time: number;
  keyId?: string | null;
  keyName?: string | null;
  model: string;
  provider: string;
  /** HTTP status of the answer given to the client. */
  status: number;
  errorCode?: string | null;
  /** Input tokens at the full input price (cache reads and writes excluded). */
  promptTokens?: number;
  /** Output tokens, reasoning included. */
  completionTokens?: number;
  cacheReadTokens?: number;
  cacheWriteTokens?: number;
  /** The part of completionTokens spent reasoning. */
  reasoningTokens?: number;
  /** Defaults to prompt + cache read + cache write + completion. */
  totalTokens?: number;
  tokensEstimated?: boolean;
  /** In `currency`. */
  cost?: number;
  /** ISO 4217 code of the model's pricing; default USD. */
  currency?: string;
  /** Client protocol; default `openai-chat`. */
  protocol?: string;
  /** Label of the provider key that served it (key pools); never the key. */
  providerKeyLabel?: string | null;
  latencyMs?: number;
  ttftMs?: number | null;
  stream?: boolean;
  attempts?: number;
  cached?: boolean;
}

export interface UsageRecord {
  id: string;
  requestId: string;
  time: number;
  keyId: string | null;
  keyName: string | null;
  model: string;
  provider: string;
  status: number;
  errorCode: string | null;
  promptTokens: number;
  completionTokens: number;
  cacheReadTokens: number;
  cacheWriteTokens: number;
  reasoningTokens: number;
  totalTokens: number;
  tokensEstimated: boolean;
  cost: number;
  currency: string;
  protocol: string;
  providerKeyLabel: string | null;
  latencyMs: number;
  ttftMs: number | null;
  stream: boolean;
  attempts: number;
  cached: boolean;
}

export interface ListLogsOptions extends UsageFilter {
  page?: number;
  pageSize?: number;
}

/** Rows per INSERT: 25 columns × 500 stays far below PostgreSQL's 65,535 and SQLite's 32,766 parameters. */
export const USAGE_INSERT_CHUNK = 500;

const int = (value: number | undefined | null, fallback = 0) =>
  typeof value === 'number' && Number.isFinite(value) ? Math.max(0, Math.round(value)) : fallback;

/** Longest request id stored (client ids are checked at the edge; this is the last guard). */
export const MAX_STORED_REQUEST_ID = 128;
const MAX_ERROR_CODE = 100;

const boundedOrNull = (value: string | null | undefined, max: number) => (value === null || value === undefined ? null : boundText(value, max));

/**
 * Every string is bounded and cleaned here, whoever recorded the row: PostgreSQL refuses
 * NUL bytes and index entries over ~2.7 KB, and one refused row used to fail its batch.
 */
export const toUsageRow = (input: UsageRecordInput): FullUsageRow => {
  if (!input.requestId || !input.model || !input.provider || !Number.isFinite(input.time) || !Number.isInteger(input.status)) {
    throw badRequest('A usage record needs requestId, time, model, provider and an integer status.', 'invalid_usage_record');
  }
  const prompt = int(input.promptTokens);
  const completion = int(input.completionTokens);
  const cacheRead = int(input.cacheReadTokens);
  const cacheWrite = int(input.cacheWriteTokens);
  return {
    id: input.id ?? timeOrderedId(),
    request_id: boundText(input.requestId, MAX_STORED_REQUEST_ID),
    time: Math.floor(input.time),
    key_id: boundedOrNull(input.keyId, MAX_NAME_LENGTH),
    key_name: boundedOrNull(input.keyName, MAX_NAME_LENGTH),
    model: boundText(input.model, MAX_NAME_LENGTH),
    provider: boundText(input.provider, MAX_NAME_LENGTH),
    status: input.status,
    error_code: boundedOrNull(input.errorCode, MAX_ERROR_CODE),
    prompt_tokens: prompt,
    completion_tokens: completion,
    cache_read_tokens: cacheRead,
    cache_write_tokens: cacheWrite,
    reasoning_tokens: Math.min(int(input.reasoningTokens), completion),
    total_tokens: input.totalTokens === undefined ? prompt + cacheRead + cacheWrite + completion : int(input.totalTokens),
    tokens_estimated: input.tokensEstimated ? 1 : 0,
    cost: typeof input.cost === 'number' && Number.isFinite(input.cost) ? input.cost : 0,
    currency: boundText(input.currency || 'USD', 16).toUpperCase(),
    protocol: boundText(input.protocol || 'openai-chat', 40),
    provider_key_label: boundedOrNull(input.providerKeyLabel || null, MAX_NAME_LENGTH),
    latency_ms: int(input.latencyMs),
    ttft_ms: input.ttftMs === null || input.ttftMs === undefined ? null : int(input.ttftMs),
    stream: input.stream ? 1 : 0,
    attempts: int(input.attempts, 1),
    cached: input.cached ? 1 : 0,
  };
};

const fromRow = (row: UsageRecordRow): UsageRecord => ({
  id: row.id,
  requestId: row.request_id,
  time: Number(row.time),
  keyId: row.key_id,
  keyName: row.key_name,
  model: row.model,
  provider: row.provider,
  status: Number(row.status),
  errorCode: row.error_code,
  promptTokens: Number(row.prompt_tokens),
  completionTokens: Number(row.completion_tokens),
  cacheReadTokens: Number(row.cache_read_tokens),
  cacheWriteTokens: Number(row.cache_write_tokens),
  reasoningTokens: Number(row.reasoning_tokens),
  totalTokens: Number(row.total_tokens),
  tokensEstimated: Number(row.tokens_estimated) === 1,
  cost: Number(row.cost),
  currency: row.currency,
  protocol: row.protocol,
  providerKeyLabel: row.provider_key_label ?? null,
  latencyMs: Number(row.latency_ms),
  ttftMs: row.ttft_ms === null ? null : Number(row.ttft_ms),
  stream: Number(row.stream) === 1,
  attempts: Number(row.attempts),
  cached: Number(row.cached) === 1,
});

const usageColumns = [
  'id', 'request_id', 'time', 'key_id', 'key_name', 'model', 'provider', 'status', 'error_code', 'prompt_tokens',
  'completion_tokens', 'total_tokens', 'tokens_estimated', 'cost', 'latency_ms', 'ttft_ms', 'stream', 'attempts', 'cached',
  'cache_read_tokens', 'cache_write_tokens', 'reasoning_tokens', 'currency', 'protocol', 'provider_key_label',
] as const;

type SqliteHandle = import('better-sqlite3').Database;

const DAY_MS = 86_400_000;
const SPEND_UPSERT = 'INSERT INTO key_spend_daily (key_id, day, currency, cost, requests)';
const SPEND_CONFLICT =
  'ON CONFLICT (key_id, day, currency) DO UPDATE SET cost = key_spend_daily.cost + excluded.cost, requests = key_spend_daily.requests + excluded.requests';

/** Newly inserted rows folded into [keyId, day, currency, cost, requests], in key order (lock order on PostgreSQL). */
const spendByKeyDay = (rows: FullUsageRow[]): Array<[string, number, string, number, number]> => {
  const totals = new Map<string, [string, number, string, number, number]>();
  for (const row of rows) {
    if (!row.key_id) continue;
    const day = Math.floor(Number(row.time) / DAY_MS);
    const id = `${row.key_id}\u0000${day}\u0000${row.currency}`;
    const entry = totals.get(id);
    if (entry) {
      entry[3] += row.cost;
      entry[4] += 1;
    } else totals.set(id, [row.key_id, day, row.currency, row.cost, 1]);
  }
  // One lock order for every instance (key, then day, then currency): two instances upserting
  // the same keys' spend rows in different orders deadlock on PostgreSQL (issue 16, measured).
  return [...totals.values()].sort((a, b) => (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : a[1] - b[1] || (a[2] < b[2] ? -1 : a[2] > b[2] ? 1 : 0)));
};

export class UsageRepository {
  private readonly insertMany: ((rows: FullUsageRow[]) => void) | null = null;
  /**
   * True on SQLite: each batch's transaction also moves the keys' `last_used_at` forward, so
   * the usage writer needs no second transaction (and commit) per batch for it.
   */
  readonly recordsLastUse: boolean = false;

  /**
   * On SQLite, usage rows (one per request, the only write on the request path's
   * behalf) go through cached prepared statements in a transaction: building a
   * 500-row INSERT with the query builder cost more than the gateway's whole proxying.
   * The same transaction keeps the per-key daily spend and the hourly roll-ups.
   */
  constructor(
    private readonly db: Kysely<DatabaseSchema>,
    private readonly sqlite: SqliteHandle | null = null,
  ) {
    if (sqlite) {
      // Positional parameters in usageColumns' order: binding 25 values by name cost ~10% of the
      // row's insert (callgrind, 5,000 rows).
      const statement = sqlite.prepare(
        `INSERT OR IGNORE INTO usage_records (${usageColumns.join(', ')}) VALUES (${usageColumns.map(() => '?').join(', ')})`,
      );
      const insertRow = (r: FullUsageRow) =>
        statement.run(
          r.id, r.request_id, r.time, r.key_id, r.key_name, r.model, r.provider, r.status, r.error_code, r.prompt_tokens,
          r.completion_tokens, r.total_tokens, r.tokens_estimated, r.cost, r.latency_ms, r.ttft_ms, r.stream, r.attempts, r.cached,
          r.cache_read_tokens, r.cache_write_tokens, r.reasoning_tokens, r.currency, r.protocol, r.provider_key_label,
        );
      const spend = sqlite.prepare(`${SPEND_UPSERT} VALUES (?, ?, ?, ?, ?) ${SPEND_CONFLICT}`);
      const rollups = ROLLUP_TABLES.map((target) => {
        const columns = rollupColumns(target);
        const statement = sqlite.prepare(
          `INSERT INTO ${target.table} (${columns.join(', ')}) VALUES (${columns.map((c) => `@${c}`).join(', ')}) ${rollupUpsertTail(target)}`,
        );
        return [target, statement] as const;
      });
      // Never moves last_used_at backwards; does not bump the state version (as touchLastUsed).
      const touch = sqlite.prepare('UPDATE api_keys SET last_used_at = ? WHERE id = ? AND (last_used_at IS NULL OR last_used_at < ?)');
      const insert = sqlite.transaction((rows: FullUsageRow[]) => {
        const inserted: FullUsageRow[] = [];
        for (const row of rows) if (insertRow(row).changes === 1) inserted.push(row);
        for (const [keyId, day, currency, cost, requests] of spendByKeyDay(inserted)) spend.run(keyId, day, currency, cost, requests);
        for (const [target, statement] of rollups) for (const increment of rollupIncrements(inserted, target)) statement.run(increment);
        for (const [keyId, at] of lastUseByKey(inserted)) touch.run(at, keyId, at);
      });
      this.insertMany = (rows) => insert(rows);
      this.recordsLastUse = true;
    }
  }

  /**
   * Inserts all rows in one transaction (chunked INSERTs). Rows whose id already
   * exists are ignored, so re-sending a batch after an ambiguous failure is safe.
   */
  async insertUsageBatch(rows: ReadonlyArray<UsageRecordInput>): Promise<number> {
    if (rows.length === 0) return 0;
    const values = rows.map(toUsageRow);
    if (this.insertMany) {
      // A Kysely transaction open on the same handle (an admin change between two awaits)
      // would take our transaction in as a savepoint and could roll the rows back with it:
      // wait for the connection (Kysely's lock) and write after it.
      if (this.sqlite?.inTransaction) await this.db.connection().execute(async () => this.insertMany!(values));
      else this.insertMany(values);
      return values.length;
    }
    await this.db.transaction().execute(async (tx) => {
      const inserted = new Set<string>();
      for (let i = 0; i < values.length; i += USAGE_INSERT_CHUNK) {
        const rows = await tx
          .insertInto('usage_records')
          .values(values.slice(i, i + USAGE_INSERT_CHUNK))
          .onConflict((oc) => oc.column('id').doNothing())
          .returning('id')
          .execute();
        for (const row of rows) inserted.add(row.id);
      }
      const fresh = inserted.size === values.length ? values : values.filter((v) => inserted.has(v.id));
      const spend = spendByKeyDay(fresh);
      if (spend.length > 0) {
        await sql`${sql.raw(SPEND_UPSERT)} VALUES ${sql.join(spend.map((entry) => sql`(${sql.join(entry)})`))} ${sql.raw(SPEND_CONFLICT)}`.execute(tx);
      }
      await upsertRollupsPostgres(tx, fresh);
    });
    return values.length;
  }

  summary(from: number, to: number, filter: Omit<UsageFilter, 'from' | 'to'> = {}): Promise<UsageSummary> {
    return usageSummary(this.db, { ...filter, from, to });
  }

  timeseries(
    from: number,
    to: number,
    bucket: UsageBucket,
    filter: Omit<UsageFilter, 'from' | 'to'> = {},
  ): Promise<{ source: UsageSource; points: TimeseriesPoint[] }> {
    return usageTimeseries(this.db, { ...filter, from, to }, bucket);
  }

  top(by: TopBy, from: number, to: number, limit = 10, filter: Omit<UsageFilter, 'from' | 'to'> = {}): Promise<TopEntry[]> {
    return usageTop(this.db, by, { ...filter, from, to }, limit);
  }

  /** Requests, tokens, cost and last use per pool key label of one provider since `since`. */
  async usageByKeyLabel(provider: string, since: number) {
    const rows = await this.db
      .selectFrom('usage_records')
      .select((eb) => [
        'provider_key_label',
        eb.fn.countAll<number>().as('requests'),
        eb.fn.sum<number>('total_tokens').as('total_tokens'),
        eb.fn.sum<number>('cost').as('cost'),
        eb.fn.max<number>('time').as('last_time'),
      ])
      .where('provider', '=', provider)
      .where('time', '>=', since)
      .where('provider_key_label', 'is not', null)
      .groupBy('provider_key_label')
      .execute();
    return rows.map((r) => ({
      label: r.provider_key_label!,
      requests: Number(r.requests),
      totalTokens: Number(r.total_tokens ?? 0),
      cost: Number(r.cost ?? 0),
      lastTime: r.last_time === null ? null : Number(r.last_time),
    }));
  }

  /** Newest first, with the total number of matching rows. */
  async listLogs(options: ListLogsOptions = {}): Promise<Page<UsageRecord>> {
    const paging = normalizePaging(options.page, options.pageSize, 500);
    const rows = await applyUsageFilter(this.db.selectFrom('usage_records').selectAll(), options)
      .orderBy('time', 'desc')
      .orderBy('id', 'desc')
      .limit(paging.pageSize)
      .offset((paging.page - 1) * paging.pageSize)
      .execute();
    const count = await applyUsageFilter(
      this.db.selectFrom('usage_records').select(sql<number>`count(*)`.as('total')),
      options,
    ).executeTakeFirstOrThrow();
    return { data: rows.map(fromRow), total: Number(count.total), ...paging };
  }

  async getLog(id: string): Promise<UsageRecord | null> {
    const row = await this.db.selectFrom('usage_records').selectAll().where('id', '=', id).executeTakeFirst();
    return row ? fromRow(row) : null;
  }

  /** Cost charged to one key since `since` (epoch ms, inclusive), per currency. */
  async spendByKey(keyId: string, since: number): Promise<Record<string, number>> {
    const rows = await this.db
      .selectFrom('usage_records')
      .select(['currency', sql<number>`coalesce(sum(${sql.ref('cost')}), 0)`.as('spend')])
      .where('key_id', '=', keyId)
      .where('time', '>=', Math.floor(since))
      .groupBy('currency')
      .execute();
    return Object.fromEntries(rows.map((row) => [row.currency, Number(row.spend)]));
  }

  /**
   * keyId → cost since `since` (default: all time), optionally for some keys only, and in
   * one currency (budgets count only spend in their own currency; without `currency`
   * every currency is added, which only callers that know there is one may ask for). Read
   * from the per-day running totals: `since` counts from the start of its UTC day, which
   * is exact for budget periods (they start at UTC midnight).
   */
  async spendTotalsForKeys(options: { since?: number; keyIds?: string[]; currency?: string } = {}): Promise<Record<string, number>> {
    if (options.keyIds && options.keyIds.length === 0) return {};
    let query = this.db
      .selectFrom('key_spend_daily')
      .select(['key_id', sql<number>`coalesce(sum(${sql.ref('cost')}), 0)`.as('spend')])
      .groupBy('key_id');
    if (options.since !== undefined) query = query.where('day', '>=', Math.floor(options.since / DAY_MS));
    if (options.keyIds) query = query.where('key_id', 'in', options.keyIds);
    if (options.currency) query = query.where('currency', '=', options.currency);
    const rows = await query.execute();
    return Object.fromEntries(rows.map((row) => [row.key_id as string, Number(row.spend)]));
  }

  /**
   * Retention: deletes up to `limit` usage rows older than `before` (oldest first) and
   * returns how many. Small batches keep each transaction (and the write lock SQLite
   * holds meanwhile) short, so usage writes are never held up for long.
   */
  async deleteBefore(before: number, limit = 5_000): Promise<number> {
    const batch = this.db
      .selectFrom('usage_records')
      .select('id')
      .where('time', '<', Math.floor(before))
      .orderBy('time')
      .limit(Math.max(1, Math.floor(limit)));
    const result = await this.db.deleteFrom('usage_records').where('id', 'in', batch).executeTakeFirst();
    return Number(result.numDeletedRows);
  }

  /**
   * Retention of the hourly roll-ups (a year by default): deletes the oldest few hours
   * before `before` (hundreds of rows each at most) and returns how many rows went.
   */
  async deleteRollupsBefore(before: number, hoursPerBatch = 6): Promise<number> {
    const cutoff = Math.floor(before / HOUR_MS) * HOUR_MS;
    const oldest = await this.db.selectFrom('usage_hourly').select(sql<number | null>`min(hour)`.as('hour')).executeTakeFirst();
    let deleted = 0;
    if (oldest?.hour !== null && oldest?.hour !== undefined && Number(oldest.hour) < cutoff) {
      const upTo = Math.min(cutoff, Number(oldest.hour) + Math.max(1, hoursPerBatch) * HOUR_MS);
      deleted += Number((await this.db.deleteFrom('usage_hourly').where('hour', '<', upTo).executeTakeFirst()).numDeletedRows);
    }
    // Daily roll-ups: only whole days before the cutoff, a day per call at most.
    const dayCutoff = Math.floor(cutoff / DAY_MS) * DAY_MS;
    const oldestDay = await this.db.selectFrom('usage_daily').select(sql<number | null>`min(day)`.as('day')).executeTakeFirst();
    if (oldestDay?.day !== null && oldestDay?.day !== undefined && Number(oldestDay.day) < dayCutoff) {
      deleted += Number((await this.db.deleteFrom('usage_daily').where('day', '<=', Number(oldestDay.day)).executeTakeFirst()).numDeletedRows);
    }
    return deleted;
  }
}
