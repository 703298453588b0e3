/**
 * Token usage in one vendor-neutral shape. `inputTokens` is the whole prompt, cached
 * parts included (OpenAI's `prompt_tokens` semantics); Anthropic reports cache reads and
 * writes next to `input_tokens` instead, and its codec converts both ways. Field names
 * match the usage-accounting helper's `src/core/usage.ts` so the two merge cleanly.
 */
export interface Usage {
  inputTokens: number;
  outputTokens: number;
  /** Prompt tokens served from the vendor's prompt cache (part of inputTokens). */
  cacheReadTokens: number;
  /** Prompt tokens written to the vendor's prompt cache (part of inputTokens). */
  cacheWriteTokens: number;
  /** Output tokens spent on reasoning (part of outputTokens). */
  reasoningTokens: number;
}

export const emptyUsage = (): Usage => ({ inputTokens: 0, outputTokens: 0, cacheReadTokens: 0, cacheWriteTokens: 0, reasoningTokens: 0 });

export const count = (value: unknown): number => (typeof value === 'number' && Number.isFinite(value) && value > 0 ? Math.floor(value) : 0);
