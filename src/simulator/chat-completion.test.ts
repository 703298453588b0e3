import OpenAI from 'openai';
import { createParser } from 'eventsource-parser';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { startSimulator, type Simulator, type SimulatorBehavior } from './index.js';

let sim: Simulator;

const client = (vendorPath = 'v1'): OpenAI =>
  new OpenAI({ baseURL: `${sim.url}/${vendorPath}`, apiKey: 'sk-test', maxRetries: 0 });

/** The SDK forwards unknown body fields untouched, exactly like the gateway does. */
const withSimulator = <T extends object>(params: T, simulator: SimulatorBehavior): T =>
  ({ ...params, simulator }) as T;

const messages: OpenAI.Chat.ChatCompletionMessageParam[] = [{ role: 'user', content: 'Hello there, simulator!' }];

const rawStream = async (path: string, body: Record<string, unknown>): Promise<string[]> => {
  const response = await fetch(`${sim.url}${path}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ stream: true, messages, ...body }),
  });
  expect(response.status).toBe(200);
  expect(response.headers.get('content-type')).toContain('text/event-stream');
  const events: string[] = [];
  const parser = createParser({ onEvent: (event) => events.push(event.data) });
  parser.feed(await response.text());
  return events;
};

const chunksOf = (events: string[]): Array<Record<string, any>> => {
  expect(events.at(-1)).toBe('[DONE]');
  return events.slice(0, -1).map((data) => JSON.parse(data) as Record<string, any>);
};

beforeAll(async () => {
  sim = await startSimulator();
});
afterAll(async () => {
  await sim.close();
});
beforeEach(() => {
  sim.clear();
  sim.clearRules();
});

describe('non-stream chat completions', () => {
  it('answers deterministically with usage and records the request', async () => {
    const completion = await client().chat.completions.create({ model: 'gpt-4o-mini', messages });
    expect(completion.object).toBe('chat.completion');
    expect(completion.id).toMatch(/^chatcmpl-/);
    expect(completion.model).toBe('gpt-4o-mini');
    expect(completion.choices[0].message).toMatchObject({ role: 'assistant', content: 'Simulated reply from gpt-4o-mini.' });
    expect(completion.choices[0].finish_reason).toBe('stop');
    // 23 characters → ceil(23 / 4) = 6 prompt tokens; 4 word chunks.
    expect(completion.usage).toEqual({ prompt_tokens: 6, completion_tokens: 4, total_tokens: 10 });
    expect(sim.received).toHaveLength(1);
    expect(sim.received[0]).toMatchObject({ method: 'POST', path: '/v1/chat/completions', vendor: 'openai' });
    expect(sim.received[0].headers.authorization).toBe('Bearer sk-test');
    expect(JSON.parse(sim.received[0].rawBody)).toEqual(sim.received[0].body);
  });

  it('selects a vendor from the first path segment', async () => {
    await client('bytedance/api/v3').chat.completions.create({ model: 'doubao-1-5-pro-32k-250115', messages });
    expect(sim.received[0]).toMatchObject({ vendor: 'bytedance', path: '/bytedance/api/v3/chat/completions' });
  });

  it('returns {"ok":true} for json_object response_format', async () => {
    const completion = await client().chat.completions.create({
      model: 'gpt-4o',
      messages,
      response_format: { type: 'json_object' },
    });
    expect(JSON.parse(completion.choices[0].message.content ?? '')).toEqual({ ok: true });
  });

  it('calls the first tool with {} and honours toolCalls:false and tool results', async () => {
    const tools: OpenAI.Chat.ChatCompletionTool[] = [
      { type: 'function', function: { name: 'get_weather', parameters: { type: 'object', properties: {} } } },
      { type: 'function', function: { name: 'get_time', parameters: { type: 'object', properties: {} } } },
    ];
    const called = await client().chat.completions.create({ model: 'gpt-4o', messages, tools });
    expect(called.choices[0].finish_reason).toBe('tool_calls');
    expect(called.choices[0].message.content).toBeNull();
    const call = called.choices[0].message.tool_calls?.[0];
    expect(call).toMatchObject({ type: 'function', function: { name: 'get_weather', arguments: '{}' } });

    const declined = await client().chat.completions.create(
      withSimulator({ model: 'gpt-4o', messages, tools }, { toolCalls: false }),
    );
    expect(declined.choices[0].finish_reason).toBe('stop');
    expect(declined.choices[0].message.tool_calls).toBeUndefined();

    const afterTool = await client().chat.completions.create({
      model: 'gpt-4o',
      tools,
      messages: [
        ...messages,
        { role: 'assistant', content: null, tool_calls: [{ id: 'call_1', type: 'function', function: { name: 'get_weather', arguments: '{}' } }] },
        { role: 'tool', tool_call_id: 'call_1', content: 'sunny' },
      ],
    });
    expect(afterTool.choices[0].message.content).toBe('Simulated reply from gpt-4o.');
  });

  it('adds DeepSeek reasoning_content and cache usage fields', async () => {
    const completion = await client('deepseek/v1').chat.completions.create({ model: 'deepseek-reasoner', messages });
    const message = completion.choices[0].message as unknown as Record<string, unknown>;
    expect(message.reasoning_content).toBe('Simulated reasoning from deepseek-reasoner.');
    expect(completion.usage).toMatchObject({ prompt_cache_hit_tokens: 0, prompt_cache_miss_tokens: 6 });
  });
});

describe('streamed chat completions', () => {
  it('assembles with the SDK and ends with [DONE]; no usage unless asked', async () => {
    const stream = await client().chat.completions.create({ model: 'gpt-4o', messages, stream: true });
    let text = '';
    let roleSeen = false;
    let finish: string | null = null;
    for await (const chunk of stream) {
      expect(chunk.object).toBe('chat.completion.chunk');
      expect(chunk.usage ?? null).toBeNull();
      const choice = chunk.choices[0];
      if (choice.delta.role) roleSeen = true;
      text += choice.delta.content ?? '';
      finish = choice.finish_reason ?? finish;
    }
    expect(roleSeen).toBe(true);
    expect(text).toBe('Simulated reply from gpt-4o.');
    expect(finish).toBe('stop');

    const events = await rawStream('/v1/chat/completions', { model: 'gpt-4o' });
    const chunks = chunksOf(events);
    expect(chunks[0].choices[0].delta.role).toBe('assistant');
    expect(chunks.every((chunk) => chunk.usage === undefined)).toBe(true);
  });

  it('sends a usage-only chunk with empty choices when include_usage is set', async () => {
    const chunks = chunksOf(
      await rawStream('/v1/chat/completions', { model: 'gpt-4o', stream_options: { include_usage: true } }),
    );
    const last = chunks.at(-1)!;
    expect(last.choices).toEqual([]);
    expect(last.usage).toEqual({ prompt_tokens: 6, completion_tokens: 4, total_tokens: 10 });
    expect(chunks.at(-2)!.choices[0].finish_reason).toBe('stop');
    expect(chunks.slice(0, -1).every((chunk) => chunk.usage === null)).toBe(true);
  });

  it('moonshot puts usage inside choices[0] of the finish chunk, even without include_usage', async () => {
    const chunks = chunksOf(await rawStream('/moonshot/v1/chat/completions', { model: 'moonshot-v1-8k' }));
    const finish = chunks.at(-1)!;
    expect(finish.choices[0].finish_reason).toBe('stop');
    expect(finish.choices[0].usage).toEqual({ prompt_tokens: 6, completion_tokens: 4, total_tokens: 10 });
    expect(finish.usage).toBeUndefined();
  });

  it('zhipu attaches a top-level usage to the finish chunk', async () => {
    const chunks = chunksOf(await rawStream('/zhipu/api/paas/v4/chat/completions', { model: 'glm-4-flash' }));
    expect(chunks.at(-1)!.choices[0].finish_reason).toBe('stop');
    expect(chunks.at(-1)!.usage).toMatchObject({ total_tokens: 10 });
  });

  it('nousage never reports usage, even when asked', async () => {
    const events = await rawStream('/nousage/v1/chat/completions', {
      model: 'sim-model',
      stream_options: { include_usage: true },
    });
    expect(events.some((data) => data.includes('usage'))).toBe(false);
    expect(chunksOf(events).at(-1)!.choices[0].finish_reason).toBe('stop');
  });

  it('honours the chunks override', async () => {
    const chunks = chunksOf(
      await rawStream('/v1/chat/completions', { model: 'gpt-4o', simulator: { content: 'abcdefghij', chunks: 3 } }),
    );
    const pieces = chunks.slice(1, -1).map((chunk) => chunk.choices[0].delta.content as string);
    expect(pieces).toHaveLength(3);
    expect(pieces.join('')).toBe('abcdefghij');
  });

  it('streams tool calls as delta.tool_calls fragments', async () => {
    const stream = await client().chat.completions.create({
      model: 'gpt-4o',
      messages,
      stream: true,
      tools: [{ type: 'function', function: { name: 'lookup', parameters: { type: 'object', properties: {} } } }],
    });
    let name = '';
    let args = '';
    let id = '';
    let finish: string | null = null;
    for await (const chunk of stream) {
      for (const call of chunk.choices[0]?.delta.tool_calls ?? []) {
        expect(call.index).toBe(0);
        id += call.id ?? '';
        name += call.function?.name ?? '';
        args += call.function?.arguments ?? '';
      }
      finish = chunk.choices[0]?.finish_reason ?? finish;
    }
    expect({ name, args, finish }).toEqual({ name: 'lookup', args: '{}', finish: 'tool_calls' });
    expect(id).toMatch(/^call_/);
  });
});

describe('rules', () => {
  it('applies the first matching rule for `times` requests, then removes it', async () => {
    sim.addRule({ match: { model: 'flaky' }, times: 2, behavior: { status: 503, errorMessage: 'overloaded' } });
    sim.addRule({ match: { vendor: 'moonshot' }, behavior: { content: 'moonshot rule' } });
    for (let attempt = 0; attempt < 2; attempt += 1) {
      await expect(client().chat.completions.create({ model: 'flaky', messages })).rejects.toMatchObject({
        status: 503,
        message: expect.stringContaining('overloaded'),
      });
    }
    const ok = await client().chat.completions.create({ model: 'flaky', messages });
    expect(ok.choices[0].message.content).toBe('Simulated reply from flaky.');

    const moonshot = await client('moonshot/v1').chat.completions.create({ model: 'flaky', messages });
    expect(moonshot.choices[0].message.content).toBe('moonshot rule');
  });

  it('lets the request body field win over a rule', async () => {
    sim.addRule({ match: { path: '/chat/completions' }, behavior: { content: 'from rule', chunks: 1 } });
    const completion = await client().chat.completions.create(
      withSimulator({ model: 'gpt-4o', messages }, { content: 'from body' }),
    );
    expect(completion.choices[0].message.content).toBe('from body');
    expect(completion.usage?.completion_tokens).toBe(1);
    sim.clearRules();
    const plain = await client().chat.completions.create({ model: 'gpt-4o', messages });
    expect(plain.choices[0].message.content).toBe('Simulated reply from gpt-4o.');
  });
});
