/**
 * Token usage in one vendor-neutral shape, the same model as the usage-accounting
 * `NeutralUsage` (src/core/usage.ts): the four counts are disjoint, so each token is
 * priced once. `inputTokens` is the prompt at full price (cache reads and writes
 * excluded, Anthropic's `input_tokens` semantics); OpenAI's `prompt_tokens` is the sum
 * of the three input counts, and its codec converts both ways.
 */
export interface Usage {
  inputTokens: number;
  outputTokens: number;
  /** Prompt tokens served from the vendor's prompt cache. */
  cacheReadTokens: number;
  /** Prompt tokens written to the vendor's prompt cache. */
  cacheWriteTokens: number;
  /** Output tokens spent on reasoning (part of outputTokens, never added). */
  reasoningTokens: number;
}

export type NeutralUsage = Usage;

/** Every prompt token, cached or not (OpenAI's prompt_tokens). */
export const promptTokensOf = (usage: Usage): number => usage.inputTokens + usage.cacheReadTokens + usage.cacheWriteTokens;

export const emptyUsage = (): Usage => ({ inputTokens: 0, outputTokens: 0, cacheReadTokens: 0, cacheWriteTokens: 0, reasoningTokens: 0 });

export const count = (value: unknown): number => (typeof value === 'number' && Number.isFinite(value) && value > 0 ? Math.floor(value) : 0);
