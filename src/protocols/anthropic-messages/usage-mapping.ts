import { count, type Usage } from '../../core/usage.js';

/**
 * Anthropic counts cache reads and writes apart from `input_tokens`
 * (https://docs.anthropic.com/en/docs/build-with-claude/prompt-caching#tracking-cache-performance);
 * so does the neutral form.
 */
export const fromAnthropicUsage = (usage: unknown): Usage => {
  const u = (usage ?? {}) as Record<string, unknown>;
  const cacheRead = count(u.cache_read_input_tokens);
  const cacheWrite = count(u.cache_creation_input_tokens);
  return {
    inputTokens: count(u.input_tokens),
    outputTokens: count(u.output_tokens),
    cacheReadTokens: cacheRead,
    cacheWriteTokens: cacheWrite,
    reasoningTokens: 0,
  };
};

export const toAnthropicUsage = (usage: Usage | null | undefined) => ({
  input_tokens: usage?.inputTokens ?? 0,
  output_tokens: usage?.outputTokens ?? 0,
  cache_creation_input_tokens: usage?.cacheWriteTokens ?? 0,
  cache_read_input_tokens: usage?.cacheReadTokens ?? 0,
});
