import type { VendorRules } from '../rule-types.js';

/**
 * DeepSeek (api.deepseek.com, OpenAI protocol). Sources, read 2026-12-02:
 * - api-docs.deepseek.com/guides/thinking_mode: thinking is on by default for the V4 ids,
 *   switched by `thinking: {type}` (effort by `reasoning_effort`); the parameters thinking
 *   mode ignores or refuses; reasoning_content of tool-calling turns must come back.
 * - api-docs.deepseek.com/quick_start/pricing: the model ids (deepseek-v4-pro,
 *   deepseek-flash; deepseek-v4-flash retired and served by V4.1 Flash).
 * - api-docs.deepseek.com/guides/kv_cache: prompt_cache_hit_tokens / _miss_tokens (read by
 *   the usage mapping, not a rule).
 */
export const DEEPSEEK_RULES: VendorRules = {
  defaults: {
    // V4 ids (deepseek-v4-pro, deepseek-flash, the retired deepseek-v4-flash they still serve) think unless told not to.
    thinking: 'thinking-type',
    thinksByDefault: true,
    // Depth by reasoning_effort next to the switch, mapped as DeepSeek maps it (guides/thinking_mode,
    // "Thinking Effort Control": minimal/low → low, medium/high → high; its own "max" passes as sent).
    efforts: { minimal: 'low', low: 'low', medium: 'high', high: 'high', none: null },
    // "For turns that do perform tool calls, the reasoning_content must be fully passed back to the API in all
    // subsequent requests … otherwise the API will return a 400 error" (guides/thinking_mode, "Tool Calls").
    reasoningReplay: 'required',
    reasoningField: 'reasoning_content',
    parameters: [
      ...['temperature', 'presence_penalty', 'frequency_penalty'].map((param) => ({
        kind: 'drop' as const,
        param,
        when: 'thinking' as const,
        why: 'thinking mode does not support it: accepted for compatibility but has no effect (guides/thinking_mode, "Input and Output Parameters")',
      })),
      ...['logprobs', 'top_logprobs'].map((param) => ({
        kind: 'drop' as const,
        param,
        when: 'thinking' as const,
        why: 'thinking mode does not support it and setting it "will trigger an error" (guides/thinking_mode, V3.2 edition)',
      })),
    ],
  },
  families: [
    {
      // The legacy alias of the non-thinking mode (quick_start/pricing: deepseek-chat is non-thinking, thinking via `thinking`).
      name: 'deepseek-chat (legacy non-thinking alias)',
      match: /^deepseek-chat$/,
      rules: { thinksByDefault: false },
    },
    {
      // The legacy alias of the thinking mode: it always thinks, so a switch is meaningless.
      name: 'deepseek-reasoner (legacy thinking alias)',
      match: /^deepseek-reasoner$/,
      rules: { thinking: 'fixed', thinksByDefault: true },
    },
  ],
};
