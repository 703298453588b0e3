import Anthropic from '@anthropic-ai/sdk';
import { GoogleGenAI } from '@google/genai';
import type OpenAI from 'openai';
import { describe, expect, it } from 'vitest';
import { useHarness, type TestProvider } from '../../test-support/gateway-harness.js';

// Vendor rules for Ark (Doubao), Hunyuan, Qianfan v2, SiliconFlow and Ollama, through the
// whole gateway with the simulator as each vendor (src/providers/rules/vendor-rules-table.ts).
// Each rule: what the vendor received, what the client got, and that the simulator's
// vendor mode (src/simulator/vendor-modes) refuses the request the rule rewrites.
const MASTER = 'sk-master-vendor-rules-cn';
const QIANFAN_KEY = 'bce-v3/ALTAK-simKey42/0123456789abcdef';
const providers: TestProvider[] = [
  { name: 'Ark', vendor: 'bytedance', keyEnv: 'ARK_SIM_KEY', key: 'ark-sim-secret-1', models: { language: ['doubao-seed-1-6-250615', 'doubao-1-5-thinking-pro-250415'] } },
  { name: 'Hunyuan', vendor: 'tencent', keyEnv: 'HUNYUAN_SIM_KEY', key: 'hy-sim-secret-2', models: { language: ['hunyuan-t1-latest', 'hunyuan-turbos-latest'] } },
  // The optional Qianfan `appid` header is set with the provider's `headers:` (docs/providers.md).
  { name: 'Qianfan', vendor: 'baidu', keyEnv: 'QIANFAN_SIM_KEY', key: QIANFAN_KEY, extra: '    headers: { appid: "app-qianfan-7" }\n', models: { language: ['ernie-4.5-turbo-128k', 'ernie-x1-turbo-32k'] } },
  { name: 'SiliconFlow', vendor: 'siliconflow', keyEnv: 'SF_SIM_KEY', key: 'sf-sim-secret-3', models: { language: ['Qwen/Qwen3-8B', 'deepseek-ai/DeepSeek-V3'] } },
  { name: 'Ollama', vendor: 'ollama', models: { language: ['qwen3-local'], vision: ['qwen3-local'] }, extra: '    needs_key: false\n' },
];
const PNG_1X1 = 'iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mP8z8BQDwAEhQGAhKmMIQAAAABJRU5ErkJggg==';
const tools: OpenAI.Chat.ChatCompletionTool[] = [{ type: 'function', function: { name: 'get_weather', parameters: { type: 'object', properties: {} } } }];
const messages: OpenAI.Chat.ChatCompletionMessageParam[] = [{ role: 'user', content: 'Hi' }];

const received = () => h.sim.received.at(-1)!.body as Record<string, unknown>;
const anthropic = () => new Anthropic({ baseURL: h.url, apiKey: MASTER, maxRetries: 0, timeout: 15_000 });
const genai = () => new GoogleGenAI({ apiKey: MASTER, httpOptions: { baseUrl: h.url, retryOptions: { attempts: 1 } } });
/** A request straight to the simulator (no gateway, so no rules): what the vendor says to it. */
const direct = async (vendor: string, body: Record<string, unknown>, authorization = 'Bearer sim-direct') => {
  const res = await fetch(`${h.sim.url}/${vendor}/v1/chat/completions`, { method: 'POST', headers: { 'content-type': 'application/json', authorization }, body: JSON.stringify(body) });
  return { status: res.status, body: (await res.json()) as Record<string, unknown> };
};
/** Extra body fields as a client sends them (LangChain's extra_body), outside the SDK's types. */
const extra = <T extends object>(params: T, fields: Record<string, unknown>): T => ({ ...params, ...fields }) as T;

const h = useHarness({ providers, settings: { masterKey: MASTER } });

