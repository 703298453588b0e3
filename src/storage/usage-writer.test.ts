import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it, vi } from 'vitest';
import { ApiKeyRepository } from './api-key-repository.js';
import { testTargets, useTestDatabase } from '../test-support/test-databases.js';
import { UsageRepository, type UsageRecordInput } from './usage-repository.js';
import { createUsageWriter } from './usage-writer.js';

const targets = await testTargets();

const row = (i: number, extra: Partial<UsageRecordInput> = {}): UsageRecordInput => ({
  requestId: `req-${i}`,
  time: 1_750_000_000_000 + i,
  model: 'acme/a',
  provider: 'acme',
  status: 200,
  promptTokens: 1,
  completionTokens: 1,
  ...extra,
});

/** The real repository behind a switch that makes writes fail, as a database outage would. */
const flaky = (usage: UsageRepository) => {
  const state = { down: false, commitThenFail: false, calls: 0 };
  return {
    state,
    repo: {
      async insertUsageBatch(rows: ReadonlyArray<UsageRecordInput>) {
        state.calls += 1;
        if (state.down) throw new Error('database is down');
        const n = await usage.insertUsageBatch(rows);
        if (state.commitThenFail) {
          state.commitThenFail = false;
          throw new Error('connection lost after commit');
        }
        return n;
      },
    },
  };
};

