import { describe, expect, it } from 'vitest';
import { testTargets, useTestDatabase } from '../test-support/test-databases.js';
import type { UsageRecord, UsageRecordInput } from './usage-repository.js';
import { UsageRepository } from './usage-repository.js';
import { bucketOf, LATENCY_BOUNDS, rollUpExistingRows } from './usage-rollup.js';

const targets = await testTargets();

const T0 = Date.UTC(2025, 0, 1, 0, 0, 0);
const HOUR = 3_600_000;
const MODELS = [
  ['acme/a', 'acme'],
  ['acme/b', 'acme'],
  ['beta/c', 'beta'],
] as const;
const KEYS = [
  ['key_1', 'alpha'],
  ['key_2', 'beta-team'],
  [null, null],
] as const;

/** Deterministic pseudo-random rows spread over three hours (with ties on time). */
const makeRows = (count: number): UsageRecord[] => {
  let seed = 42;
  const next = (n: number) => {
    seed = (seed * 1103515245 + 12345) % 2147483648;
    return seed % n;
  };
  return Array.from({ length: count }, (_, i) => {
    const [model, provider] = MODELS[next(3)];
    const [keyId, keyName] = KEYS[next(3)];
    const status = next(10) === 0 ? [429, 502][next(2)] : 200;
    const stream = next(2) === 1;
    const prompt = next(500);
    const completion = status === 200 ? next(300) : 0;
    const cacheRead = next(3) === 0 ? next(400) : 0;
    const cacheWrite = next(7) === 0 ? next(200) : 0;
    const reasoning = completion > 0 && next(2) === 0 ? next(completion + 1) : 0;
    // beta/c is priced in CNY: its costs must never be added to the others' USD.
    const currency = model === 'beta/c' ? 'CNY' : 'USD';
    return {
      id: `u-${String(i).padStart(6, '0')}`,
      requestId: `req-${i}`,
      time: T0 + next(3 * 60) * 60_000 + next(3) * 1000,
      keyId,
      keyName,
      model,
      provider,
      status,
      errorCode: status === 200 ? null : status === 429 ? 'rate_limited' : 'upstream_error',
      promptTokens: prompt,
      completionTokens: completion,
      cacheReadTokens: cacheRead,
      cacheWriteTokens: cacheWrite,
      reasoningTokens: reasoning,
      totalTokens: prompt + cacheRead + cacheWrite + completion,
      tokensEstimated: next(5) === 0,
      cost: (prompt * 3 + cacheRead * 0.3 + cacheWrite * 3.75 + completion * 7) / 1_000_000,
      currency,
      protocol: 'openai-chat',
      providerKeyLabel: null,
      latencyMs: 10 + next(2000),
      ttftMs: stream ? 5 + next(400) : null,
      stream,
      attempts: 1 + next(2),
      cached: false,
    };
  });
};

const nearestRank = (values: number[], p: number): number | null => {
  if (values.length === 0) return null;
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.ceil((p / 100) * sorted.length) - 1];
};

const referenceSummary = (rows: UsageRecord[]) => {
  const errors = rows.filter((r) => r.status >= 400).length;
  const ttft = rows.flatMap((r) => (r.ttftMs === null ? [] : [r.ttftMs]));
  return {
    requests: rows.length,
    errors,
    errorRate: rows.length ? errors / rows.length : 0,
    promptTokens: rows.reduce((s, r) => s + r.promptTokens, 0),
    completionTokens: rows.reduce((s, r) => s + r.completionTokens, 0),
    cacheReadTokens: rows.reduce((s, r) => s + r.cacheReadTokens, 0),
    cacheWriteTokens: rows.reduce((s, r) => s + r.cacheWriteTokens, 0),
    reasoningTokens: rows.reduce((s, r) => s + r.reasoningTokens, 0),
    totalTokens: rows.reduce((s, r) => s + r.totalTokens, 0),
    p50LatencyMs: nearestRank(rows.map((r) => r.latencyMs), 50),
    p95LatencyMs: nearestRank(rows.map((r) => r.latencyMs), 95),
    p50TtftMs: nearestRank(ttft, 50),
    p95TtftMs: nearestRank(ttft, 95),
  };
};
const sumCost = (rows: UsageRecord[], currency = 'USD') => rows.reduce((s, r) => s + (r.currency === currency ? r.cost : 0), 0);
/** Per-currency totals must match the reference in every currency, and hold no other currency. */
const expectCosts = (actual: Record<string, number>, rows: UsageRecord[]) => {
  const currencies = [...new Set(rows.filter((r) => r.cost !== 0).map((r) => r.currency))].sort();
  expect(Object.keys(actual).sort()).toEqual(currencies);
  for (const currency of currencies) expect(actual[currency]).toBeCloseTo(sumCost(rows, currency), 9);
};
const newestFirst = (a: UsageRecord, b: UsageRecord) => b.time - a.time || (a.id < b.id ? 1 : a.id > b.id ? -1 : 0);

