import type { FinishReason } from '../../core/finish-reason.js';
import { neutralUsageFromOpenAI, promptTokensOf, type Usage } from '../../core/usage.js';
import { isObject } from '../request-checks.js';

export const fromOpenAIFinishReason = (reason: unknown): FinishReason => {
  switch (reason) {
    case 'stop':
      return 'stop';
    case 'length':
      return 'length';
    case 'tool_calls':
    case 'function_call':
      return 'tool-calls';
    case 'content_filter':
    case 'sensitive': // Zhipu
      return 'content-filter';
    default:
      return 'other';
  }
};

export const toOpenAIFinishReason = (reason: FinishReason): string => {
  switch (reason) {
    case 'length':
      return 'length';
    case 'tool-calls':
      return 'tool_calls';
    case 'content-filter':
    case 'refusal':
      return 'content_filter';
    default:
      return 'stop';
  }
};

/**
 * OpenAI usage (and the common vendor variants: DeepSeek's prompt_cache_hit_tokens,
 * Moonshot's cached_tokens) → neutral. prompt_tokens includes the cached tokens, which
 * are taken out once (clamped, in case a vendor reports more cached than prompt).
 */
/** OpenAI `usage` to the neutral form (the core's one converter); null when there is none. */
export const fromOpenAIUsage = (usage: unknown): Usage | null =>
  isObject(usage) && typeof usage.prompt_tokens === 'number' ? neutralUsageFromOpenAI(usage) : null;

export const toOpenAIUsage = (usage: Usage) => ({
  prompt_tokens: promptTokensOf(usage),
  completion_tokens: usage.outputTokens,
  total_tokens: promptTokensOf(usage) + usage.outputTokens,
  prompt_tokens_details: { cached_tokens: usage.cacheReadTokens },
  completion_tokens_details: { reasoning_tokens: usage.reasoningTokens },
});