describe.each(targets)('usage writer on $dialect', ({ dialect, skip }) => {
  describe.skipIf(skip)(skip ? 'skipped: PostgreSQL unreachable' : 'suite', () => {
    const t = useTestDatabase(dialect);
    const count = async () => (await new UsageRepository(t().gdb.db, t().gdb.sqlite).listLogs({ pageSize: 1 })).total;

    it('loses nothing: 2,000 rows recorded synchronously are all written by close()', async () => {
      const usage = new UsageRepository(t().gdb.db, t().gdb.sqlite);
      const writer = createUsageWriter(usage, { flushIntervalMs: 60_000, maxBatch: 500 });
      for (let i = 0; i < 2000; i += 1) writer.record(row(i));
      expect(writer.stats().queued + writer.stats().written).toBeLessThanOrEqual(2000);
      await writer.close();
      expect(await count()).toBe(2000);
      expect(writer.stats()).toMatchObject({ queued: 0, written: 2000, dropped: 0, failures: 0 });
      writer.record(row(5000));
      expect(writer.stats().dropped).toBe(1);
    });

    it('flushes on its timer and early when a batch fills up', async () => {
      const usage = new UsageRepository(t().gdb.db, t().gdb.sqlite);
      const timed = createUsageWriter(usage, { flushIntervalMs: 25 });
      timed.record(row(1));
      expect(timed.stats().queued).toBe(1);
      await vi.waitFor(async () => expect(await count()).toBe(1), { timeout: 2000, interval: 10 });
      await timed.close();

      const batched = createUsageWriter(usage, { flushIntervalMs: 60_000, maxBatch: 10 });
      for (let i = 100; i < 110; i += 1) batched.record(row(i));
      await vi.waitFor(async () => expect(await count()).toBe(11), { timeout: 2000, interval: 10 });
      await batched.close();
    });

    it('keeps rows queued while the database fails and writes them once it recovers', async () => {
      const { state, repo } = flaky(new UsageRepository(t().gdb.db, t().gdb.sqlite));
      const errors: unknown[] = [];
      const writer = createUsageWriter(repo, { flushIntervalMs: 60_000, onError: (e) => errors.push(e) });
      state.down = true;
      for (let i = 0; i < 300; i += 1) writer.record(row(i));
      await expect(writer.flush()).rejects.toThrow('database is down');
      await expect(writer.flush()).rejects.toThrow('database is down');
      expect(writer.stats()).toMatchObject({ queued: 300, written: 0, failures: 2, lastError: 'database is down' });
      expect(errors).toHaveLength(2);
      state.down = false;
      await writer.flush();
      expect(await count()).toBe(300);
      await writer.close();
    });

    it('does not duplicate rows when a committed batch is reported as failed and retried', async () => {
      const { state, repo } = flaky(new UsageRepository(t().gdb.db, t().gdb.sqlite));
      const writer = createUsageWriter(repo, { flushIntervalMs: 60_000 });
      for (let i = 0; i < 50; i += 1) writer.record(row(i));
      state.commitThenFail = true;
      await expect(writer.flush()).rejects.toThrow('connection lost');
      await writer.close();
      expect(await count()).toBe(50);
    });

    it('bounds the queue during an outage by dropping the oldest rows, and counts them', async () => {
      const { state, repo } = flaky(new UsageRepository(t().gdb.db, t().gdb.sqlite));
      const writer = createUsageWriter(repo, { flushIntervalMs: 60_000, maxBatch: 100, maxQueue: 1000 });
      state.down = true;
      for (let i = 0; i < 1500; i += 1) writer.record(row(i));
      await expect(writer.flush()).rejects.toThrow();
      expect(writer.stats()).toMatchObject({ queued: 1000, dropped: 500 });
      state.down = false;
      await writer.close();
      const logs = await new UsageRepository(t().gdb.db, t().gdb.sqlite).listLogs({ pageSize: 500 });
      expect(logs.total).toBe(1000);
      expect(logs.data.every((r) => Number(r.requestId.slice(4)) >= 500)).toBe(true);
    });

    it('rejects close() after retrying when the database stays down', async () => {
      const { state, repo } = flaky(new UsageRepository(t().gdb.db, t().gdb.sqlite));
      const writer = createUsageWriter(repo, { flushIntervalMs: 60_000, closeAttempts: 2 });
      state.down = true;
      writer.record(row(1));
      await expect(writer.close()).rejects.toThrow(/1 usage rows could not be written/);
      expect(state.calls).toBe(2);
    });

    it('keeps the rows in the dead-letter file when the database is still down at shutdown', async () => {
      const { state, repo } = flaky(new UsageRepository(t().gdb.db, t().gdb.sqlite));
      const deadLetterPath = join(t().dataDir, 'dead-at-close.jsonl');
      const writer = createUsageWriter(repo, { flushIntervalMs: 60_000, closeAttempts: 1, deadLetterPath });
      state.down = true;
      for (let i = 0; i < 3; i += 1) writer.record(row(i));
      await expect(writer.close()).rejects.toThrow(/3 usage rows could not be written.*kept in/);
      const lines = readFileSync(deadLetterPath, 'utf8').trim().split('\n').map((l) => JSON.parse(l));
      expect(lines.map((l) => l.row.requestId)).toEqual(['req-0', 'req-1', 'req-2']);
      expect(lines[0].reason).toMatch(/database unavailable at shutdown/);
    });

    it('updates last-used times of the keys seen in each batch', async () => {
      const { db } = t().gdb;
      const keys = new ApiKeyRepository(db);
      const key = await keys.createApiKey({ name: 'k' });
      const writer = createUsageWriter(new UsageRepository(db), { flushIntervalMs: 60_000, apiKeys: keys });
      writer.record(row(1, { keyId: key.id, time: 2000 }));
      writer.record(row(2, { keyId: key.id, time: 9000 }));
      writer.record(row(3, { keyId: key.id, time: 3000 }));
      await writer.close();
      expect((await keys.getApiKey(key.id))?.lastUsedAt).toBe(9000);
    });

    it('on SQLite, records last use inside the batch transaction (no apiKeys needed), never backwards', async () => {
      const { db, sqlite } = t().gdb;
      const keys = new ApiKeyRepository(db);
      const key = await keys.createApiKey({ name: 'k' });
      const repo = new UsageRepository(db, sqlite);
      expect(repo.recordsLastUse).toBe(sqlite !== null);
      if (!sqlite) return;
      const writer = createUsageWriter(repo, { flushIntervalMs: 60_000 });
      writer.record(row(1, { keyId: key.id, time: 2000 }));
      writer.record(row(2, { keyId: key.id, time: 9000 }));
      writer.record(row(3, { keyId: key.id, time: 3000 }));
      await writer.flush();
      expect((await keys.getApiKey(key.id))?.lastUsedAt).toBe(9000);
      writer.record(row(4, { keyId: key.id, time: 4000 }));
      await writer.close();
      expect((await keys.getApiKey(key.id))?.lastUsedAt).toBe(9000);
    });
  });
});