describe('Ark (Doubao)', () => {
  it('stream_options goes only with stream: true', async () => {
    const completion = await h.client(MASTER).chat.completions.create(extra({ model: 'doubao-seed-1-6-250615', messages }, { stream_options: { include_usage: true } }));
    expect(completion.choices[0]!.message.content).toBe('Simulated reply from doubao-seed-1-6-250615.');
    expect(received()).not.toHaveProperty('stream_options');
    const stream = await h.client(MASTER).chat.completions.create({ model: 'doubao-seed-1-6-250615', messages, stream: true, stream_options: { include_usage: true } });
    let usage = 0;
    for await (const chunk of stream) if (chunk.usage) usage += chunk.usage.total_tokens;
    expect(usage).toBeGreaterThan(0);
    expect(received()).toMatchObject({ stream: true, stream_options: { include_usage: true } });
    const refused = await direct('bytedance', { model: 'doubao-seed-1-6-250615', messages, stream_options: { include_usage: true } });
    expect(refused.status).toBe(400);
    expect(refused.body).toMatchObject({ error: { code: 'InvalidParameter', param: 'stream_options' } });
  });

  it('reasoning_effort and Anthropic thinking become thinking {type}; an always-thinking model gets no switch', async () => {
    await h.client(MASTER).chat.completions.create({ model: 'doubao-seed-1-6-250615', messages, reasoning_effort: 'none' as OpenAI.ReasoningEffort });
    expect(received()).toMatchObject({ thinking: { type: 'disabled' } });
    expect(received()).not.toHaveProperty('reasoning_effort');
    const message = await anthropic().messages.create({ model: 'doubao-seed-1-6-250615', max_tokens: 4096, thinking: { type: 'enabled', budget_tokens: 2048 }, messages: [{ role: 'user', content: 'Think' }] });
    expect(message.content.some((block) => block.type === 'text')).toBe(true);
    expect(received()).toMatchObject({ thinking: { type: 'enabled' } });
    const off = await anthropic().messages.create({ model: 'doubao-seed-1-6-250615', max_tokens: 256, thinking: { type: 'disabled' }, messages: [{ role: 'user', content: 'Quick' }] });
    expect(off.content.length).toBeGreaterThan(0);
    expect(received()).toMatchObject({ thinking: { type: 'disabled' } });

    // Responses reasoning.effort and Gemini thinkingBudget 0 ("off") reach the same switch.
    const response = await h.client(MASTER).responses.create({ model: 'doubao-seed-1-6-250615', input: 'Quick', reasoning: { effort: 'none' } });
    expect(response.output_text).toContain('Simulated reply');
    expect(received()).toMatchObject({ thinking: { type: 'disabled' } });
    const gemini = await genai().models.generateContent({ model: 'doubao-seed-1-6-250615', contents: 'Quick', config: { thinkingConfig: { thinkingBudget: 0 } } });
    expect(gemini.text).toContain('Simulated reply');
    expect(received()).toMatchObject({ thinking: { type: 'disabled' } });

    const fixed = await h.client(MASTER).chat.completions.create(extra({ model: 'doubao-1-5-thinking-pro-250415', messages, reasoning_effort: 'high' as const }, { thinking: { type: 'disabled' } }));
    expect(fixed.choices[0]!.message.content).toContain('Simulated reply');
    expect(received()).not.toHaveProperty('thinking');
    expect(received()).not.toHaveProperty('reasoning_effort');
    const refused = await direct('bytedance', { model: 'doubao-1-5-thinking-pro-250415', messages, thinking: { type: 'disabled' } });
    expect(refused.status).toBe(400);
    expect(refused.body).toMatchObject({ error: { param: 'thinking' } });
  });
});

describe('Hunyuan', () => {
  it('an always-thinking T1 model gets no thinking switch; turbos gets no reasoning setting', async () => {
    const completion = await h.client(MASTER).chat.completions.create(extra({ model: 'hunyuan-t1-latest', messages }, { thinking: { type: 'disabled' } }));
    expect(completion.choices[0]!.message.content).toBe('Simulated reply from hunyuan-t1-latest.');
    expect(received()).not.toHaveProperty('thinking');
    const refused = await direct('tencent', { model: 'hunyuan-t1-latest', messages, thinking: { type: 'disabled' } });
    expect(refused.status).toBe(400);
    expect(refused.body).toMatchObject({ error: { code: 'InvalidParameterValue', param: 'thinking' } });

    await anthropic().messages.create({ model: 'hunyuan-turbos-latest', max_tokens: 4096, thinking: { type: 'enabled', budget_tokens: 2048 }, messages: [{ role: 'user', content: 'Think' }] });
    expect(received()).not.toHaveProperty('thinking');
    expect(received()).not.toHaveProperty('reasoning_effort');
    expect((await direct('tencent', { model: 'hunyuan-turbos-latest', messages, thinking: { type: 'enabled' } })).status).toBe(400);

    // tool_choice "required" is not one of Hunyuan's values: it becomes "auto".
    const called = await h.client(MASTER).chat.completions.create({ model: 'hunyuan-turbos-latest', messages, tools, tool_choice: 'required' });
    expect(called.choices[0]!.message.tool_calls?.[0]).toMatchObject({ function: { name: 'get_weather' } });
    expect(received()).toMatchObject({ tool_choice: 'auto' });
    expect((await direct('tencent', { model: 'hunyuan-turbos-latest', messages, tools, tool_choice: 'required' })).status).toBe(400);
  });
});

