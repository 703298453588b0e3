import type { VendorRules } from './rule-types.js';
import { ALIBABA_RULES } from './vendors/alibaba-rules.js';
import { ANTHROPIC_RULES } from './vendors/anthropic-rules.js';
import { BAIDU_RULES } from './vendors/baidu-rules.js';
import { BYTEDANCE_RULES } from './vendors/bytedance-rules.js';
import { DEEPSEEK_RULES } from './vendors/deepseek-rules.js';
import { GOOGLE_RULES } from './vendors/google-rules.js';
import { MOONSHOT_RULES } from './vendors/moonshot-rules.js';
import { OLLAMA_RULES } from './vendors/ollama-rules.js';
import { OPENAI_RULES } from './vendors/openai-rules.js';
import { SILICONFLOW_RULES } from './vendors/siliconflow-rules.js';
import { TENCENT_RULES } from './vendors/tencent-rules.js';
import { XAI_RULES } from './vendors/xai-rules.js';
import { ZHIPU_RULES } from './vendors/zhipu-rules.js';

/**
 * The vendor rules table (issue 13): per vendor id of `src/providers/vendor-table.ts`,
 * the defaults and the model families that differ. Every rule says why, citing the
 * vendor's docs; `docs/providers.md` shows this table, generated from it.
 */
export const VENDOR_RULES: Readonly<Record<string, VendorRules>> = {
  // ── OpenAI ──
  openai: OPENAI_RULES,

  // ── xAI (docs.x.ai reasoning: reasoning_effort) ──
  xai: XAI_RULES,

  // ── Google Gemini, OpenAI-compatible endpoint (ai.google.dev/gemini-api/docs/openai: reasoning_effort) ──
  google: GOOGLE_RULES,

  // ── Anthropic (OpenAI SDK compatibility endpoint) ──
  anthropic: ANTHROPIC_RULES,

  // ── DeepSeek (families and sources in vendors/deepseek-rules.ts) ──
  deepseek: DEEPSEEK_RULES,

  // ── Moonshot Kimi (families and sources in vendors/moonshot-rules.ts) ──
  moonshot: MOONSHOT_RULES,

  // ── Zhipu GLM (vendors/zhipu-rules.ts) ──
  zhipu: ZHIPU_RULES,

  // ── Alibaba Qwen, DashScope / Model Studio (vendors/alibaba-rules.ts) ──
  alibaba: ALIBABA_RULES,

  // ── ByteDance Doubao (Volcengine Ark) ──
  bytedance: BYTEDANCE_RULES,

  // ── Tencent Hunyuan ──
  tencent: TENCENT_RULES,

  // ── Baidu Qianfan (ERNIE) ──
  baidu: BAIDU_RULES,

  // ── SiliconFlow ──
  siliconflow: SILICONFLOW_RULES,

  // ── Ollama ──
  ollama: OLLAMA_RULES,
};
