import type { VendorName } from './behavior.js';
import type { ChatUsage } from './chat-plan.js';
import type { SimulatorBehavior } from './types.js';

/**
 * Each vendor's own OpenAI-format `usage` for a prompt with cached tokens, as the vendor's
 * docs show it (fixtures with the sources: src/core/__fixtures__/<vendor>-*.json). Tests
 * choose the counts with the `cachedPromptTokens` (and, for DashScope's explicit cache,
 * `cacheWritePromptTokens`) behaviour; without them the usage stays as planned, except
 * DeepSeek, which always reports its hit/miss split.
 */
export const applyVendorUsage = (usage: ChatUsage, vendor: VendorName, behavior: SimulatorBehavior): void => {
  const prompt = usage.prompt_tokens;
  const cached = Math.min(prompt, behavior.cachedPromptTokens ?? 0);
  if (vendor === 'deepseek') {
    // api-docs.deepseek.com (context caching): prompt_tokens = hit + miss. Without a chosen
    // count, the DeepSeek mode's hits for a repeated prefix stand (vendor-modes/deepseek.ts).
    if (behavior.cachedPromptTokens === undefined && typeof usage.prompt_cache_hit_tokens === 'number') return;
    usage.prompt_cache_hit_tokens = cached;
    usage.prompt_cache_miss_tokens = prompt - cached;
    return;
  }
  if (behavior.cachedPromptTokens === undefined && behavior.cacheWritePromptTokens === undefined) return;
  const written = Math.min(prompt - cached, behavior.cacheWritePromptTokens ?? 0);
  if (vendor === 'moonshot') {
    // Moonshot (platform.moonshot.cn/docs/api/caching) names the cached part `cached_tokens`, at the
    // top of usage; in streams that usage sits in choices[0] of the finishing chunk (stream-writer).
    usage.cached_tokens = cached;
    return;
  }
  const details: Record<string, unknown> = { cached_tokens: cached };
  if (vendor === 'alibaba' && written > 0) {
    // DashScope explicit cache (help.aliyun.com/zh/model-studio/user-guide/context-cache): creation inside prompt_tokens.
    details.cache_creation_input_tokens = written;
    details.cache_creation = { ephemeral_5m_input_tokens: written };
    details.cache_type = 'ephemeral';
  }
  // OpenAI, xAI, Zhipu, Qwen, Doubao, Hunyuan, Qianfan: prompt_tokens_details.cached_tokens.
  usage.prompt_tokens_details = details;
};
