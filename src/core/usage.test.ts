import { describe, expect, it } from 'vitest';
import { neutralUsageFromOpenAI, plainUsage, totalTokensOf, type NeutralUsage } from './usage.js';

describe('neutralUsageFromOpenAI', () => {
  it('takes cached prompt tokens out of input exactly once and keeps reasoning inside output', () => {
    // Shape from OpenAI's chat completions reference (usage object with *_details).
    const usage = neutralUsageFromOpenAI({
      prompt_tokens: 2006,
      completion_tokens: 300,
      total_tokens: 2306,
      prompt_tokens_details: { cached_tokens: 1920, audio_tokens: 0 },
      completion_tokens_details: { reasoning_tokens: 192, audio_tokens: 0 },
    } as never);
    expect(usage).toEqual({ inputTokens: 86, cacheReadTokens: 1920, cacheWriteTokens: 0, outputTokens: 300, reasoningTokens: 192 });
    expect(totalTokensOf(usage)).toBe(2306);
  });

  it('reads DeepSeek prompt_cache_hit_tokens, and never adds it to cached_tokens', () => {
    // DeepSeek's usage: prompt_tokens = prompt_cache_hit_tokens + prompt_cache_miss_tokens.
    const deepseek = { prompt_tokens: 100, completion_tokens: 10, prompt_cache_hit_tokens: 64, prompt_cache_miss_tokens: 36 };
    expect(neutralUsageFromOpenAI(deepseek)).toMatchObject({ inputTokens: 36, cacheReadTokens: 64 });
    const both = { ...deepseek, prompt_tokens_details: { cached_tokens: 64 } };
    expect(neutralUsageFromOpenAI(both)).toMatchObject({ inputTokens: 36, cacheReadTokens: 64 });
  });

  it('clamps impossible vendor numbers instead of going negative', () => {
    expect(
      neutralUsageFromOpenAI({
        prompt_tokens: 10,
        completion_tokens: 5,
        prompt_tokens_details: { cached_tokens: 50 },
        completion_tokens_details: { reasoning_tokens: 9 },
      }),
    ).toEqual({ inputTokens: 0, cacheReadTokens: 10, cacheWriteTokens: 0, outputTokens: 5, reasoningTokens: 5 });
    expect(neutralUsageFromOpenAI({ prompt_tokens: -3, completion_tokens: Number.NaN, prompt_tokens_details: null })).toEqual(plainUsage(0, 0));
    expect(neutralUsageFromOpenAI({ prompt_tokens: '12' as never, completion_tokens: 2 })).toEqual(plainUsage(0, 2));
    expect(neutralUsageFromOpenAI(null)).toEqual(plainUsage(0, 0));
  });

  it('property: no combination of fields gives a negative, fractional or double-counted token', () => {
    let seed = 0x9e3779b9;
    const random = () => {
      // xorshift32: fast, deterministic, so a failure is reproducible.
      seed ^= seed << 13;
      seed ^= seed >>> 17;
      seed ^= seed << 5;
      return (seed >>> 0) / 0x1_0000_0000;
    };
    const values = [undefined, null, 0, -1, -1e9, 1.5, Number.NaN, Number.POSITIVE_INFINITY, '7', {}];
    const field = (max: number): unknown => (random() < 0.75 ? Math.floor(random() * max) : values[Math.floor(random() * values.length)]);
    const valid = (n: unknown): number => (typeof n === 'number' && Number.isFinite(n) && n > 0 ? Math.round(n) : 0);
    for (let i = 0; i < 20_000; i += 1) {
      const raw = {
        prompt_tokens: field(100_000),
        completion_tokens: field(50_000),
        prompt_tokens_details: random() < 0.7 ? { cached_tokens: field(120_000) } : (random() < 0.5 ? null : undefined),
        completion_tokens_details: random() < 0.7 ? { reasoning_tokens: field(60_000) } : undefined,
        prompt_cache_hit_tokens: random() < 0.3 ? field(120_000) : undefined,
      };
      const usage: NeutralUsage = neutralUsageFromOpenAI(raw as never);
      const prompt = valid(raw.prompt_tokens);
      const completion = valid(raw.completion_tokens);
      const ok =
        Object.values(usage).every((value) => Number.isInteger(value) && value >= 0) &&
        // Prompt tokens are split, not duplicated: input + cache read is the prompt, exactly.
        usage.inputTokens + usage.cacheReadTokens + usage.cacheWriteTokens === prompt &&
        usage.outputTokens === completion &&
        usage.reasoningTokens <= usage.outputTokens &&
        totalTokensOf(usage) === prompt + completion;
      // One assertion per failing case (not per field) keeps 20,000 cases fast.
      if (!ok) expect({ raw, usage }).toBe('a valid split');
    }
  });
});
