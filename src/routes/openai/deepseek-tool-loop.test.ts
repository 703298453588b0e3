import type OpenAI from 'openai';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { startHarness, type Harness, type TestProvider } from '../../test-support/gateway-harness.js';

// DeepSeek's thinking-mode tool loop (api-docs.deepseek.com/guides/thinking_mode, "Tool
// Calls"): the reasoning_content of every assistant turn that called tools must come back,
// else the API answers 400. The client here uses the openai package the way LangChain's
// ChatOpenAI does: it keeps content and tool_calls of the assistant turn and drops
// reasoning_content. The gateway puts it back; with replay off the simulator's DeepSeek
// mode answers the 400, which proves the mode checks.
const MASTER = 'sk-master-deepseek-loop';
const MODEL = 'deepseek-v4-pro';
const providers: TestProvider[] = [{ name: 'DeepSeek', vendor: 'deepseek', keyEnv: 'DEEPSEEK_API_KEY', key: 'sk-deepseek-loop-1234', models: { language: [MODEL, 'deepseek-chat'] } }];

let h: Harness;
let off: Harness;
let keyA = '';
let keyB = '';

const tools: OpenAI.ChatCompletionTool[] = [
  { type: 'function', function: { name: 'get_weather', description: 'Weather for a city', parameters: { type: 'object', properties: { city: { type: 'string' } } } } },
];
type Message = OpenAI.ChatCompletionMessageParam;
const chatBodies = (harness: Harness) => harness.sim.received.filter((r) => r.path.endsWith('/chat/completions')).map((r) => r.body as Record<string, any>);

interface Turn {
  content: string | null;
  reasoning: string;
  toolCalls: OpenAI.ChatCompletionMessageFunctionToolCall[];
  usage: Record<string, unknown> | null;
}

/** One turn as LangChain does it: JSON, or a stream assembled from deltas. */
const ask = async (client: OpenAI, messages: Message[], stream: boolean): Promise<Turn> => {
  // LangChain sends its default temperature; DeepSeek ignores it in thinking mode and the gateway drops it.
  const request = { model: MODEL, messages, tools, temperature: 0.7 };
  if (!stream) {
    const completion = await client.chat.completions.create(request);
    const message = completion.choices[0]!.message as OpenAI.ChatCompletionMessage & { reasoning_content?: string };
    return { content: message.content, reasoning: message.reasoning_content ?? '', toolCalls: (message.tool_calls ?? []) as OpenAI.ChatCompletionMessageFunctionToolCall[], usage: completion.usage as unknown as Record<string, unknown> };
  }
  const chunks = await client.chat.completions.create({ ...request, stream: true, stream_options: { include_usage: true } });
  const turn: Turn = { content: null, reasoning: '', toolCalls: [], usage: null };
  for await (const chunk of chunks) {
    if (chunk.usage) turn.usage = chunk.usage as unknown as Record<string, unknown>;
    const delta = chunk.choices[0]?.delta as (OpenAI.ChatCompletionChunk.Choice.Delta & { reasoning_content?: string }) | undefined;
    if (!delta) continue;
    if (delta.reasoning_content) turn.reasoning += delta.reasoning_content;
    if (delta.content) turn.content = (turn.content ?? '') + delta.content;
    for (const call of delta.tool_calls ?? []) {
      const known = turn.toolCalls[call.index];
      if (!known) turn.toolCalls[call.index] = { id: call.id!, type: 'function', function: { name: call.function!.name!, arguments: call.function?.arguments ?? '' } };
      else known.function.arguments += call.function?.arguments ?? '';
    }
  }
  return turn;
};

/** Three tool-calling turns, then the answer; the history keeps what LangChain keeps. */
const toolLoop = async (harness: Harness, client: OpenAI, stream: boolean) => {
  harness.sim.addRule({ match: { model: MODEL }, times: 3, behavior: { toolCalls: true, toolArguments: '{"city":"Paris"}' } });
  const messages: Message[] = [{ role: 'user', content: `Weather in Paris, three checks (${stream ? 'stream' : 'json'} ${Math.random()})` }];
  const turns: Turn[] = [];
  for (let round = 0; round < 4; round += 1) {
    const turn = await ask(client, messages, stream);
    turns.push(turn);
    if (turn.toolCalls.length === 0) break;
    messages.push({ role: 'assistant', content: turn.content, tool_calls: turn.toolCalls });
    for (const call of turn.toolCalls) messages.push({ role: 'tool', tool_call_id: call.id, content: 'sunny, 21°C' });
  }
  return turns;
};

beforeAll(async () => {
  h = await startHarness({ providers, settings: { masterKey: MASTER } });
  keyA = (await h.gateway.repositories.apiKeys.createApiKey({ name: 'loop-a' })).key;
  keyB = (await h.gateway.repositories.apiKeys.createApiKey({ name: 'loop-b' })).key;
  await h.gateway.keyGuard.reloadKeys();
  off = await startHarness({ providers, settings: { masterKey: MASTER, reasoningReplay: { entries: 0, maxBytes: 0, ttlMs: 0 } } });
});
afterAll(async () => {
  await h?.close();
  await off?.close();
});
beforeEach(() => {
  for (const harness of [h, off]) {
    harness.sim.clear();
    harness.sim.clearRules();
  }
});