describe.each(targets)('usage writer with rows the database refuses, on $dialect', ({ dialect, skip }) => {
  describe.skipIf(skip)(skip ? 'skipped: PostgreSQL unreachable' : 'suite', () => {
    const t = useTestDatabase(dialect);
    const count = async () => (await new UsageRepository(t().gdb.db, t().gdb.sqlite).listLogs({ pageSize: 1 })).total;

    it('stores NUL-byte and huge names bounded instead of failing the batch', async () => {
      const writer = createUsageWriter(new UsageRepository(t().gdb.db, t().gdb.sqlite), { flushIntervalMs: 60_000 });
      writer.record(row(1, { model: 'bad\u0000name' }));
      writer.record(row(2, { model: randomBytes(2300).toString('base64') }));
      writer.record(row(3, { model: randomBytes(75 * 1024).toString('base64'), requestId: 'r'.repeat(10_000) }));
      for (let i = 4; i < 50; i += 1) writer.record(row(i));
      await writer.close();
      expect(await count()).toBe(49);
      expect(writer.stats()).toMatchObject({ written: 49, deadLettered: 0, failures: 0 });
    });

    it('writes the good rows of a batch and sets a refused row aside in the dead-letter file', async () => {
      const deadLetterPath = join(t().dataDir, 'dead.jsonl');
      const refused: string[] = [];
      const writer = createUsageWriter(new UsageRepository(t().gdb.db, t().gdb.sqlite), {
        flushIntervalMs: 60_000,
        deadLetterPath,
        onDeadLetter: (r, reason) => refused.push(`${r.requestId} ${reason}`),
      });
      // No bounding can save these: an invalid time (both), an integer PostgreSQL cannot hold.
      for (let i = 0; i < 100; i += 1) {
        const poison = i === 17 ? { time: Number.NaN } : i === 60 && dialect === 'postgres' ? { status: 2 ** 40 } : {};
        writer.record(row(i, poison));
      }
      await writer.flush();
      const expectRefused = dialect === 'postgres' ? 2 : 1;
      expect(await count()).toBe(100 - expectRefused);
      expect(writer.stats()).toMatchObject({ queued: 0, written: 100 - expectRefused, deadLettered: expectRefused });
      expect(refused).toHaveLength(expectRefused);
      const lines = readFileSync(deadLetterPath, 'utf8').trim().split('\n').map((l) => JSON.parse(l));
      expect(lines.map((l) => l.row.requestId).sort()).toEqual(dialect === 'postgres' ? ['req-17', 'req-60'] : ['req-17']);
      expect(lines[0].reason).toMatch(/\S/);
      await writer.close();
    });

    it('backs off while the database is down instead of retrying every tick, and keeps the rows', async () => {
      const { state, repo } = flaky(new UsageRepository(t().gdb.db, t().gdb.sqlite));
      const errors: unknown[] = [];
      const writer = createUsageWriter(repo, { flushIntervalMs: 10, initialBackoffMs: 100, onError: (e) => errors.push(e) });
      state.down = true;
      for (let i = 0; i < 20; i += 1) writer.record(row(i));
      await new Promise((r) => setTimeout(r, 1000));
      // Without back-off: ~100 attempts in a second at a 10 ms tick; with it: 100+200+400 ms…
      expect(errors.length).toBeLessThanOrEqual(6);
      expect(writer.stats()).toMatchObject({ queued: 20, deadLettered: 0 });
      state.down = false;
      await writer.close();
      expect(await count()).toBe(20);
    });
  });
});
