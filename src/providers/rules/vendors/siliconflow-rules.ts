import type { VendorRules } from '../rule-types.js';
import { clamp } from './rule-builders.js';

/**
 * SiliconFlow (docs.siliconflow.cn/cn/api-reference/chat-completions/chat-completions)
 */
export const SILICONFLOW_RULES: VendorRules = {
  defaults: { thinking: 'none' },
  families: [
    {
      // R1, QwQ, *-Thinking(-2507), GLM-Z1, Ring, MiniMax-M1: reasoning models without a switch.
      name: 'reasoning models (always think)',
      match: /(DeepSeek-R1|QwQ|Thinking|GLM-Z1|Ring-|MiniMax-M1)/i,
      rules: { thinking: 'fixed', thinksByDefault: true },
    },
    {
      // "enable_thinking: 切换思考与非思考模式 … 支持模型: Qwen3 (8B … 235B-A22B), Hunyuan-A13B,
      // GLM-4.5/4.6, DeepSeek-V3.1/V3.2"; "thinking_budget: 128 ≤ x ≤ 32768".
      name: 'hybrid models (enable_thinking, thinking_budget)',
      match: /(Qwen\/Qwen3-(8B|14B|32B|30B-A3B|235B-A22B)$|Hunyuan-A13B|GLM-4\.[56]|DeepSeek-V3\.[12])/,
      rules: {
        thinking: 'enable-thinking',
        parameters: [clamp('thinking_budget', 128, 32_768, 'SiliconFlow takes thinking_budget in [128, 32768] (chat-completions, thinking_budget)')],
      },
    },
  ],
};