describe('DeepSeek thinking-mode tool loop through the OpenAI passthrough', () => {
  for (const stream of [false, true]) {
    it(`three tool-calling turns, reasoning_content dropped by the client, every turn succeeds (${stream ? 'streamed' : 'JSON'})`, async () => {
      const turns = await toolLoop(h, h.client(keyA), stream);
      expect(turns).toHaveLength(4);
      expect(turns.slice(0, 3).every((turn) => turn.toolCalls.length === 1 && turn.reasoning.startsWith('Simulated reasoning'))).toBe(true);
      expect(turns[3]!.content).toBe(`Simulated reply from ${MODEL}.`);
      const bodies = chatBodies(h);
      expect(bodies).toHaveLength(4);
      // The last request carries each tool-calling turn's own reasoning, as DeepSeek requires.
      const assistants = (bodies[3]!.messages as Array<Record<string, unknown>>).filter((m) => m.role === 'assistant');
      expect(assistants.map((m) => m.reasoning_content)).toEqual(turns.slice(0, 3).map((turn) => turn.reasoning));
      expect(new Set(assistants.map((m) => m.reasoning_content)).size).toBe(3);
      // Thinking mode ignores temperature: the rule took it off.
      expect(bodies.every((body) => !('temperature' in body))).toBe(true);
      // Repeated leading messages are cache hits (guides/kv_cache), passed to the client as DeepSeek reports them.
      expect(turns[0]!.usage).toMatchObject({ prompt_cache_hit_tokens: 0 });
      expect(Number(turns[1]!.usage!.prompt_cache_hit_tokens)).toBeGreaterThan(0);
      expect(Number(turns[1]!.usage!.prompt_cache_hit_tokens) + Number(turns[1]!.usage!.prompt_cache_miss_tokens)).toBe(turns[1]!.usage!.prompt_tokens);
    });
  }

  it('with replay turned off the same loop gets DeepSeek’s 400 on the second turn', async () => {
    for (const stream of [false, true]) {
      off.sim.clear();
      const error = await toolLoop(off, off.client(MASTER), stream).then(
        () => null,
        (caught: unknown) => caught,
      );
      expect(error).toMatchObject({ status: 400 });
      expect(String((error as Error).message)).toContain('reasoning_content');
      expect(chatBodies(off)).toHaveLength(2);
    }
  });

  it('a client that keeps reasoning_content is sent as it is', async () => {
    const client = h.client(keyA);
    h.sim.addRule({ match: { model: MODEL }, times: 1, behavior: { toolCalls: true } });
    const first = await ask(client, [{ role: 'user', content: 'kept reasoning' }], false);
    const call = first.toolCalls[0]!;
    const history = [
      { role: 'user', content: 'kept reasoning' },
      { role: 'assistant', content: null, reasoning_content: 'my own words', tool_calls: [call] },
      { role: 'tool', tool_call_id: call.id, content: 'ok' },
    ] as Message[];
    await ask(client, history, false);
    expect(chatBodies(h)[1]!.messages[1].reasoning_content).toBe('my own words');
  });

  it('one key never gets reasoning another key’s conversation produced', async () => {
    h.sim.addRule({ match: { model: MODEL }, times: 1, behavior: { toolCalls: true } });
    const first = await ask(h.client(keyA), [{ role: 'user', content: 'secret plan' }], false);
    expect(first.reasoning).not.toBe('');
    const call = first.toolCalls[0]!;
    // Key B replays A's tool-call id: the gateway has nothing of B's for it, so the field goes back empty.
    await ask(h.client(keyB), [{ role: 'user', content: 'secret plan' }, { role: 'assistant', content: null, tool_calls: [call] }, { role: 'tool', tool_call_id: call.id, content: 'ok' }], false);
    expect(chatBodies(h)[1]!.messages[1].reasoning_content).toBe('');
  });

  it('deepseek-chat does not think unless asked; the thinking switch from reasoning_effort', async () => {
    const client = h.client(keyA);
    const plain = await client.chat.completions.create({ model: 'deepseek-chat', messages: [{ role: 'user', content: 'hi' }], temperature: 0.3 });
    expect((plain.choices[0]!.message as { reasoning_content?: string }).reasoning_content).toBeUndefined();
    const thinking = await client.chat.completions.create({ model: 'deepseek-chat', messages: [{ role: 'user', content: 'hi' }], reasoning_effort: 'high', temperature: 0.3 });
    expect((thinking.choices[0]!.message as { reasoning_content?: string }).reasoning_content).toMatch(/^Simulated reasoning/);
    const [first, second] = chatBodies(h);
    expect(first).toMatchObject({ temperature: 0.3 });
    expect(first).not.toHaveProperty('thinking');
    expect(second).toMatchObject({ thinking: { type: 'enabled' } });
    expect(second).not.toHaveProperty('temperature');
  });
});
