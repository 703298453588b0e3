import Anthropic from '@anthropic-ai/sdk';
import type OpenAI from 'openai';
import { describe, expect, it } from 'vitest';
import { useHarness, type TestProvider } from '../../test-support/gateway-harness.js';

// Vendor rules for OpenAI, xAI, Gemini (OpenAI endpoint and native) and Anthropic (native),
// through the whole gateway with the simulator as each vendor: what the vendor received,
// what the client got, and that the simulator refuses the request the rule rewrites.
const MASTER = 'sk-master-vendor-rules-global';
const providers: TestProvider[] = [
  { name: 'OpenAI', vendor: 'openai', keyEnv: 'OPENAI_SIM_KEY', key: 'sk-openai-sim-1', models: { language: ['o3-mini', 'gpt-5', 'gpt-5.1', 'gpt-4o'] } },
  { name: 'xAI', vendor: 'xai', keyEnv: 'XAI_SIM_KEY', key: 'xai-sim-2', models: { language: ['grok-3-mini', 'grok-4'] } },
  { name: 'GeminiCompat', vendor: 'google', keyEnv: 'GEMINI_COMPAT_KEY', key: 'AIza-compat-3', models: { language: ['gemini-2.5-pro', 'gemini-3-pro-preview'] } },
  {
    name: 'GeminiNative',
    vendor: 'google',
    keyEnv: 'GEMINI_NATIVE_KEY',
    key: 'AIza-native-4',
    extra: '    protocol: gemini\n',
    models: { language: ['gemini-2.5-pro-preview-06-05', 'gemini-3-flash-preview', 'gemini-2.5-flash-lite'] },
  },
  { name: 'ClaudeCompat', vendor: 'anthropic', keyEnv: 'CLAUDE_COMPAT_KEY', key: 'sk-ant-compat-6', extra: '    protocol: openai\n', models: { language: ['claude-haiku-4-5'] } },
  { name: 'Claude', vendor: 'anthropic', keyEnv: 'CLAUDE_SIM_KEY', key: 'sk-ant-sim-5', extra: '    protocol: anthropic\n', models: { language: ['claude-sonnet-4-5'] } },
];
const messages: OpenAI.Chat.ChatCompletionMessageParam[] = [{ role: 'user', content: 'Hi' }];
const tools: OpenAI.Chat.ChatCompletionTool[] = [{ type: 'function', function: { name: 'get_weather', parameters: { type: 'object', properties: {} } } }];
const NONE = 'none' as OpenAI.ReasoningEffort;

const received = () => h.sim.received.at(-1)!.body as Record<string, unknown>;
const generationConfig = () => received().generationConfig as Record<string, unknown> | undefined;
const anthropic = () => new Anthropic({ baseURL: h.url, apiKey: MASTER, maxRetries: 0, timeout: 15_000 });
const chat = (params: OpenAI.Chat.ChatCompletionCreateParamsNonStreaming) => h.client(MASTER).chat.completions.create(params);
/** A request straight to the simulator (no gateway, so no rules). */
const direct = async (path: string, body: Record<string, unknown>, headers: Record<string, string> = { authorization: 'Bearer sim-direct' }) => {
  const res = await fetch(`${h.sim.url}${path}`, { method: 'POST', headers: { 'content-type': 'application/json', ...headers }, body: JSON.stringify(body) });
  return { status: res.status, body: (await res.json()) as Record<string, unknown> };
};
const openaiDirect = (body: Record<string, unknown>) => direct('/openai/v1/chat/completions', { messages, ...body });

const h = useHarness({ providers, settings: { masterKey: MASTER } });

