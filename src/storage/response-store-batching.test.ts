import path from 'node:path';
import SqliteDatabase from 'better-sqlite3';
import { InsertQueryNode, Kysely, SqliteDialect, sql, type KyselyPlugin } from 'kysely';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { testTargets, useTestDatabase } from '../test-support/test-databases.js';
import { ResponseStore, type ResponseStoreOptions } from './response-store.js';
import type { DatabaseSchema } from './schema.js';

// Saves are queued and written one transaction per window; until then every read of
// the id is answered from the queue, with the database's owner and expiry rules.
const targets = await testTargets();
const DAY = 86_400_000;
/** Long enough that nothing is written unless a test asks for it (or a cap is hit). */
const NEVER = 3_600_000;

const turn = (id: string, previousId: string | null = null, owner = 'key_a') => ({
  id,
  owner,
  model: 'gpt-test',
  previousId,
  input: [{ id: `msg_in_${id}`, type: 'message', role: 'user', content: [{ type: 'input_text', text: `said ${id}` }] }],
  response: { id, object: 'response', status: 'completed', output: [{ id: `msg_out_${id}`, type: 'message', role: 'assistant', content: [{ type: 'output_text', text: `answer ${id}` }] }] },
});

describe.each(targets)('stored responses written in batches on $dialect', ({ dialect, skip }) => {
  describe.skipIf(skip)(skip ? 'skipped: PostgreSQL unreachable' : 'suite', () => {
    const t = useTestDatabase(dialect);
    const stores: ResponseStore[] = [];
    const open = (options: Partial<ResponseStoreOptions> = {}, database: Pick<ReturnType<typeof t>['gdb'], 'db' | 'sqlite'> = t().gdb) => {
      const store = new ResponseStore(database, { retentionMs: 30 * DAY, flushWindowMs: NEVER, ...options });
      stores.push(store);
      return store;
    };
    afterEach(async () => {
      // Each test's store is closed before its database (the queue must not outlive it).
      for (const store of stores.splice(0)) await store.close().catch(() => undefined);
    });
    const stored = async (id?: string) => {
      let query = t().gdb.db.selectFrom('stored_responses' as never).select((eb) => eb.fn.countAll().as('n'));
      if (id) query = query.where('id' as never, '=', id as never);
      return Number(((await query.executeTakeFirst()) as { n: unknown }).n);
    };

    /**
     * A database handle that counts write transactions: SQLite through a second connection
     * whose statements are logged (BEGIN…COMMIT is one, an INSERT outside it another),
     * PostgreSQL through a plugin seeing every INSERT (each is its own transaction there).
     */
    const counted = () => {
      if (dialect === 'postgres') {
        const counter = { inserts: 0 };
        const plugin: KyselyPlugin = {
          transformQuery: (args) => {
            if (InsertQueryNode.is(args.node)) counter.inserts += 1;
            return args.node;
          },
          transformResult: async (args) => args.result,
        };
        return { database: { db: t().gdb.db.withPlugin(plugin), sqlite: null }, transactions: () => counter.inserts, close: async () => undefined };
      }
      const log: string[] = [];
      const handle = new SqliteDatabase(path.join(t().dataDir, 'gateway.db'), { verbose: (message) => log.push(String(message)) });
      handle.pragma('busy_timeout = 5000');
      const db = new Kysely<DatabaseSchema>({ dialect: new SqliteDialect({ database: handle }) });
      const transactions = () => {
        let open = false;
        let count = 0;
        for (const statement of log) {
          const head = statement.trimStart().slice(0, 6).toUpperCase();
          if (head.startsWith('BEGIN')) open = true;
          else if (head.startsWith('COMMIT')) {
            open = false;
            count += 1;
          } else if (head === 'INSERT' && !open) count += 1;
        }
        return count;
      };
      return { database: { db, sqlite: handle }, transactions, close: () => db.destroy() };
    };

    it('50 saves are one write transaction, and none happens before the flush', async () => {
      const observed = counted();
      const store = open({}, observed.database);
      for (let i = 0; i < 50; i += 1) store.save(turn(`resp_batch_${i}`));
      expect(observed.transactions()).toBe(0);
      expect(await stored()).toBe(0);
      await store.flush();
      expect(observed.transactions()).toBe(1);
      expect(await stored()).toBe(50);
      expect(store.stats()).toMatchObject({ queued: 0, written: 50, refused: 0, dropped: 0, failures: 0 });
      await store.close();
      await observed.close();
    });

    it('a queued turn is read back at once: get, input items, and a conversation across the database and the queue', async () => {
      const store = open();
      store.save(turn('resp_q1'));
      await store.flush();
      store.save(turn('resp_q2', 'resp_q1'));
      store.save(turn('resp_q3', 'resp_q2'));
      expect(await stored('resp_q3')).toBe(0);
      expect(await store.get('resp_q3', 'key_a')).toMatchObject({ id: 'resp_q3', status: 'completed' });
      expect((await store.inputItems('resp_q2', 'key_a'))[0]).toMatchObject({ id: 'msg_in_resp_q2' });
      const history = await store.conversation('resp_q3', 'key_a');
      expect(history.map((item) => item.id)).toEqual(['msg_in_resp_q1', 'msg_out_resp_q1', 'msg_in_resp_q2', 'msg_out_resp_q2', 'msg_in_resp_q3', 'msg_out_resp_q3']);
      // Read back from the queue is a copy: changing it changes nothing stored.
      (await store.get('resp_q3', 'key_a')).status = 'tampered';
      expect(await store.get('resp_q3', 'key_a')).toMatchObject({ status: 'completed' });
    });

    it("another key cannot see, continue or delete a queued turn", async () => {
      const store = open();
      store.save(turn('resp_mine'));
      for (const attempt of [
        () => store.get('resp_mine', 'key_b'),
        () => store.inputItems('resp_mine', 'key_b'),
        () => store.conversation('resp_mine', 'key_b'),
        () => store.delete('resp_mine', 'key_b'),
      ]) {
        await expect(attempt()).rejects.toMatchObject({ status: 404, code: 'response_not_found' });
      }
      expect(await store.get('resp_mine', 'key_a')).toMatchObject({ id: 'resp_mine' });
      await store.flush();
      expect(await stored('resp_mine')).toBe(1);
    });

    it('a queued turn expires like a stored one', async () => {
      let now = Date.UTC(2026, 0, 1);
      const store = open({ retentionMs: DAY, now: () => now });
      store.save(turn('resp_short'));
      now += DAY - 1;
      expect(await store.get('resp_short', 'key_a')).toMatchObject({ id: 'resp_short' });
      now += 1;
      await expect(store.get('resp_short', 'key_a')).rejects.toMatchObject({ status: 404 });
      await expect(store.conversation('resp_short', 'key_a')).rejects.toMatchObject({ status: 404 });
    });

    it('deleting a queued turn means it is never written; deleting one being written removes it once it is', async () => {
      const store = open();
      store.save(turn('resp_gone'));
      store.save(turn('resp_kept'));
      await store.delete('resp_gone', 'key_a');
      await expect(store.get('resp_gone', 'key_a')).rejects.toMatchObject({ status: 404 });
      await expect(store.delete('resp_gone', 'key_a')).rejects.toMatchObject({ status: 404 });
      await store.flush();
      expect(await stored('resp_gone')).toBe(0);
      expect(await stored('resp_kept')).toBe(1);

      store.save(turn('resp_in_flight'));
      const writing = store.flush();
      await store.delete('resp_in_flight', 'key_a');
      await writing;
      expect(await stored('resp_in_flight')).toBe(0);
      await expect(store.get('resp_in_flight', 'key_a')).rejects.toMatchObject({ status: 404 });
    });

    it('close() writes what is queued; a save after it is reported, not kept', async () => {
      const errors: unknown[] = [];
      const store = open({ onError: (error) => errors.push(error) });
      for (let i = 0; i < 7; i += 1) store.save(turn(`resp_close_${i}`));
      await store.close();
      expect(await stored()).toBe(7);
      store.save(turn('resp_late'));
      expect(String(errors[0])).toMatch(/resp_late arrived after the store was closed/);
      expect(store.stats().queued).toBe(0);
    });

    it('writes on its own after the window, and at once when the row or byte cap is reached', async () => {
      const timed = open({ flushWindowMs: 20 });
      timed.save(turn('resp_timed'));
      await vi.waitFor(async () => expect(await stored('resp_timed')).toBe(1), { timeout: 5000, interval: 10 });

      // PostgreSQL's setting in the app: the next turn of the event loop.
      const next = open({ flushWindowMs: 0 });
      next.save(turn('resp_next'));
      await vi.waitFor(async () => expect(await stored('resp_next')).toBe(1), { timeout: 5000, interval: 10 });

      const byRows = open({ maxBatchRows: 5 });
      for (let i = 0; i < 4; i += 1) byRows.save(turn(`resp_rows_${i}`));
      await new Promise((resolve) => setTimeout(resolve, 30));
      expect(await stored()).toBe(2);
      byRows.save(turn('resp_rows_4'));
      await vi.waitFor(async () => expect(await stored()).toBe(7), { timeout: 5000, interval: 10 });

      const byBytes = open({ maxBatchBytes: 10_000 });
      const big = turn('resp_big');
      byBytes.save({ ...big, response: { ...big.response, padding: 'x'.repeat(10_000) } });
      await vi.waitFor(async () => expect(await stored('resp_big')).toBe(1), { timeout: 5000, interval: 10 });
    });

    it('a row the database refuses is reported alone; the rest of its batch is written', async () => {
      const errors: unknown[] = [];
      const store = open({ onError: (error) => errors.push(error) });
      store.save(turn('resp_taken'));
      await store.flush();
      const other = open({ onError: (error) => errors.push(error) });
      for (let i = 0; i < 6; i += 1) other.save(turn(`resp_fine_${i}`));
      other.save({ ...turn('resp_taken', null, 'key_b') });
      for (let i = 6; i < 12; i += 1) other.save(turn(`resp_fine_${i}`));
      await other.flush();
      expect(await stored()).toBe(13);
      expect(other.stats()).toMatchObject({ queued: 0, written: 12, refused: 1, failures: 0 });
      expect(errors).toHaveLength(1);
      expect(String(errors[0])).toMatch(/resp_taken was refused by the database/);
      // The first owner keeps it; the refused copy is gone from the queue.
      expect(await other.get('resp_taken', 'key_a')).toMatchObject({ id: 'resp_taken' });
      await expect(other.get('resp_taken', 'key_b')).rejects.toMatchObject({ status: 404 });
    });

    it('while the database fails, rows stay queued and readable, are retried, and an overflow drops the oldest (reported)', async () => {
      const errors: unknown[] = [];
      const store = open({ onError: (error) => errors.push(error), maxBatchRows: 2, maxQueuedRows: 4, initialBackoffMs: NEVER });
      const { db } = t().gdb;
      await sql`ALTER TABLE stored_responses RENAME TO stored_responses_away`.execute(db);
      store.save(turn('resp_out_0'));
      await expect(store.flush()).rejects.toThrow(/stored_responses/);
      expect(store.stats()).toMatchObject({ queued: 1, written: 0, failures: 1 });
      expect(await store.get('resp_out_0', 'key_a')).toMatchObject({ id: 'resp_out_0' });
      for (let i = 1; i < 6; i += 1) store.save(turn(`resp_out_${i}`));
      expect(store.stats()).toMatchObject({ queued: 4, dropped: 2 });
      expect(errors.map(String).filter((text) => /dropped/.test(text))).toHaveLength(2);
      await sql`ALTER TABLE stored_responses_away RENAME TO stored_responses`.execute(db);
      await expect(store.get('resp_out_0', 'key_a')).rejects.toMatchObject({ status: 404 });
      await store.flush();
      expect(await stored()).toBe(4);
      expect(await stored('resp_out_5')).toBe(1);
      expect(store.stats()).toMatchObject({ queued: 0, written: 4, refused: 0 });
    });

    it('close() retries a failing database, then rejects saying how many rows are left', async () => {
      const errors: unknown[] = [];
      const store = open({ onError: (error) => errors.push(error), closeAttempts: 2 });
      await sql`ALTER TABLE stored_responses RENAME TO stored_responses_away`.execute(t().gdb.db);
      store.save(turn('resp_stuck'));
      await expect(store.close()).rejects.toThrow(/1 stored responses could not be written before closing/);
      expect(store.stats()).toMatchObject({ queued: 1, failures: 2 });
      expect(errors).toHaveLength(2);
      await sql`ALTER TABLE stored_responses_away RENAME TO stored_responses`.execute(t().gdb.db);
    });

    it.runIf(dialect === 'sqlite')('a batch due while a transaction is open on the handle waits for it and is not rolled back with it', async () => {
      const store = open();
      const { db } = t().gdb;
      await expect(
        db.transaction().execute(async (tx) => {
          await tx.selectFrom('api_keys').select('id').execute();
          store.save(turn('resp_beside'));
          void store.flush().catch(() => undefined);
          await new Promise((resolve) => setTimeout(resolve, 20));
          throw new Error('rolled back on purpose');
        }),
      ).rejects.toThrow('rolled back on purpose');
      await store.flush();
      expect(await stored('resp_beside')).toBe(1);
    });
  });
});
