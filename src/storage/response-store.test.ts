import { describe, expect, it } from 'vitest';
import { testTargets, useTestDatabase } from '../test-support/test-databases.js';
import { ResponseStore } from './response-store.js';

const targets = await testTargets();
const DAY = 86_400_000;

const turn = (id: string, previousId: string | null, said: string, answer: string) => ({
  id,
  owner: 'key_a',
  model: 'gpt-test',
  previousId,
  input: [{ id: `msg_in_${id}`, type: 'message', role: 'user', content: [{ type: 'input_text', text: said }] }],
  response: { id, object: 'response', status: 'completed', output: [{ id: `msg_out_${id}`, type: 'message', role: 'assistant', content: [{ type: 'output_text', text: answer }] }] },
});

describe.each(targets)('stored responses on $dialect', ({ dialect, skip }) => {
  describe.skipIf(skip)(skip ? 'skipped: PostgreSQL unreachable' : 'suite', () => {
    const t = useTestDatabase(dialect);

    it('keeps a conversation per owner, rebuilds it oldest first, deletes', async () => {
      const store = new ResponseStore(t().gdb, { retentionMs: 30 * DAY });
      store.save(turn('resp_1', null, 'one', 'first'));
      store.save(turn('resp_2', 'resp_1', 'two', 'second'));
      const history = await store.conversation('resp_2', 'key_a');
      expect(history.map((item) => item.id)).toEqual(['msg_in_resp_1', 'msg_out_resp_1', 'msg_in_resp_2', 'msg_out_resp_2']);
      expect(await store.get('resp_1', 'key_a')).toMatchObject({ id: 'resp_1', status: 'completed' });
      expect((await store.inputItems('resp_2', 'key_a'))[0]).toMatchObject({ id: 'msg_in_resp_2' });
      await expect(store.get('resp_1', 'key_b')).rejects.toMatchObject({ status: 404, code: 'response_not_found' });
      await expect(store.conversation('resp_2', 'key_b')).rejects.toMatchObject({ status: 404 });
      await expect(store.delete('resp_1', 'key_b')).rejects.toMatchObject({ status: 404 });
      await store.delete('resp_1', 'key_a');
      await expect(store.get('resp_1', 'key_a')).rejects.toMatchObject({ status: 404 });
      await store.close();
    });

    it('expired responses are invisible and the retention job deletes them in batches', async () => {
      let now = Date.UTC(2026, 0, 1);
      const store = new ResponseStore(t().gdb, { retentionMs: DAY, now: () => now });
      for (let i = 0; i < 1205; i += 1) store.save(turn(`resp_old_${i}`, null, 'x', 'y'));
      await store.flush();
      now += DAY / 2;
      store.save(turn('resp_new', null, 'x', 'y'));
      await store.flush();
      now += DAY / 2 + 1;
      await expect(store.get('resp_old_0', 'key_a')).rejects.toMatchObject({ status: 404 });
      expect(await store.deleteExpired()).toBe(1205);
      expect(await store.get('resp_new', 'key_a')).toMatchObject({ id: 'resp_new' });
      const left = await t().gdb.db.selectFrom('stored_responses' as never).select((eb) => eb.fn.countAll().as('n')).executeTakeFirst();
      expect(Number((left as { n: unknown }).n)).toBe(1);
      await store.close();
    });
  });
});
