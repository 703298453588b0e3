import type { VendorRules } from './rule-types.js';
import { ALIBABA_RULES } from './vendors/alibaba-rules.js';
import { MOONSHOT_RULES } from './vendors/moonshot-rules.js';
import { ZHIPU_RULES } from './vendors/zhipu-rules.js';

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

  // ── DeepSeek ──
  deepseek: { defaults: {}, families: [] },

  // ── Moonshot Kimi (families and sources in vendors/moonshot-rules.ts) ──
  moonshot: MOONSHOT_RULES,

  // ── Zhipu GLM (vendors/zhipu-rules.ts) ──
  zhipu: ZHIPU_RULES,

  // ── Alibaba Qwen, DashScope / Model Studio (vendors/alibaba-rules.ts) ──
  alibaba: ALIBABA_RULES,

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
