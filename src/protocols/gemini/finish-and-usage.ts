import type { FinishReason } from '../../core/finish-reason.js';
import { count, type Usage } from '../../core/usage.js';
import { isObject } from '../request-checks.js';

/**
 * Gemini `finishReason` and `usageMetadata`
 * (https://ai.google.dev/api/generate-content#FinishReason, #UsageMetadata).
 */
export const fromGeminiFinishReason = (reason: unknown, sawToolCall: boolean): FinishReason => {
  switch (reason) {
    case 'STOP':
      // Gemini says STOP after function calls too; the neutral form names the difference.
      return sawToolCall ? 'tool-calls' : 'stop';
    case 'MAX_TOKENS':
      return 'length';
    case 'SAFETY':
    case 'RECITATION':
    case 'BLOCKLIST':
    case 'PROHIBITED_CONTENT':
    case 'SPII':
    case 'IMAGE_SAFETY':
      return 'content-filter';
    case 'MALFORMED_FUNCTION_CALL':
    case 'UNEXPECTED_TOOL_CALL':
      return 'error';
    case undefined:
    case null:
      return sawToolCall ? 'tool-calls' : 'stop';
    default:
      // LANGUAGE, OTHER, FINISH_REASON_UNSPECIFIED and reasons added later.
      return 'other';
  }
};

export const toGeminiFinishReason = (reason: FinishReason): string => {
  switch (reason) {
    case 'length':
      return 'MAX_TOKENS';
    case 'content-filter':
    case 'refusal':
      return 'SAFETY';
    case 'error':
    case 'other':
      return 'OTHER';
    default:
      return 'STOP';
  }
};

/**
 * `promptTokenCount` includes the cached tokens and `candidatesTokenCount` excludes the
 * thoughts: neutral input is the uncached prompt (plus tool-use prompt tokens), output
 * is candidates + thoughts, so every token is priced once.
 */
export const fromGeminiUsage = (value: unknown): Usage | null => {
  if (!isObject(value)) return null;
  const prompt = count(value.promptTokenCount) + count(value.toolUsePromptTokenCount);
  // Clamped: a cached count above the prompt must not price tokens that were never sent.
  const cached = Math.min(count(value.cachedContentTokenCount), prompt);
  const thoughts = count(value.thoughtsTokenCount);
  return {
    inputTokens: prompt - cached,
    outputTokens: count(value.candidatesTokenCount) + thoughts,
    cacheReadTokens: cached,
    cacheWriteTokens: 0,
    reasoningTokens: thoughts,
  };
};

export const toGeminiUsage = (usage: Usage): Record<string, number> => {
  const prompt = usage.inputTokens + usage.cacheReadTokens + usage.cacheWriteTokens;
  const candidates = Math.max(0, usage.outputTokens - usage.reasoningTokens);
  return {
    promptTokenCount: prompt,
    candidatesTokenCount: candidates,
    totalTokenCount: prompt + usage.outputTokens,
    ...(usage.reasoningTokens > 0 ? { thoughtsTokenCount: usage.reasoningTokens } : {}),
    ...(usage.cacheReadTokens > 0 ? { cachedContentTokenCount: usage.cacheReadTokens } : {}),
  };
};
