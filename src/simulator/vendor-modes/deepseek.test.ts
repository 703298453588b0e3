import OpenAI from 'openai';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startSimulator, type Simulator } from '../index.js';

// The simulator's DeepSeek mode over HTTP, straight from the openai package (no gateway):
// what DeepSeek's docs say it answers (guides/thinking_mode, guides/kv_cache).
let sim: Simulator;
const deepseek = () => new OpenAI({ baseURL: `${sim.url}/deepseek/v1`, apiKey: 'sk-sim', maxRetries: 0 });
const call = { id: 'call_x', type: 'function' as const, function: { name: 'f', arguments: '{}' } };
const tools = [{ type: 'function' as const, function: { name: 'f', parameters: { type: 'object', properties: {} } } }];
const loop = (assistant: Record<string, unknown>) =>
  [{ role: 'user', content: 'go' }, { role: 'assistant', content: null, tool_calls: [call], ...assistant }, { role: 'tool', tool_call_id: 'call_x', content: 'done' }] as OpenAI.ChatCompletionMessageParam[];

beforeAll(async () => {
  sim = await startSimulator();
});
afterAll(async () => {
  await sim.close();
});

describe('simulator: DeepSeek thinking mode', () => {
  it('thinks by default on V4 ids, before a tool call too, and not when switched off', async () => {
    const thinking = await deepseek().chat.completions.create({ model: 'deepseek-v4-pro', messages: [{ role: 'user', content: 'x' }], tools });
    const message = thinking.choices[0]!.message as OpenAI.ChatCompletionMessage & { reasoning_content?: string };
    expect(message.tool_calls).toHaveLength(1);
    expect(message.reasoning_content).toMatch(/^Simulated reasoning/);
    expect(thinking.usage).toMatchObject({ completion_tokens_details: { reasoning_tokens: expect.any(Number) } });
    const off = await deepseek().chat.completions.create({ model: 'deepseek-v4-pro', messages: [{ role: 'user', content: 'x' }], thinking: { type: 'disabled' } } as never);
    expect((off as OpenAI.ChatCompletion).choices[0]!.message).not.toHaveProperty('reasoning_content');
  });

  it('answers 400 when a tool-calling turn comes back without reasoning_content; an empty one passes', async () => {
    await expect(deepseek().chat.completions.create({ model: 'deepseek-v4-pro', messages: loop({}), tools })).rejects.toMatchObject({
      status: 400,
      error: { message: 'The `reasoning_content` in the thinking mode must be passed back to the API.', type: 'invalid_request_error' },
    });
    await expect(deepseek().chat.completions.create({ model: 'deepseek-v4-pro', messages: loop({ reasoning_content: '' }), tools })).resolves.toBeDefined();
    // Not thinking: DeepSeek does not ask for it.
    await expect(deepseek().chat.completions.create({ model: 'deepseek-chat', messages: loop({}), tools })).resolves.toBeDefined();
    await expect(deepseek().chat.completions.create({ model: 'deepseek-v4-flash', messages: [{ role: 'user', content: 'x' }], logprobs: true })).rejects.toMatchObject({ status: 400 });
  });

  it('bills repeated leading messages as cache hits; hit + miss = prompt_tokens', async () => {
    const system = { role: 'system' as const, content: `A long and unique system prompt ${Math.random()} `.repeat(8) };
    const first = await deepseek().chat.completions.create({ model: 'deepseek-chat', messages: [system, { role: 'user', content: 'one' }] });
    const second = await deepseek().chat.completions.create({ model: 'deepseek-chat', messages: [system, { role: 'user', content: 'one' }, { role: 'assistant', content: 'a' }, { role: 'user', content: 'two' }] });
    const u1 = first.usage as unknown as Record<string, number>;
    const u2 = second.usage as unknown as Record<string, number>;
    expect(u1.prompt_cache_hit_tokens).toBe(0);
    expect(u2.prompt_cache_hit_tokens).toBeGreaterThanOrEqual(Math.floor((system.content.length + 3) / 4));
    expect(u2.prompt_cache_hit_tokens + u2.prompt_cache_miss_tokens).toBe(u2.prompt_tokens);
  });
});