describe('Qianfan v2', () => {
  it('sends the bce-v3 key as Bearer and the operator appid header; clamps temperature to (0, 1] and penalty_score to [1, 2]', async () => {
    const completion = await h.client(MASTER).chat.completions.create(extra({ model: 'ernie-4.5-turbo-128k', messages, temperature: 1.6, top_p: 0.5 }, { penalty_score: 3 }));
    expect(completion.choices[0]!.message.content).toBe('Simulated reply from ernie-4.5-turbo-128k.');
    const sent = h.sim.received.at(-1)!;
    expect(sent.headers.authorization).toBe(`Bearer ${QIANFAN_KEY}`);
    expect(sent.headers.appid).toBe('app-qianfan-7');
    expect(sent.body).toMatchObject({ temperature: 1, top_p: 0.5, penalty_score: 2 });
    await h.client(MASTER).chat.completions.create({ model: 'ernie-4.5-turbo-128k', messages, temperature: 0 });
    expect(received().temperature).toBe(0.01);

    const badTemperature = await direct('baidu', { model: 'ernie-4.5-turbo-128k', messages, temperature: 0 }, `Bearer ${QIANFAN_KEY}`);
    expect(badTemperature).toMatchObject({ status: 400, body: { error: { code: 'invalid_argument', param: 'temperature' } } });
    const badKey = await direct('baidu', { model: 'ernie-4.5-turbo-128k', messages }, 'Bearer sk-not-a-qianfan-key');
    expect(badKey).toMatchObject({ status: 401, body: { error: { code: 'invalid_iam_token' } } });
  });

  it('ERNIE X1 always thinks: the client’s reasoning setting is not sent', async () => {
    await h.client(MASTER).chat.completions.create({ model: 'ernie-x1-turbo-32k', messages, reasoning_effort: 'low' });
    expect(received()).not.toHaveProperty('reasoning_effort');
  });
});

describe('SiliconFlow', () => {
  it('hybrid models get enable_thinking / thinking_budget (clamped); others get no switch', async () => {
    await h.client(MASTER).chat.completions.create({ model: 'Qwen/Qwen3-8B', messages, reasoning_effort: 'none' as OpenAI.ReasoningEffort });
    expect(received()).toMatchObject({ enable_thinking: false });
    expect(received()).not.toHaveProperty('reasoning_effort');
    const message = await anthropic().messages.create({ model: 'Qwen/Qwen3-8B', max_tokens: 60_000, thinking: { type: 'enabled', budget_tokens: 50_000 }, messages: [{ role: 'user', content: 'Think' }] });
    expect(message.content.length).toBeGreaterThan(0);
    expect(received()).toMatchObject({ enable_thinking: true, thinking_budget: 32_768 });
    expect((await direct('siliconflow', { model: 'Qwen/Qwen3-8B', messages, enable_thinking: true, thinking_budget: 50_000 })).status).toBe(400);

    const plain = await h.client(MASTER).chat.completions.create(extra({ model: 'deepseek-ai/DeepSeek-V3', messages, reasoning_effort: 'high' as const }, { enable_thinking: true }));
    expect(plain.choices[0]!.message.content).toContain('Simulated reply');
    expect(received()).not.toHaveProperty('enable_thinking');
    expect(received()).not.toHaveProperty('reasoning_effort');
    const refused = await direct('siliconflow', { model: 'deepseek-ai/DeepSeek-V3', messages, enable_thinking: true });
    expect(refused).toMatchObject({ status: 400, body: { code: 20015, data: null } });
  });
});

describe('Ollama', () => {
  it('takes no tool_choice and no n; reasoning_effort passes; images go as base64 data URLs', async () => {
    const completion = await h.client(MASTER).chat.completions.create({ model: 'qwen3-local', messages, tools, tool_choice: 'required', n: 2, reasoning_effort: 'low' });
    expect(completion.choices).toHaveLength(1);
    expect(completion.choices[0]!.message.tool_calls?.[0]).toMatchObject({ function: { name: 'get_weather' } });
    expect(received()).not.toHaveProperty('tool_choice');
    expect(received()).not.toHaveProperty('n');
    expect(received()).toMatchObject({ reasoning_effort: 'low' });
    expect((await direct('ollama', { model: 'qwen3-local', messages, tools, tool_choice: 'auto' })).status).toBe(400);

    await h.client(MASTER).chat.completions.create({ model: 'qwen3-local', messages: [{ role: 'user', content: [{ type: 'image_url', image_url: { url: `data:image/png;base64,${PNG_1X1}` } }, { type: 'text', text: 'What?' }] }] });
    const parts = (received().messages as Array<{ content: Array<{ type: string; image_url?: { url: string } }> }>)[0]!.content;
    expect(parts.find((part) => part.type === 'image_url')!.image_url!.url).toMatch(/^data:image\//);
    const refused = await direct('ollama', { model: 'qwen3-local', messages: [{ role: 'user', content: [{ type: 'image_url', image_url: { url: 'https://example.com/cat.png' } }] }] });
    expect(refused).toMatchObject({ status: 400, body: { error: { message: 'invalid image input' } } });
  });
});
