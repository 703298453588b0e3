import OpenAI from 'openai';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { startHarness, type Harness } from '../../test-support/gateway-harness.js';

// Stored responses through the official openai package: previous_response_id rebuilds
// the conversation for a stateless (chat-protocol) vendor; every key sees only its own.
const MASTER = 'sk-master-stored-responses';
let h: Harness;
let keyA = '';
let keyB = '';

const client = (apiKey: string) => new OpenAI({ baseURL: `${h.url}/v1`, apiKey, maxRetries: 0, timeout: 15_000 });
const chatBodies = () => h.sim.received.filter((r) => r.path.endsWith('/chat/completions')).map((r) => r.body as Record<string, any>);
/** Rows in the database itself: the store's queue is written out first (reads are served from it before). */
const storedCount = async (id: string) => {
  await h.gateway.responseStore?.flush();
  const row = await h.gateway.database.db.selectFrom('stored_responses' as never).select((eb) => eb.fn.countAll().as('n')).where('id' as never, '=', id as never).executeTakeFirst();
  return Number((row as { n: unknown }).n);
};

beforeAll(async () => {
  h = await startHarness({ settings: { masterKey: MASTER } });
  keyA = (await h.gateway.repositories.apiKeys.createApiKey({ name: 'responses-a' })).key;
  keyB = (await h.gateway.repositories.apiKeys.createApiKey({ name: 'responses-b' })).key;
  await h.gateway.keyGuard.reloadKeys();
});
afterAll(async () => {
  await h.close();
});
beforeEach(() => {
  h.sim.clear();
  h.sim.clearRules();
});

describe('stored responses', () => {
  it('previous_response_id over three turns: the vendor gets the whole history on turn 3 (streamed and not)', async () => {
    const a = client(keyA);
    const first = await a.responses.create({ model: 'gpt-test', instructions: 'Be brief.', input: 'My name is Ada.' });
    const second = await a.responses.stream({ model: 'gpt-test', instructions: 'Be brief.', input: 'I like tea.', previous_response_id: first.id }).finalResponse();
    const third = await a.responses.create({ model: 'gpt-test', instructions: 'Be brief.', input: [{ role: 'user', content: [{ type: 'input_text', text: 'What is my name?' }] }], previous_response_id: second.id });
    expect(third.previous_response_id).toBe(second.id);
    expect(chatBodies()[2]!.messages).toEqual([
      { role: 'system', content: 'Be brief.' },
      { role: 'user', content: 'My name is Ada.' },
      { role: 'assistant', content: 'Simulated reply from gpt-test.' },
      { role: 'user', content: 'I like tea.' },
      { role: 'assistant', content: 'Simulated reply from gpt-test.' },
      { role: 'user', content: 'What is my name?' },
    ]);
  });

  it('a tool-calling turn is continued with only the function_call_output', async () => {
    const a = client(keyA);
    const tools = [{ type: 'function' as const, name: 'lookup', parameters: { type: 'object', properties: {} }, strict: false }];
    h.sim.addRule({ match: { model: 'kimi-test' }, times: 1, behavior: { toolArguments: '{"q":"x"}' } });
    const first = await a.responses.create({ model: 'kimi-test', input: 'Look it up', tools });
    const call = first.output.find((item) => item.type === 'function_call');
    if (call?.type !== 'function_call') throw new Error('no call');
    const second = await a.responses.create({ model: 'kimi-test', tools, previous_response_id: first.id, input: [{ type: 'function_call_output', call_id: call.call_id, output: 'found' }] });
    expect(second.output_text).toBe('Simulated reply from kimi-test.');
    expect(chatBodies()[1]!.messages).toEqual([
      { role: 'user', content: 'Look it up' },
      { role: 'assistant', content: null, tool_calls: [{ id: call.call_id, type: 'function', function: { name: 'lookup', arguments: '{"q":"x"}' } }] },
      { role: 'tool', tool_call_id: call.call_id, content: 'found' },
    ]);
  });

  it('retrieve, list input items, delete; another key gets 404 for all of them and cannot continue', async () => {
    const a = client(keyA);
    const b = client(keyB);
    const created = await a.responses.create({ model: 'gpt-test', input: [{ role: 'user', content: 'Keep me' }], metadata: { case: 'r' } });
    const retrieved = await a.responses.retrieve(created.id);
    expect(retrieved).toMatchObject({ id: created.id, status: 'completed', output_text: 'Simulated reply from gpt-test.', metadata: { case: 'r' } });
    const items = await a.responses.inputItems.list(created.id);
    expect(items.data).toHaveLength(1);
    expect(items.data[0]).toMatchObject({ type: 'message', role: 'user', content: [{ type: 'input_text', text: 'Keep me' }] });
    expect(items.data[0]!.id).toMatch(/^msg_/);

    for (const attempt of [
      () => b.responses.retrieve(created.id),
      () => b.responses.inputItems.list(created.id),
      () => b.responses.delete(created.id),
      () => b.responses.create({ model: 'gpt-test', input: 'hi', previous_response_id: created.id }),
      () => client(MASTER).responses.retrieve(created.id),
    ]) {
      expect(await attempt().catch((e: unknown) => e)).toBeInstanceOf(OpenAI.NotFoundError);
    }
    expect(await storedCount(created.id)).toBe(1);
    await a.responses.delete(created.id);
    expect(await storedCount(created.id)).toBe(0);
    expect(await a.responses.retrieve(created.id).catch((e: unknown) => e)).toBeInstanceOf(OpenAI.NotFoundError);
    expect(await a.responses.retrieve('resp_../../etc').catch((e: unknown) => e)).toBeInstanceOf(OpenAI.NotFoundError);
    expect(await a.responses.create({ model: 'gpt-test', input: 'x', previous_response_id: 'resp_\u0000bad' }).catch((e: unknown) => e)).toBeInstanceOf(OpenAI.NotFoundError);
  });

  it('store: false keeps nothing (JSON and stream)', async () => {
    const a = client(keyA);
    const json = await a.responses.create({ model: 'gpt-test', input: 'forget me', store: false });
    const streamed = await a.responses.stream({ model: 'gpt-test', input: 'forget me too', store: false }).finalResponse();
    await new Promise((resolve) => setTimeout(resolve, 50));
    expect(await storedCount(json.id)).toBe(0);
    expect(await storedCount(streamed.id)).toBe(0);
    expect(await a.responses.retrieve(json.id).catch((e: unknown) => e)).toBeInstanceOf(OpenAI.NotFoundError);
  });

  it('a turn still queued when the gateway shuts down is written first: the restarted gateway continues it', async () => {
    // A window long enough that only the shutdown can write the turn.
    await h.restart({ build: { responsesFlushWindowMs: 3_600_000 } });
    const created = await client(keyA).responses.create({ model: 'gpt-test', input: 'Remember me across a restart.' });
    expect(h.gateway.responseStore?.stats().queued).toBe(1);
    await h.restart({ build: {} });
    const after = client(keyA);
    expect(await after.responses.retrieve(created.id)).toMatchObject({ id: created.id, status: 'completed' });
    const next = await after.responses.create({ model: 'gpt-test', input: 'Still there?', previous_response_id: created.id });
    expect(next.previous_response_id).toBe(created.id);
    expect(chatBodies().at(-1)!.messages).toEqual([
      { role: 'user', content: 'Remember me across a restart.' },
      { role: 'assistant', content: 'Simulated reply from gpt-test.' },
      { role: 'user', content: 'Still there?' },
    ]);
  });
});
