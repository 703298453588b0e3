import Anthropic from '@anthropic-ai/sdk';
import { GoogleGenAI } from '@google/genai';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { UsageRecord } from '../../observability/usage-record.js';
import { startHarness, type Harness, type TestProvider } from '../../test-support/gateway-harness.js';

/**
 * Issue 13 item 3 end to end: each vendor's own usage shape (the simulator answers in it,
 * src/simulator/vendor-usage.ts) lands on the usage row as the same five numbers, priced
 * with the model's cache prices, and an OpenAI client reads the cached and reasoning
 * counts in OpenAI's fields whatever the vendor called them — passthrough and translated,
 * JSON and stream.
 */
const MASTER = 'sk-master-usage-vendors';
let h: Harness;
const rows: UsageRecord[] = [];

interface VendorCase {
  vendor: string;
  provider: TestProvider;
  model: string;
  /** The cached prompt tokens the simulator reports (and written ones, where the vendor reports writes). */
  cached: number;
  written?: number;
  /** Whether the vendor reports reasoning tokens for this model. */
  reasons?: boolean;
}

const provider = (name: string, vendor: string, model: string, extra?: string): TestProvider => ({
  name,
  vendor,
  keyEnv: `${name.toUpperCase()}_USAGE_KEY`,
  // Qianfan v2 takes only its console API Key shape (the simulator refuses others with 401).
  key: vendor === 'baidu' ? 'bce-v3/ALTAK-usage42/0123456789abcdef' : `sk-${name.toLowerCase()}-usage-secret`,
  models: { language: [model] },
  ...(extra ? { extra } : {}),
});

const CASES: VendorCase[] = [
  { vendor: 'openai (prompt_tokens_details)', provider: provider('OpenAI', 'openai', 'gpt-usage'), model: 'gpt-usage', cached: 32 },
  { vendor: 'deepseek (prompt_cache_hit_tokens)', provider: provider('DeepSeek', 'deepseek', 'deepseek-reasoner'), model: 'deepseek-reasoner', cached: 24, reasons: true },
  { vendor: 'moonshot (cached_tokens, in choices[0] when streamed)', provider: provider('Moonshot', 'moonshot', 'kimi-usage'), model: 'kimi-usage', cached: 40 },
  { vendor: 'zhipu (prompt_tokens_details, usage on the finish chunk)', provider: provider('Zhipu', 'zhipu', 'glm-usage'), model: 'glm-usage', cached: 16 },
  { vendor: 'alibaba (cached_tokens + cache_creation_input_tokens)', provider: provider('Qwen', 'alibaba', 'qwen-usage'), model: 'qwen-usage', cached: 20, written: 12 },
  { vendor: 'bytedance (prompt_tokens_details)', provider: provider('Doubao', 'bytedance', 'doubao-usage'), model: 'doubao-usage', cached: 8 },
  { vendor: 'tencent (prompt_tokens_details, usage unasked)', provider: provider('Hunyuan', 'tencent', 'hunyuan-usage'), model: 'hunyuan-usage', cached: 30 },
  { vendor: 'baidu (prompt_tokens_details)', provider: provider('Qianfan', 'baidu', 'ernie-usage'), model: 'ernie-usage', cached: 28 },
  { vendor: 'anthropic (cache_read/cache_creation apart from input)', provider: provider('Claude', 'anthropic', 'claude-usage', '    protocol: anthropic\n'), model: 'claude-usage', cached: 36, written: 10 },
  { vendor: 'gemini (cachedContentTokenCount inside promptTokenCount)', provider: provider('Gemini', 'google', 'gemini-usage', '    protocol: gemini\n'), model: 'gemini-usage', cached: 44 },
  { vendor: 'responses (input_tokens_details)', provider: provider('Resp', 'openai', 'resp-usage', '    protocol: openai-responses\n'), model: 'resp-usage', cached: 12 },
];