describe('OpenAI reasoning models', () => {
  it('o-series: max_completion_tokens, no sampling parameters, effort levels it takes', async () => {
    const completion = await chat({ model: 'o3-mini', messages, max_tokens: 100, temperature: 0.2, top_p: 0.9, presence_penalty: 0.1, reasoning_effort: 'minimal' });
    expect(completion.choices[0]!.message.content).toBe('Simulated reply from o3-mini.');
    expect(received()).toMatchObject({ max_completion_tokens: 100, reasoning_effort: 'low' });
    for (const param of ['max_tokens', 'temperature', 'top_p', 'presence_penalty']) expect(received()).not.toHaveProperty(param);
    expect(await openaiDirect({ model: 'o3-mini', max_tokens: 100 })).toMatchObject({ status: 400, body: { error: { code: 'unsupported_parameter', param: 'max_tokens' } } });
    expect(await openaiDirect({ model: 'o3-mini', temperature: 0.2 })).toMatchObject({ status: 400, body: { error: { code: 'unsupported_value', param: 'temperature' } } });
    expect(await openaiDirect({ model: 'o3-mini', reasoning_effort: 'minimal' })).toMatchObject({ status: 400, body: { error: { param: 'reasoning_effort' } } });
  });

  it('gpt-5: "none" becomes "minimal"; gpt-5.1: sampling only while reasoning is off, no "minimal"', async () => {
    await chat({ model: 'gpt-5', messages, reasoning_effort: NONE, temperature: 0.7 });
    expect(received()).toMatchObject({ reasoning_effort: 'minimal' });
    expect(received()).not.toHaveProperty('temperature');
    expect((await openaiDirect({ model: 'gpt-5', reasoning_effort: 'none' })).status).toBe(400);

    await chat({ model: 'gpt-5.1', messages, temperature: 0.3, max_tokens: 50 });
    expect(received()).toMatchObject({ temperature: 0.3, max_completion_tokens: 50 });
    await chat({ model: 'gpt-5.1', messages, temperature: 0.3, reasoning_effort: 'high' });
    expect(received()).toMatchObject({ reasoning_effort: 'high' });
    expect(received()).not.toHaveProperty('temperature');
    await chat({ model: 'gpt-5.1', messages, reasoning_effort: 'minimal' });
    expect(received()).toMatchObject({ reasoning_effort: 'low' });
    expect((await openaiDirect({ model: 'gpt-5.1', temperature: 0.3, reasoning_effort: 'high' })).status).toBe(400);
  });

  it('Anthropic clients: thinking becomes reasoning_effort on a reasoning model, nothing on gpt-4o', async () => {
    const message = await anthropic().messages.create({ model: 'gpt-5.1', max_tokens: 4096, thinking: { type: 'enabled', budget_tokens: 2048 }, messages: [{ role: 'user', content: 'Think' }] });
    expect(message.content.some((block) => block.type === 'text')).toBe(true);
    expect(received()).toMatchObject({ reasoning_effort: 'low', max_completion_tokens: 4096 });
    const plain = await anthropic().messages.create({ model: 'gpt-4o', max_tokens: 4096, thinking: { type: 'enabled', budget_tokens: 2048 }, messages: [{ role: 'user', content: 'Think' }] });
    expect(plain.content.length).toBeGreaterThan(0);
    expect(received()).not.toHaveProperty('reasoning_effort');
    expect(await openaiDirect({ model: 'gpt-4o', reasoning_effort: 'low' })).toMatchObject({ status: 400, body: { error: { code: 'unsupported_parameter' } } });
  });
});

describe('xAI', () => {
  it('grok-3-mini takes low/high; grok-4 takes no reasoning_effort; reasoning models take no penalties or stop', async () => {
    await chat({ model: 'grok-3-mini', messages, reasoning_effort: 'medium', presence_penalty: 0.5, stop: ['END'] });
    expect(received()).toMatchObject({ reasoning_effort: 'low' });
    expect(received()).not.toHaveProperty('presence_penalty');
    expect(received()).not.toHaveProperty('stop');
    const completion = await chat({ model: 'grok-4', messages, reasoning_effort: 'high', frequency_penalty: 0.5 });
    expect(completion.choices[0]!.message.content).toBe('Simulated reply from grok-4.');
    expect(received()).not.toHaveProperty('reasoning_effort');
    expect(received()).not.toHaveProperty('frequency_penalty');
    expect((await direct('/xai/v1/chat/completions', { model: 'grok-4', messages, reasoning_effort: 'high' })).status).toBe(400);
    expect((await direct('/xai/v1/chat/completions', { model: 'grok-3-mini', messages, stop: ['END'] })).status).toBe(400);
  });
});

