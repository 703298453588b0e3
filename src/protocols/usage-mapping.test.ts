import { readdirSync, readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { costOf } from '../observability/usage-record.js';
import { totalTokensOf, withOpenAIUsageDetails, type NeutralUsage } from '../core/usage.js';
import { moonshotAdapter } from '../providers/moonshot/moonshot-adapter.js';
import { fromAnthropicUsage, toAnthropicUsage } from './anthropic-messages/usage-mapping.js';
import { fromGeminiUsage, toGeminiUsage } from './gemini/finish-and-usage.js';
import { fromOpenAIUsage, normalizeOpenAIAnswerUsage, openAIUsageOf, toOpenAIUsage } from './openai-chat/finish-and-usage.js';
import { fromResponsesUsage } from './openai-responses/egress-decode.js';
import { toResponsesUsage } from './openai-responses/response-object.js';

/**
 * Issue 13 item 3: every vendor's usage shape becomes the same five neutral numbers, and
 * every client protocol gets them back in its own fields. Fixtures: __fixtures__/<vendor>-usage-*.json,
 * each naming the vendor page its shape comes from.
 */
type Mapping = 'openai-chat' | 'openai-chat-answer' | 'anthropic' | 'gemini' | 'responses';
interface Fixture {
  mapping: Mapping;
  usage?: Record<string, unknown>;
  answer?: Record<string, unknown>;
  expected: NeutralUsage;
}

const dir = new URL('./__fixtures__/', import.meta.url);
const fixtures = readdirSync(dir)
  .filter((name) => name.includes('-usage-') && name.endsWith('.json'))
  .map((name) => ({ name, fixture: JSON.parse(readFileSync(new URL(name, dir), 'utf8')) as Fixture }));

const decoders: Record<Exclude<Mapping, 'openai-chat-answer'>, (raw: unknown) => NeutralUsage | null> = {
  'openai-chat': fromOpenAIUsage,
  anthropic: fromAnthropicUsage,
  gemini: fromGeminiUsage,
  responses: fromResponsesUsage,
};

const PRICING = { input: 2, output: 8, cacheRead: 0.5, cacheWrite: 2.5, currency: 'CNY' };

describe('vendor usage shapes → the neutral five numbers', () => {
  it('has a fixture for every vendor family', () => {
    const vendors = fixtures.map((f) => f.name.split('-usage-')[0]).sort();
    expect(vendors).toEqual(['alibaba', 'anthropic', 'baidu', 'bytedance', 'deepseek', 'gemini', 'moonshot', 'openai', 'openai-responses', 'tencent', 'zhipu']);
  });

  it.each(fixtures)('$name', ({ fixture }) => {
    let usage: NeutralUsage | null;
    if (fixture.mapping === 'openai-chat-answer') {
      // A stream chunk: the vendor adapter takes the usage wherever the vendor puts it.
      const chunk = structuredClone(fixture.answer!);
      expect(openAIUsageOf(chunk)).not.toBeNull();
      usage = fromOpenAIUsage(moonshotAdapter.takeChunkUsage(chunk as never));
      expect(JSON.stringify(chunk)).not.toContain('usage');
    } else usage = decoders[fixture.mapping](fixture.usage);
    expect(usage).toEqual(fixture.expected);
    // Priced once per token: each count at its own price.
    const e = fixture.expected;
    expect(costOf(PRICING, usage!)).toBeCloseTo((e.inputTokens * 2 + e.cacheReadTokens * 0.5 + e.cacheWriteTokens * 2.5 + e.outputTokens * 8) / 1e6, 15);
  });
});

describe('the neutral usage in each client protocol', () => {
  const usage: NeutralUsage = { inputTokens: 100, cacheReadTokens: 900, cacheWriteTokens: 50, outputTokens: 300, reasoningTokens: 120 };

  it('OpenAI chat: prompt_tokens counts every prompt token, the details name the cached and reasoning parts', () => {
    expect(toOpenAIUsage(usage)).toEqual({
      prompt_tokens: 1050,
      completion_tokens: 300,
      total_tokens: 1350,
      prompt_tokens_details: { cached_tokens: 900 },
      completion_tokens_details: { reasoning_tokens: 120 },
    });
  });

  it('Anthropic: input_tokens excludes the cache reads and writes, which have their own fields', () => {
    const wire = toAnthropicUsage(usage);
    expect(wire).toEqual({ input_tokens: 100, output_tokens: 300, cache_read_input_tokens: 900, cache_creation_input_tokens: 50 });
    expect(fromAnthropicUsage(wire)).toEqual({ ...usage, reasoningTokens: 0 });
  });

  it('Responses: input_tokens_details and output_tokens_details', () => {
    expect(toResponsesUsage(usage)).toEqual({
      input_tokens: 1050,
      input_tokens_details: { cached_tokens: 900 },
      output_tokens: 300,
      output_tokens_details: { reasoning_tokens: 120 },
      total_tokens: 1350,
    });
  });

  it('Gemini: promptTokenCount includes the cached tokens, thoughts are apart from the candidates', () => {
    const wire = toGeminiUsage(usage);
    expect(wire).toEqual({ promptTokenCount: 1050, cachedContentTokenCount: 900, candidatesTokenCount: 180, thoughtsTokenCount: 120, totalTokenCount: 1350 });
    // Gemini has no cache-write count: written tokens read back as plain input, never lost or doubled.
    expect(fromGeminiUsage(wire)).toEqual({ ...usage, inputTokens: 150, cacheWriteTokens: 0 });
  });
});

describe('OpenAI passthrough usage', () => {
  it('adds OpenAI’s detail fields next to DeepSeek’s and Moonshot’s own, and leaves OpenAI’s answer as it is', () => {
    const deepseek = { prompt_tokens: 100, completion_tokens: 30, total_tokens: 130, prompt_cache_hit_tokens: 64, prompt_cache_miss_tokens: 36, completion_tokens_details: { reasoning_tokens: 20 } };
    expect(withOpenAIUsageDetails(deepseek)).toEqual({ ...deepseek, prompt_tokens_details: { cached_tokens: 64 } });
    const moonshot = { prompt_tokens: 100, completion_tokens: 30, total_tokens: 130, cached_tokens: 80 };
    expect(withOpenAIUsageDetails(moonshot)).toEqual({ ...moonshot, prompt_tokens_details: { cached_tokens: 80 } });
    const openai = { prompt_tokens: 100, completion_tokens: 30, prompt_tokens_details: { cached_tokens: 0 }, completion_tokens_details: { reasoning_tokens: 0 } };
    expect(withOpenAIUsageDetails(openai)).toBeNull();
    expect(withOpenAIUsageDetails({ prompt_tokens: 5, completion_tokens: 1 })).toBeNull();
  });

  it('moves a usage found in the first choice to the top level', () => {
    const answer: Record<string, unknown> = { choices: [{ index: 0, message: {}, usage: { prompt_tokens: 10, completion_tokens: 2, cached_tokens: 4 } }] };
    expect(normalizeOpenAIAnswerUsage(answer)).toBe(true);
    expect(answer).toEqual({ choices: [{ index: 0, message: {} }], usage: { prompt_tokens: 10, completion_tokens: 2, cached_tokens: 4, prompt_tokens_details: { cached_tokens: 4 } } });
    const plain = { choices: [], usage: { prompt_tokens: 10, completion_tokens: 2 } };
    expect(normalizeOpenAIAnswerUsage(plain)).toBe(false);
  });
});

describe('property: every vendor mapping', () => {
  let seed = 0x2545f491;
  const random = () => {
    // xorshift32: deterministic, so a failure is reproducible.
    seed ^= seed << 13;
    seed ^= seed >>> 17;
    seed ^= seed << 5;
    return (seed >>> 0) / 0x1_0000_0000;
  };
  const odd = [undefined, null, 0, -1, -1e9, 2.5, Number.NaN, Number.POSITIVE_INFINITY, '7', {}];
  const field = (max: number): unknown => (random() < 0.75 ? Math.floor(random() * max) : odd[Math.floor(random() * odd.length)]);
  const maybe = (max: number): unknown => (random() < 0.5 ? field(max) : undefined);
  const valid = (n: unknown): number => (typeof n === 'number' && Number.isFinite(n) && n > 0 ? Math.round(n) : 0);

  /** Each mapping: a random vendor body, and the prompt and output totals the vendor meant. */
  const cases: Record<string, () => { raw: Record<string, unknown>; usage: NeutralUsage | null; prompt: number; output: number }> = {
    'openai-chat (OpenAI, DeepSeek, Moonshot, Zhipu, Qwen, Doubao, Hunyuan, Qianfan)': () => {
      const raw = {
        prompt_tokens: random() < 0.95 ? Math.floor(random() * 100_000) : field(100_000),
        completion_tokens: field(50_000),
        prompt_tokens_details: random() < 0.7 ? { cached_tokens: maybe(120_000), cache_creation_input_tokens: maybe(120_000) } : random() < 0.5 ? null : undefined,
        completion_tokens_details: random() < 0.7 ? { reasoning_tokens: field(60_000) } : undefined,
        cached_tokens: maybe(120_000),
        prompt_cache_hit_tokens: maybe(120_000),
        prompt_cache_miss_tokens: maybe(120_000),
      };
      return { raw, usage: fromOpenAIUsage(raw), prompt: valid(raw.prompt_tokens), output: valid(raw.completion_tokens) };
    },
    anthropic: () => {
      const raw = { input_tokens: field(100_000), cache_read_input_tokens: maybe(100_000), cache_creation_input_tokens: maybe(100_000), output_tokens: field(50_000) };
      const prompt = valid(raw.input_tokens) + valid(raw.cache_read_input_tokens) + valid(raw.cache_creation_input_tokens);
      return { raw, usage: fromAnthropicUsage(raw), prompt, output: valid(raw.output_tokens) };
    },
    gemini: () => {
      const raw = { promptTokenCount: field(100_000), cachedContentTokenCount: maybe(120_000), candidatesTokenCount: field(50_000), thoughtsTokenCount: maybe(50_000), toolUsePromptTokenCount: maybe(1000) };
      return { raw, usage: fromGeminiUsage(raw), prompt: valid(raw.promptTokenCount) + valid(raw.toolUsePromptTokenCount), output: valid(raw.candidatesTokenCount) + valid(raw.thoughtsTokenCount) };
    },
    responses: () => {
      const raw = { input_tokens: field(100_000), input_tokens_details: random() < 0.7 ? { cached_tokens: field(120_000) } : null, output_tokens: field(50_000), output_tokens_details: random() < 0.7 ? { reasoning_tokens: field(60_000) } : undefined };
      return { raw, usage: fromResponsesUsage(raw), prompt: valid(raw.input_tokens), output: valid(raw.output_tokens) };
    },
  };

  it.each(Object.keys(cases))('%s: never negative, fractional or counted twice (prompt = input + cache read + cache write)', (name) => {
    for (let i = 0; i < 5_000; i += 1) {
      const { raw, usage, prompt, output } = cases[name]!();
      if (usage === null) continue; // no usage object at all (the request is then estimated)
      const ok =
        Object.values(usage).every((value) => Number.isInteger(value) && value >= 0) &&
        usage.inputTokens + usage.cacheReadTokens + usage.cacheWriteTokens === prompt &&
        usage.outputTokens === output &&
        usage.reasoningTokens <= usage.outputTokens &&
        totalTokensOf(usage) === prompt + output &&
        costOf(PRICING, usage) >= 0;
      // One assertion per failing case keeps the loop fast.
      if (!ok) expect({ raw, usage, prompt, output }).toBe('a valid split');
    }
  });
});
