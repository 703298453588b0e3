import type { FinishReason } from '../../core/finish-reason.js';
import { neutralUsageFromOpenAI, promptTokensOf, withOpenAIUsageDetails, type Usage } from '../../core/usage.js';
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
 * OpenAI usage (and the vendor variants: DeepSeek's prompt_cache_hit_tokens, Moonshot's
 * cached_tokens, DashScope's cache_creation_input_tokens) → neutral, through the core's
 * one converter; null when there is none.
 */
export const fromOpenAIUsage = (usage: unknown): Usage | null =>
  isObject(usage) && typeof usage.prompt_tokens === 'number' ? neutralUsageFromOpenAI(usage) : null;

/**
 * The raw `usage` of a `chat.completion`: at the top level as OpenAI puts it, or inside
 * the first choice where Moonshot puts it in streams (read there too, should a
 * non-stream answer do the same). Null when neither holds a usage object.
 */
export const openAIUsageOf = (json: Record<string, unknown>): Record<string, unknown> | null => {
  if (isObject(json.usage) && typeof json.usage.prompt_tokens === 'number') return json.usage;
  const choice = Array.isArray(json.choices) ? (json.choices[0] as unknown) : undefined;
  const inChoice = isObject(choice) ? choice.usage : undefined;
  return isObject(inChoice) && typeof inChoice.prompt_tokens === 'number' ? inChoice : null;
};

export const toOpenAIUsage = (usage: Usage) => ({
  prompt_tokens: promptTokensOf(usage),
  completion_tokens: usage.outputTokens,
  total_tokens: promptTokensOf(usage) + usage.outputTokens,
  prompt_tokens_details: { cached_tokens: usage.cacheReadTokens },
  completion_tokens_details: { reasoning_tokens: usage.reasoningTokens },
});

/**
 * A passed-through `chat.completion` made readable by any OpenAI client: usage found in
 * the first choice moves to the top level, and OpenAI's cache and reasoning detail fields
 * are added when the vendor used its own (see `withOpenAIUsageDetails`). Returns whether
 * `json` changed (it must then be serialized again); the common answer is left untouched.
 */
export const normalizeOpenAIAnswerUsage = (json: Record<string, unknown>): boolean => {
  const usage = openAIUsageOf(json);
  if (!usage) return false;
  const hoisted = usage !== json.usage;
  if (hoisted) {
    const choice = (json.choices as Array<Record<string, unknown>>)[0]!;
    delete choice.usage;
  }
  const detailed = withOpenAIUsageDetails(usage);
  if (!hoisted && !detailed) return false;
  json.usage = detailed ?? usage;
  return true;
};