describe('Gemini', () => {
  it('OpenAI endpoint: effort levels per model line', async () => {
    await chat({ model: 'gemini-2.5-pro', messages, reasoning_effort: NONE });
    expect(received()).not.toHaveProperty('reasoning_effort');
    await chat({ model: 'gemini-3-pro-preview', messages, reasoning_effort: 'medium' });
    expect(received()).toMatchObject({ reasoning_effort: 'high' });
  });

  it('native: reasoning becomes thinkingConfig — a budget in the 2.5 model’s range, thinkingLevel on Gemini 3', async () => {
    const completion = await chat({ model: 'gemini-2.5-pro-preview-06-05', messages, reasoning_effort: NONE });
    expect(completion.choices[0]!.message.content).toBe('Simulated reply from gemini-2.5-pro-preview-06-05.');
    // 2.5 Pro cannot stop thinking: the least it takes.
    expect(generationConfig()).toEqual({ thinkingConfig: { thinkingBudget: 128, includeThoughts: false } });
    await chat({ model: 'gemini-2.5-flash-lite', messages, reasoning_effort: 'minimal' });
    expect(generationConfig()).toEqual({ thinkingConfig: { thinkingBudget: 512, includeThoughts: true } });
    const message = await anthropic().messages.create({ model: 'gemini-3-flash-preview', max_tokens: 4096, thinking: { type: 'enabled', budget_tokens: 2048 }, messages: [{ role: 'user', content: 'Think' }] });
    expect(message.content.some((block) => block.type === 'thinking')).toBe(true);
    expect(generationConfig()).toMatchObject({ thinkingConfig: { thinkingLevel: 'medium', includeThoughts: true } });

    const native = (model: string, thinkingConfig: Record<string, unknown>) =>
      direct(`/google/v1beta/models/${model}:generateContent`, { contents: [{ role: 'user', parts: [{ text: 'Hi' }] }], generationConfig: { thinkingConfig } }, { 'x-goog-api-key': 'AIza-direct' });
    expect(await native('gemini-2.5-pro', { thinkingBudget: 0 })).toMatchObject({ status: 400, body: { error: { status: 'INVALID_ARGUMENT' } } });
    expect((await native('gemini-2.5-flash-lite', { thinkingLevel: 'low' })).status).toBe(400);
    expect((await native('gemini-3-pro-preview', { thinkingLevel: 'medium' })).status).toBe(400);
    expect((await native('gemini-3-flash-preview', { thinkingLevel: 'low', thinkingBudget: 1024 })).status).toBe(400);
  });
});

describe('Anthropic (Messages protocol)', () => {
  it('reasoning_effort becomes thinking within max_tokens, without temperature/top_p/forced tools; "none" sends no thinking', async () => {
    const completion = await chat({ model: 'claude-sonnet-4-5', messages, tools, tool_choice: 'required', reasoning_effort: 'high', max_tokens: 4000, temperature: 0.5, top_p: 0.5 });
    expect(completion.choices[0]!.message.tool_calls?.[0]).toMatchObject({ function: { name: 'get_weather' } });
    expect(received()).toMatchObject({ max_tokens: 4000, thinking: { type: 'enabled', budget_tokens: 3999 }, tool_choice: { type: 'auto' } });
    expect(received()).not.toHaveProperty('temperature');
    expect(received()).not.toHaveProperty('top_p');
    await chat({ model: 'claude-sonnet-4-5', messages, reasoning_effort: NONE, temperature: 0.5 });
    expect(received()).not.toHaveProperty('thinking');
    expect(received()).toMatchObject({ temperature: 0.5 });

    const messagesDirect = (body: Record<string, unknown>) =>
      direct('/anthropic/v1/messages', { model: 'claude-sonnet-4-5', max_tokens: 4000, messages: [{ role: 'user', content: 'Hi' }], thinking: { type: 'enabled', budget_tokens: 2048 }, ...body }, { 'x-api-key': 'sk-direct', 'anthropic-version': '2023-06-01' });
    expect(await messagesDirect({ temperature: 0.5 })).toMatchObject({ status: 400, body: { type: 'error', error: { type: 'invalid_request_error' } } });
    expect((await messagesDirect({ max_tokens: 2048 })).status).toBe(400);
    expect((await messagesDirect({ thinking: { type: 'enabled', budget_tokens: 512 } })).status).toBe(400);
    expect((await messagesDirect({ top_p: 0.5 })).status).toBe(400);
    expect((await messagesDirect({ tools: [{ name: 'get_weather', input_schema: { type: 'object' } }], tool_choice: { type: 'any' } })).status).toBe(400);
    expect((await messagesDirect({})).status).toBe(200);
  });
});

describe('Anthropic (OpenAI SDK compatibility endpoint)', () => {
  it('reasoning_effort becomes thinking {budget_tokens} below max_tokens; temperature goes with thinking on; n is not taken', async () => {
    const completion = await chat({ model: 'claude-haiku-4-5', messages, reasoning_effort: 'high', max_tokens: 3000, temperature: 0.5, n: 2 });
    expect(completion.choices).toHaveLength(1);
    expect(h.sim.received.at(-1)!.path).toBe('/anthropic/v1/chat/completions');
    expect(received()).toMatchObject({ max_tokens: 3000, thinking: { type: 'enabled', budget_tokens: 2999 } });
    for (const param of ['temperature', 'n', 'reasoning_effort']) expect(received()).not.toHaveProperty(param);
    await chat({ model: 'claude-haiku-4-5', messages, temperature: 1.5 });
    expect(received()).toMatchObject({ temperature: 1 });
    expect(received()).not.toHaveProperty('thinking');
  });
});
