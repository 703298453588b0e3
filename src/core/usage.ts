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
  prompt_tokens_details?: {
    cached_tokens?: unknown;
    /** Alibaba DashScope explicit cache: prompt tokens written to the cache (inside prompt_tokens). */
    cache_creation_input_tokens?: unknown;
  } | null;
  completion_tokens_details?: { reasoning_tokens?: unknown } | null;
  /** Moonshot's context cache and Qianfan's prompt cache: cached prompt tokens at the top of `usage`. */
  cached_tokens?: unknown;
  /** DeepSeek's own name for the cached part of `prompt_tokens` (same meaning as cached_tokens). */
  prompt_cache_hit_tokens?: unknown;
}

const detailsOf = <T extends object>(value: T | null | undefined): Partial<T> => (value !== null && typeof value === 'object' ? value : {});

/**
 * OpenAI chat `usage` (and every vendor copying it) to the neutral model. `prompt_tokens`
 * includes the cached tokens, so input = prompt − cache read − cache write, each taken
 * out exactly once and clamped so that a vendor reporting more cached than prompt tokens
 * never yields a negative count; likewise reasoning never exceeds the completion it is
 * part of. The cached part has three names that describe the same tokens —
 * `prompt_tokens_details.cached_tokens` (OpenAI, Zhipu, Qwen, Doubao, Hunyuan, Qianfan,
 * Kimi K2), a top-level `cached_tokens` (Moonshot's context cache, Qianfan) and DeepSeek's
 * `prompt_cache_hit_tokens` — so the largest is taken, never their sum.
 */
export const neutralUsageFromOpenAI = (usage: OpenAIUsageShape | null | undefined): NeutralUsage => {
  if (!usage) return emptyUsage();
  const prompt = count(usage.prompt_tokens);
  const output = count(usage.completion_tokens);
  const details = detailsOf(usage.prompt_tokens_details);
  const cacheRead = Math.min(Math.max(count(details.cached_tokens), count(usage.cached_tokens), count(usage.prompt_cache_hit_tokens)), prompt);
  const cacheWrite = Math.min(count(details.cache_creation_input_tokens), prompt - cacheRead);
  return {
    inputTokens: prompt - cacheRead - cacheWrite,
    cacheReadTokens: cacheRead,
    cacheWriteTokens: cacheWrite,
    outputTokens: output,
    reasoningTokens: Math.min(count(detailsOf(usage.completion_tokens_details).reasoning_tokens), output),
  };
};

/**
 * A vendor's OpenAI-format `usage` as an OpenAI client reads it: the vendor's own fields
 * stay (a client written for DeepSeek still finds `prompt_cache_hit_tokens`), and OpenAI's
 * `prompt_tokens_details.cached_tokens` / `completion_tokens_details.reasoning_tokens` are
 * added when the vendor put those numbers elsewhere (DeepSeek's hit tokens, Moonshot's
 * top-level `cached_tokens`). Returns null when nothing needs adding, so the common
 * answer passes through byte for byte.
 */
export const withOpenAIUsageDetails = (usage: Record<string, unknown>): Record<string, unknown> | null => {
  const neutral = neutralUsageFromOpenAI(usage);
  const prompt = detailsOf(usage.prompt_tokens_details as Record<string, unknown> | null);
  const completion = detailsOf(usage.completion_tokens_details as Record<string, unknown> | null);
  const addCached = neutral.cacheReadTokens > 0 && prompt.cached_tokens === undefined;
  const addReasoning = neutral.reasoningTokens > 0 && completion.reasoning_tokens === undefined;
  if (!addCached && !addReasoning) return null;
  return {
    ...usage,
    ...(addCached ? { prompt_tokens_details: { ...prompt, cached_tokens: neutral.cacheReadTokens } } : {}),
    ...(addReasoning ? { completion_tokens_details: { ...completion, reasoning_tokens: neutral.reasoningTokens } } : {}),
  };
};
