import type { VendorRules } from './rule-types.js';

/**
 * The vendor rules table (issue 13): per vendor id of `src/providers/vendor-table.ts`,
 * the defaults and the model families that differ. Every rule says why, citing the
 * vendor's docs; `docs/providers.md` shows this table, generated from it.
 */
export const VENDOR_RULES: Readonly<Record<string, VendorRules>> = {
  // ── OpenAI ──
  openai: {
    defaults: { thinking: 'reasoning-effort' },
    families: [
      {
        name: 'reasoning models (o-series, gpt-5)',
        match: /^(o\d|gpt-5)/,
        rules: {
          parameters: [
            {
              kind: 'rename',
              param: 'max_tokens',
              to: 'max_completion_tokens',
              why: 'reasoning models reject max_tokens ("Use max_completion_tokens instead"; platform.openai.com/docs/guides/reasoning)',
            },
          ],
        },
      },
    ],
  },

  // ── xAI (docs.x.ai reasoning: reasoning_effort) ──
  xai: { defaults: { thinking: 'reasoning-effort' }, families: [] },

  // ── Google Gemini, OpenAI-compatible endpoint (ai.google.dev/gemini-api/docs/openai: reasoning_effort) ──
  google: { defaults: { thinking: 'reasoning-effort' }, families: [] },

  // ── Anthropic (OpenAI SDK compatibility endpoint) ──
  anthropic: { defaults: {}, families: [] },

  // ── DeepSeek (api-docs.deepseek.com: guides/thinking_mode, guides/kv_cache, quick_start/pricing; read 2026-12-02) ──
  deepseek: {
    defaults: {
      // V4 ids (deepseek-v4-pro, deepseek-flash, the retired deepseek-v4-flash they still serve) think unless told not to.
      thinking: 'thinking-type',
      thinksByDefault: true,
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
  },

  // ── Moonshot Kimi ──
  moonshot: { defaults: {}, families: [] },

  // ── Zhipu GLM ──
  zhipu: { defaults: {}, families: [] },

  // ── Alibaba Qwen (DashScope / Model Studio) ──
  alibaba: { defaults: {}, families: [] },

  // ── ByteDance Doubao (Volcengine Ark) ──
  bytedance: { defaults: {}, families: [] },

  // ── Tencent Hunyuan ──
  tencent: { defaults: {}, families: [] },

  // ── Baidu Qianfan (ERNIE) ──
  baidu: { defaults: {}, families: [] },

  // ── SiliconFlow ──
  siliconflow: { defaults: {}, families: [] },

  // ── Ollama ──
  ollama: { defaults: {}, families: [] },
};