// Per token: plain input 1, cache read 0.1, cache write 1.25, output 4 (prices per 1M tokens).
const PRICING = { input: 1_000_000, output: 4_000_000, cache_read: 100_000, cache_write: 1_250_000 };
const currencyOf = (index: number) => (index % 2 === 0 ? 'USD' : 'CNY');

const waitForRows = async (count: number) => {
  for (let i = 0; i < 150 && rows.length < count; i += 1) await new Promise((resolve) => setTimeout(resolve, 20));
  return rows;
};
// About 60 prompt tokens, more than any case's cached + written count.
const PROMPT = 'Count my tokens, cached and not: '.repeat(7);

beforeAll(async () => {
  h = await startHarness({
    providers: CASES.map((c) => c.provider),
    settings: { masterKey: MASTER },
    build: { usage: { record: (row: UsageRecord) => void rows.push(row) } },
  });
  await h.gateway.state.change({ actor: 'test', action: 'model.update', target: 'pricing' }, (draft) => {
    CASES.forEach((c, index) => draft.set('model', `${c.provider.name}/${c.model}`, { pricing: { ...PRICING, currency: currencyOf(index) } }));
  });
});
afterAll(async () => {
  await h?.close();
});
beforeEach(() => {
  h.sim.clear();
  h.sim.clearRules();
  rows.length = 0;
});

describe.each([false, true])('stream: %s', (stream) => {
  it.each(CASES.map((c, index) => ({ ...c, index })))('$vendor', async ({ model, cached, written = 0, reasons, index }) => {
    h.sim.addRule({ behavior: { cachedPromptTokens: cached, ...(written ? { cacheWritePromptTokens: written } : {}) } });
    const client = h.client(MASTER);
    const messages = [{ role: 'user' as const, content: PROMPT }];
    let usage;
    if (stream) {
      const chunks = await client.chat.completions.create({ model, messages, stream: true, stream_options: { include_usage: true } });
      for await (const chunk of chunks) if (chunk.usage) usage = chunk.usage;
    } else usage = (await client.chat.completions.create({ model, messages })).usage;

    // What the OpenAI client reads: every prompt token in prompt_tokens, the cached part in OpenAI's field.
    expect(usage).toBeDefined();
    expect(usage!.prompt_tokens).toBeGreaterThan(cached + written);
    expect(usage!.prompt_tokens_details?.cached_tokens).toBe(cached);
    const reasoning = usage!.completion_tokens_details?.reasoning_tokens ?? 0;
    if (reasons) expect(reasoning).toBeGreaterThan(0);
    else expect(reasoning).toBe(0);

    // The row: the same five numbers, disjoint, priced once each in the model's currency.
    const [row] = await waitForRows(1);
    expect(row!.cacheReadTokens).toBe(cached);
    expect(row!.cacheWriteTokens).toBe(written);
    expect(row!.promptTokens).toBe(usage!.prompt_tokens - cached - written);
    expect(row!.completionTokens).toBe(usage!.completion_tokens);
    expect(row!.reasoningTokens).toBe(reasoning);
    expect(row!.totalTokens).toBe(usage!.total_tokens);
    expect(row!.tokensEstimated).toBe(false);
    expect(row!.currency).toBe(currencyOf(index));
    expect(row!.cost).toBeCloseTo(row!.promptTokens + cached * 0.1 + written * 1.25 + row!.completionTokens * 4, 9);
  });
});

/**
 * Each client protocol gets the same numbers in its own fields, read by its official SDK:
 * Anthropic `cache_read_input_tokens` / `cache_creation_input_tokens` (apart from
 * input_tokens), Responses `input_tokens_details` / `output_tokens_details`, Gemini
 * `usageMetadata.cachedContentTokenCount` / `thoughtsTokenCount` (inside promptTokenCount).
 */