describe.each(targets)('usage records on $dialect', ({ dialect, skip }) => {
  describe.skipIf(skip)(skip ? 'skipped: PostgreSQL unreachable' : 'suite', () => {
    const t = useTestDatabase(dialect);
    const ROWS = makeRows(1200);
    const seeded = async () => {
      const usage = new UsageRepository(t().gdb.db, t().gdb.sqlite);
      expect(await usage.insertUsageBatch(ROWS)).toBe(1200);
      return usage;
    };

    it('inserts batches larger than one chunk, ignores re-sent rows and reads rows back exactly', async () => {
      const usage = await seeded();
      await usage.insertUsageBatch(ROWS.slice(0, 700));
      expect((await usage.listLogs({ pageSize: 1 })).total).toBe(1200);
      expect(await usage.getLog('u-000007')).toEqual(ROWS[7]);
      expect(await usage.getLog('missing')).toBeNull();
      await usage.insertUsageBatch([{ requestId: 'r', time: T0, model: 'm', provider: 'p', status: 200, promptTokens: 3, completionTokens: 4 }]);
      const extra = (await usage.listLogs({ model: 'm' })).data[0];
      expect(extra).toMatchObject({
        totalTokens: 7, cost: 0, latencyMs: 0, ttftMs: null, stream: false, attempts: 1, cached: false, keyId: null,
        // Defaults for callers that do not know the newer fields.
        currency: 'USD', protocol: 'openai-chat', cacheReadTokens: 0, cacheWriteTokens: 0, reasoningTokens: 0, providerKeyLabel: null,
      });
      expect(extra.id).toMatch(/^[0-9a-f-]{36}$/);
    });

    it('stores every field in its own column (distinct values for all of them)', async () => {
      const usage = new UsageRepository(t().gdb.db, t().gdb.sqlite);
      const row: UsageRecord = {
        id: 'u-distinct', requestId: 'req-distinct', time: T0 + 1, keyId: 'key-d', keyName: 'name-d', model: 'model-d',
        provider: 'provider-d', status: 201, errorCode: 'code-d', promptTokens: 11, completionTokens: 13, cacheReadTokens: 17,
        cacheWriteTokens: 19, reasoningTokens: 7, totalTokens: 60, tokensEstimated: true, cost: 0.25, currency: 'EUR',
        protocol: 'anthropic-messages', providerKeyLabel: 'label-d', latencyMs: 23, ttftMs: 29, stream: true, attempts: 3, cached: true,
      };
      await usage.insertUsageBatch([row]);
      expect(await usage.getLog('u-distinct')).toEqual(row);
    });

    it('keeps a batch written while another transaction is open, even when that one rolls back', async () => {
      const usage = new UsageRepository(t().gdb.db, t().gdb.sqlite);
      let written: Promise<number> | null = null;
      await expect(
        t().gdb.db.transaction().execute(async (tx) => {
          await tx.selectFrom('usage_records').select('id').limit(1).execute();
          written = usage.insertUsageBatch([{ id: 'u-during-tx', requestId: 'r-tx', time: T0, model: 'm', provider: 'p', status: 200 }]);
          // Let the write try to run while this transaction still holds the connection.
          await new Promise((resolve) => setTimeout(resolve, 20));
          throw new Error('roll back');
        }),
      ).rejects.toThrow('roll back');
      expect(await written).toBe(1);
      expect((await usage.getLog('u-during-tx'))?.requestId).toBe('r-tx');
    });

    it('rejects an invalid row and writes none of its batch', async () => {
      const usage = new UsageRepository(t().gdb.db, t().gdb.sqlite);
      const bad = { requestId: 'x', time: T0, model: '', provider: 'p', status: 200 } as UsageRecordInput;
      await expect(usage.insertUsageBatch([ROWS[0], bad])).rejects.toMatchObject({ status: 400 });
      expect((await usage.listLogs()).total).toBe(0);
    });

    it('summarises a range exactly (tokens, cost, errors, nearest-rank percentiles)', async () => {
      const usage = await seeded();
      const all = await usage.summary(T0, T0 + 3 * HOUR);
      const { ...expected } = referenceSummary(ROWS);
      expect(all).toMatchObject({ ...expected, source: 'requests' });
      expectCosts(all.costByCurrency, ROWS);
      expect(Object.keys(all.costByCurrency).sort()).toEqual(['CNY', 'USD']);

      const from = T0 + 30 * 60_000;
      const to = T0 + 95 * 60_000;
      const part = ROWS.filter((r) => r.time >= from && r.time < to);
      expect(await usage.summary(from, to)).toMatchObject(referenceSummary(part));
      const acme = ROWS.filter((r) => r.provider === 'acme');
      expect(await usage.summary(T0, T0 + 3 * HOUR, { provider: 'acme' })).toMatchObject(referenceSummary(acme));

      expect(await usage.summary(T0 - HOUR, T0)).toEqual({
        requests: 0,
        errors: 0,
        errorRate: 0,
        promptTokens: 0,
        completionTokens: 0,
        cacheReadTokens: 0,
        cacheWriteTokens: 0,
        reasoningTokens: 0,
        totalTokens: 0,
        costByCurrency: {},
        source: 'requests',
        from: T0 - HOUR,
        to: T0,
        p50LatencyMs: null,
        p95LatencyMs: null,
        p50TtftMs: null,
        p95TtftMs: null,
      });
    });

    it('computes nearest-rank percentiles on a hand-checked sample', async () => {
      const usage = new UsageRepository(t().gdb.db, t().gdb.sqlite);
      const latencies = [100, 20, 30, 40, 50, 60, 70, 80, 90, 10];
      await usage.insertUsageBatch(
        latencies.map((latencyMs, i) => ({ requestId: `r${i}`, time: T0 + i, model: 'm', provider: 'p', status: 200, latencyMs, ttftMs: i < 3 ? latencyMs / 10 : null })),
      );
      const summary = await usage.summary(T0, T0 + 100);
      expect(summary).toMatchObject({ p50LatencyMs: 50, p95LatencyMs: 100, p50TtftMs: 3, p95TtftMs: 10 });
    });

    it('builds gap-filled time series per bucket', async () => {
      const usage = await seeded();
      const hours = (await usage.timeseries(T0, T0 + 3 * HOUR, 'hour')).points;
      expect(hours.map((p) => p.time)).toEqual([T0, T0 + HOUR, T0 + 2 * HOUR]);
      for (const point of hours) {
        const rows = ROWS.filter((r) => r.time >= point.time && r.time < point.time + HOUR);
        const ref = referenceSummary(rows);
        expect(point).toMatchObject({
          requests: ref.requests,
          errors: ref.errors,
          totalTokens: ref.totalTokens,
          // The usage model's split per bucket (the dashboard stacks it).
          promptTokens: ref.promptTokens,
          cacheReadTokens: ref.cacheReadTokens,
          cacheWriteTokens: ref.cacheWriteTokens,
          completionTokens: ref.completionTokens,
          reasoningTokens: ref.reasoningTokens,
          p50LatencyMs: ref.p50LatencyMs,
          p95LatencyMs: ref.p95LatencyMs,
          p50TtftMs: ref.p50TtftMs,
        });
        expectCosts(point.costByCurrency, rows);
      }
      expect(hours.reduce((s, p) => s + p.requests, 0)).toBe(1200);

      const minutes = (await usage.timeseries(T0 - 5 * 60_000, T0 + 5 * 60_000, 'minute', { model: 'beta/c' })).points;
      expect(minutes).toHaveLength(10);
      expect(minutes.slice(0, 5).every((p) => p.requests === 0 && p.p50LatencyMs === null)).toBe(true);
      for (const point of minutes.slice(5)) {
        const rows = ROWS.filter((r) => r.model === 'beta/c' && r.time >= point.time && r.time < point.time + 60_000);
        expect(point.requests).toBe(rows.length);
        expect(point.p95LatencyMs).toBe(nearestRank(rows.map((r) => r.latencyMs), 95));
      }
      const days = (await usage.timeseries(T0 + HOUR, T0 + 2 * HOUR, 'day')).points;
      expect(days).toEqual([expect.objectContaining({ time: T0, requests: ROWS.filter((r) => r.time >= T0 + HOUR && r.time < T0 + 2 * HOUR).length })]);
      await expect(usage.timeseries(T0, T0 + 100 * 86_400_000, 'minute')).rejects.toMatchObject({ status: 400, code: 'too_many_buckets' });
    });

    it('ranks the top models, providers and keys', async () => {
      const usage = await seeded();
      const reference = (pick: (r: UsageRecord) => string | null) => {
        const groups = new Map<string, UsageRecord[]>();
        for (const row of ROWS) {
          const key = pick(row);
          if (key !== null) groups.set(key, [...(groups.get(key) ?? []), row]);
        }
        return [...groups.entries()]
          .map(([id, rows]) => ({ id, requests: rows.length, totalTokens: rows.reduce((s, r) => s + r.totalTokens, 0) }))
          .sort((a, b) => b.requests - a.requests);
      };
      const models = await usage.top('model', T0, T0 + 3 * HOUR, 10);
      expect(models.map(({ id, requests, totalTokens }) => ({ id, requests, totalTokens }))).toEqual(reference((r) => r.model));
      expect(models[0].name).toBe(models[0].id);
      const providers = await usage.top('provider', T0, T0 + 3 * HOUR, 1);
      expect(providers).toHaveLength(1);
      expect(providers[0]).toMatchObject({ name: 'acme', requests: ROWS.filter((r) => r.provider === 'acme').length });
      const keys = await usage.top('key', T0, T0 + 3 * HOUR);
      expect(keys.map((k) => k.id).sort()).toEqual(['key_1', 'key_2']);
      expect(keys.find((k) => k.id === 'key_2')?.name).toBe('beta-team');
      expectCosts(keys.find((k) => k.id === 'key_1')!.costByCurrency, ROWS.filter((r) => r.keyId === 'key_1'));
    });

    it('answers long ranges from the hourly roll-ups with the same counts and per-currency costs', async () => {
      const usage = await seeded();
      // Whole days come from the daily roll-up (all rows here), the partial last day from the hourly one.
      const from = T0 - 7 * 24 * HOUR + 30 * 60_000;
      const to = T0 + 50 * HOUR;
      const long = await usage.summary(from, to);
      const { p50LatencyMs, p95LatencyMs, p50TtftMs, p95TtftMs, ...counts } = referenceSummary(ROWS);
      expect(long).toMatchObject({ ...counts, source: 'hourly', from: from - 30 * 60_000, to });
      expectCosts(long.costByCurrency, ROWS);
      // Percentiles come from the latency histogram: within the bucket of the exact value.
      const bucketBounds = (ms: number) => {
        const bounds = [0, ...LATENCY_BOUNDS, Number.POSITIVE_INFINITY];
        const i = bucketOf(ms);
        return [bounds[i], bounds[i + 1]] as const;
      };
      for (const [estimate, exact] of [[long.p50LatencyMs, p50LatencyMs], [long.p95LatencyMs, p95LatencyMs], [long.p50TtftMs, p50TtftMs], [long.p95TtftMs, p95TtftMs]] as const) {
        const [low, high] = bucketBounds(exact!);
        expect(estimate).toBeGreaterThanOrEqual(low!);
        expect(estimate).toBeLessThanOrEqual(high!);
      }
      const filtered = await usage.summary(from, to, { keyId: 'key_1', status: 'error' });
      expect(filtered).toMatchObject({ source: 'hourly', requests: ROWS.filter((r) => r.keyId === 'key_1' && r.status >= 400).length });
      // An exact status cannot come from status classes: request rows answer it.
      expect((await usage.summary(from, to, { status: 429 })).source).toBe('requests');

      const days = await usage.timeseries(from, to, 'day');
      expect(days.source).toBe('hourly');
      expect(days.points.reduce((s, p) => s + p.requests, 0)).toBe(1200);
      // The roll-ups keep the same split as the request rows.
      const rolled = referenceSummary(ROWS);
      for (const field of ['promptTokens', 'cacheReadTokens', 'cacheWriteTokens', 'completionTokens', 'reasoningTokens'] as const) {
        expect(days.points.reduce((s, p) => s + p[field], 0)).toBe(rolled[field]);
      }
      expectCosts(days.points.find((p) => p.time === T0)!.costByCurrency, ROWS);
      const keys = await usage.top('key', from, to);
      expect(keys.map((k) => [k.id, k.requests]).sort()).toEqual(
        ['key_1', 'key_2'].map((id) => [id, ROWS.filter((r) => r.keyId === id).length]),
      );
      expect(keys.find((k) => k.id === 'key_2')?.name).toBe('beta-team');
      expectCosts(keys.find((k) => k.id === 'key_2')!.costByCurrency, ROWS.filter((r) => r.keyId === 'key_2'));
    });

    it('keeps the same roll-ups per batch as a one-statement rebuild from the rows', async () => {
      const usage = new UsageRepository(t().gdb.db, t().gdb.sqlite);
      for (let i = 0; i < ROWS.length; i += 137) await usage.insertUsageBatch(ROWS.slice(i, i + 137));
      await usage.insertUsageBatch(ROWS.slice(0, 300)); // re-sent: must not count twice
      const { db } = t().gdb;
      const snapshot = async (table: 'usage_hourly' | 'usage_daily') =>
        (await db.selectFrom(table).selectAll().execute())
          .map((row) => ({ ...row, cost: Math.round(Number(row.cost) * 1e9) }))
          .sort((a, b) => JSON.stringify(a).localeCompare(JSON.stringify(b)));
      const incremental = await snapshot('usage_hourly');
      const daily = await snapshot('usage_daily');
      expect(incremental.reduce((s, r) => s + Number(r.requests), 0)).toBe(1200);
      expect(daily.reduce((s, r) => s + Number(r.requests), 0)).toBe(1200);
      await db.deleteFrom('usage_hourly').execute();
      await db.deleteFrom('usage_daily').execute();
      await rollUpExistingRows(db);
      expect(await snapshot('usage_hourly')).toEqual(incremental);
      expect(await snapshot('usage_daily')).toEqual(daily);
      // Roll-up retention removes whole old hours, a few at a time.
      let removed = 0;
      for (let n = await usage.deleteRollupsBefore(T0 + 2 * HOUR, 1); n > 0; n = await usage.deleteRollupsBefore(T0 + 2 * HOUR, 1)) removed += n;
      expect(removed).toBe(incremental.filter((r) => Number(r.hour) < T0 + 2 * HOUR).length);
      expect((await usage.summary(T0 - 7 * 24 * HOUR, T0 + 3 * HOUR)).requests).toBe(ROWS.filter((r) => r.time >= T0 + 2 * HOUR).length);
    });

    it('pages and filters logs newest first with a total count', async () => {
      const usage = await seeded();
      const sorted = [...ROWS].sort(newestFirst);
      const page2 = await usage.listLogs({ page: 2, pageSize: 50 });
      expect(page2).toMatchObject({ total: 1200, page: 2, pageSize: 50 });
      expect(page2.data).toEqual(sorted.slice(50, 100));
      const last = await usage.listLogs({ page: 24, pageSize: 50 });
      expect(last.data).toEqual(sorted.slice(1150));
      expect((await usage.listLogs({ page: 25, pageSize: 50 })).data).toEqual([]);
      expect((await usage.listLogs({ pageSize: 100_000 })).pageSize).toBe(500);

      const cases: Array<[Parameters<UsageRepository['listLogs']>[0], (r: UsageRecord) => boolean]> = [
        [{ model: 'acme/b' }, (r) => r.model === 'acme/b'],
        [{ provider: 'beta' }, (r) => r.provider === 'beta'],
        [{ keyId: 'key_1' }, (r) => r.keyId === 'key_1'],
        [{ status: 'error' }, (r) => r.status >= 400],
        [{ status: 'success' }, (r) => r.status < 400],
        [{ status: 429 }, (r) => r.status === 429],
        [{ from: T0 + HOUR, to: T0 + 2 * HOUR, provider: 'acme', status: 200 }, (r) => r.time >= T0 + HOUR && r.time < T0 + 2 * HOUR && r.provider === 'acme' && r.status === 200],
      ];
      for (const [filter, match] of cases) {
        const expected = sorted.filter(match);
        const result = await usage.listLogs({ ...filter, pageSize: 20 });
        expect(result.total).toBe(expected.length);
        expect(result.data).toEqual(expected.slice(0, 20));
      }
    });

    it('reports spend per key for budgets and prunes old rows', async () => {
      const usage = await seeded();
      const since = T0 + HOUR;
      const spend = (keyId: string, from: number, currency = 'USD') => sumCost(ROWS.filter((r) => r.keyId === keyId && r.time >= from), currency);
      const byKey = await usage.spendByKey('key_1', since);
      expect(byKey.USD).toBeCloseTo(spend('key_1', since), 9);
      expect(byKey.CNY).toBeCloseTo(spend('key_1', since, 'CNY'), 9);
      expect(await usage.spendByKey('key_none', 0)).toEqual({});
      // A budget reads one currency only: CNY spend never counts against a USD budget.
      const cny = await usage.spendTotalsForKeys({ currency: 'CNY' });
      expect(cny.key_2).toBeCloseTo(spend('key_2', 0, 'CNY'), 9);
      const totals = await usage.spendTotalsForKeys({ currency: 'USD' });
      expect(Object.keys(totals).sort()).toEqual(['key_1', 'key_2']);
      expect(totals.key_2).toBeCloseTo(spend('key_2', 0), 9);
      // Running totals are per UTC day: budget periods start at midnight.
      const dayStart = Math.floor(since / 86_400_000) * 86_400_000;
      const recent = await usage.spendTotalsForKeys({ since: dayStart, keyIds: ['key_2', 'key_x'], currency: 'USD' });
      expect(Object.keys(recent)).toEqual(['key_2']);
      expect(recent.key_2).toBeCloseTo(spend('key_2', dayStart), 9);
      // Re-sending rows that are already stored changes neither rows nor totals.
      await usage.insertUsageBatch(ROWS.slice(0, 50));
      expect((await usage.spendTotalsForKeys({ currency: 'USD' })).key_2).toBeCloseTo(spend('key_2', 0), 9);
      expect(await usage.spendTotalsForKeys({ keyIds: [] })).toEqual({});

      // Retention deletes in batches of the given size, oldest first, until nothing is left.
      const old = ROWS.filter((r) => r.time < since).length;
      expect(await usage.deleteBefore(since, 100)).toBe(100);
      let deleted = 100;
      for (let n = await usage.deleteBefore(since, 100); n > 0; n = await usage.deleteBefore(since, 100)) deleted += n;
      expect(deleted).toBe(old);
      expect((await usage.listLogs()).total).toBe(1200 - old);
    });
  });
});
