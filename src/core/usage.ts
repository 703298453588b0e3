/**
 * The gateway's one model of token usage, whatever the vendor or client protocol.
 * The four counts are disjoint, so their sum is what the request consumed and each
 * token is priced exactly once:
 * - `inputTokens`: prompt tokens read at the full input price (cache reads and writes excluded);
 * - `cacheReadTokens`: prompt tokens served from the vendor's prompt cache;
 * - `cacheWriteTokens`: prompt tokens written to the cache (Anthropic-style cache creation);
 * - `outputTokens`: completion tokens, reasoning included;
 * `reasoningTokens` is the part of `outputTokens` spent thinking (informational, never added).
 */
export interface NeutralUsage {
  inputTokens: number;
  cacheReadTokens: number;
  cacheWriteTokens: number;
  outputTokens: number;
  reasoningTokens: number;
}

/** Every token the request consumed (reasoning is inside output already). */
export const totalTokensOf = (usage: NeutralUsage): number =>
  usage.inputTokens + usage.cacheReadTokens + usage.cacheWriteTokens + usage.outputTokens;

/** The same type under the name the protocol codecs use. */
export type Usage = NeutralUsage;

/** Every prompt token, cached or not (OpenAI's prompt_tokens). */
export const promptTokensOf = (usage: NeutralUsage): number => usage.inputTokens + usage.cacheReadTokens + usage.cacheWriteTokens;

export const emptyUsage = (): NeutralUsage => ({ inputTokens: 0, cacheReadTokens: 0, cacheWriteTokens: 0, outputTokens: 0, reasoningTokens: 0 });

/** A finite, non-negative integer count; anything else (missing, NaN, negative, a string) is 0. */
export const count = (value: unknown): number =>
  typeof value === 'number' && value > 0 && Number.isFinite(value) ? Math.round(value) : 0;

/** Usage with only plain input and output known (estimates, embeddings). */
export const plainUsage = (inputTokens: number, outputTokens: number): NeutralUsage => ({
  inputTokens: count(inputTokens),
  cacheReadTokens: 0,
  cacheWriteTokens: 0,
  outputTokens: count(outputTokens),
  reasoningTokens: 0,
});

interface OpenAIUsageShape {
  prompt_tokens?: unknown;
  completion_tokens?: unknown;
  prompt_tokens_details?: { cached_tokens?: unknown } | null;
  completion_tokens_details?: { reasoning_tokens?: unknown } | null;
  /** DeepSeek's own name for the cached part of `prompt_tokens` (same meaning as cached_tokens). */
  prompt_cache_hit_tokens?: unknown;
}

/**
 * OpenAI chat `usage` (and vendors copying it) to the neutral model. `prompt_tokens`
 * includes the cached tokens, so input = prompt − cached, subtracted exactly once and
 * clamped so that a vendor reporting more cached than prompt tokens never yields a
 * negative count; likewise reasoning never exceeds the completion it is part of.
 * `prompt_tokens_details.cached_tokens` wins over DeepSeek's `prompt_cache_hit_tokens`
 * when both are sent (they describe the same tokens; adding them would count twice).
 */
export const neutralUsageFromOpenAI = (usage: OpenAIUsageShape | null | undefined): NeutralUsage => {
  if (!usage) return { inputTokens: 0, cacheReadTokens: 0, cacheWriteTokens: 0, outputTokens: 0, reasoningTokens: 0 };
  const prompt = count(usage.prompt_tokens);
  const output = count(usage.completion_tokens);
  const cachedField = usage.prompt_tokens_details?.cached_tokens ?? usage.prompt_cache_hit_tokens;
  const cacheRead = Math.min(count(cachedField), prompt);
  return {
    inputTokens: prompt - cacheRead,
    cacheReadTokens: cacheRead,
    cacheWriteTokens: 0,
    outputTokens: output,
    reasoningTokens: Math.min(count(usage.completion_tokens_details?.reasoning_tokens), output),
  };
};