describe('usage in the client’s own protocol', () => {
  const anthropic = () => new Anthropic({ baseURL: h.url, apiKey: MASTER, maxRetries: 0, timeout: 15_000 });
  const genai = () => new GoogleGenAI({ apiKey: MASTER, httpOptions: { baseUrl: h.url, retryOptions: { attempts: 1 } } });
  const cacheRule = (cached: number, written = 0) => h.sim.addRule({ behavior: { cachedPromptTokens: cached, ...(written ? { cacheWritePromptTokens: written } : {}) } });

  it.each([
    { via: 'translated from DeepSeek', model: 'deepseek-reasoner', cached: 24, written: 0 },
    { via: 'translated from Qwen’s explicit cache', model: 'qwen-usage', cached: 20, written: 12 },
    { via: 'passed through from Claude', model: 'claude-usage', cached: 36, written: 10 },
  ])('Anthropic SDK, $via: JSON and stream', async ({ model, cached, written }) => {
    for (const stream of [false, true]) {
      rows.length = 0;
      cacheRule(cached, written);
      const body = { model, max_tokens: 200, messages: [{ role: 'user' as const, content: PROMPT }] };
      const message = stream ? await anthropic().messages.stream(body).finalMessage() : await anthropic().messages.create(body);
      h.sim.clearRules();
      expect(message.usage.cache_read_input_tokens).toBe(cached);
      expect(message.usage.cache_creation_input_tokens).toBe(written);
      const [row] = await waitForRows(1);
      expect(message.usage.input_tokens).toBe(row!.promptTokens);
      expect(message.usage.output_tokens).toBe(row!.completionTokens);
      expect(row!.cacheReadTokens).toBe(cached);
      expect(row!.cacheWriteTokens).toBe(written);
    }
  });

  it('Responses (openai SDK): cached and reasoning tokens in the details, JSON and stream', async () => {
    cacheRule(24);
    const response = await h.client(MASTER).responses.create({ model: 'deepseek-reasoner', input: PROMPT, store: false });
    const [row] = await waitForRows(1);
    expect(response.usage!.input_tokens_details.cached_tokens).toBe(24);
    expect(response.usage!.input_tokens).toBe(row!.promptTokens + 24);
    expect(response.usage!.output_tokens_details.reasoning_tokens).toBe(row!.reasoningTokens);
    expect(row!.reasoningTokens).toBeGreaterThan(0);

    rows.length = 0;
    const events = await h.client(MASTER).responses.create({ model: 'deepseek-reasoner', input: PROMPT, store: false, stream: true });
    let completed;
    for await (const event of events) if (event.type === 'response.completed') completed = event.response;
    const [streamed] = await waitForRows(1);
    expect(completed!.usage!.input_tokens_details.cached_tokens).toBe(24);
    expect(completed!.usage!.output_tokens_details.reasoning_tokens).toBe(streamed!.reasoningTokens);
    expect(completed!.usage!.total_tokens).toBe(streamed!.totalTokens);
  });

  it('Gemini (@google/genai): cachedContentTokenCount inside promptTokenCount, thoughtsTokenCount apart from candidates', async () => {
    cacheRule(24);
    const contents = [{ role: 'user', parts: [{ text: PROMPT }] }];
    const answer = await genai().models.generateContent({ model: 'deepseek-reasoner', contents });
    const [row] = await waitForRows(1);
    const meta = answer.usageMetadata!;
    expect(meta.cachedContentTokenCount).toBe(24);
    expect(meta.promptTokenCount).toBe(row!.promptTokens + 24);
    expect(row!.reasoningTokens).toBeGreaterThan(0);
    expect(meta.thoughtsTokenCount).toBe(row!.reasoningTokens);
    expect(meta.candidatesTokenCount).toBe(row!.completionTokens - (row!.reasoningTokens ?? 0));
    expect(meta.totalTokenCount).toBe(row!.totalTokens);

    rows.length = 0;
    let last;
    for await (const chunk of await genai().models.generateContentStream({ model: 'deepseek-reasoner', contents })) if (chunk.usageMetadata) last = chunk.usageMetadata;
    const [streamed] = await waitForRows(1);
    expect(last!.cachedContentTokenCount).toBe(24);
    expect(last!.thoughtsTokenCount).toBe(streamed!.reasoningTokens);
    expect(last!.totalTokenCount).toBe(streamed!.totalTokens);
  });
});
