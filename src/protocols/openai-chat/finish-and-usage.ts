import type { FinishReason } from '../../core/finish-reason.js';
import { count, promptTokensOf, type Usage } from '../../core/token-usage.js';
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
export const fromOpenAIUsage = (usage: unknown): Usage | null => {
  if (!isObject(usage) || typeof usage.prompt_tokens !== 'number') return null;
  const promptDetails = isObject(usage.prompt_tokens_details) ? usage.prompt_tokens_details : {};
  const completionDetails = isObject(usage.completion_tokens_details) ? usage.completion_tokens_details : {};
  const prompt = count(usage.prompt_tokens);
  const cached = Math.min(prompt, count(promptDetails.cached_tokens) || count(usage.prompt_cache_hit_tokens) || count(usage.cached_tokens));
  const output = count(usage.completion_tokens);
  return {
    inputTokens: prompt - cached,
    outputTokens: output,
    cacheReadTokens: cached,
    cacheWriteTokens: 0,
    reasoningTokens: Math.min(output, count(completionDetails.reasoning_tokens)),
  };
};

export const toOpenAIUsage = (usage: Usage) => ({
  prompt_tokens: promptTokensOf(usage),
  completion_tokens: usage.outputTokens,
  total_tokens: promptTokensOf(usage) + usage.outputTokens,
  prompt_tokens_details: { cached_tokens: usage.cacheReadTokens },
  completion_tokens_details: { reasoning_tokens: usage.reasoningTokens },
});
