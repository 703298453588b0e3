import type { VendorRules } from '../rule-types.js';

/**
 * Zhipu GLM (open.bigmodel.cn/api/paas/v4). Sources, read 2026-12-02:
 * - CHAT: the chat completion reference, https://docs.bigmodel.cn/api-reference/模型-api/对话补全
 *   (temperature [0.0, 1.0], top_p [0.01, 1.0], tool_choice "默认auto且仅支持auto",
 *   reasoning_effort: GLM-5.3 takes only low / high / max).
 * - PARAMS: https://docs.bigmodel.cn/cn/guide/start/concept-param (thinking defaults to
 *   {"type": "enabled"} and exists from GLM-4.5 on).
 * - THINKING: https://docs.bigmodel.cn/cn/guide/capabilities/thinking (GLM-5.3 and
 *   GLM-5.3-Flash can no longer turn thinking off: "disabled" is an error).
 */
const CHAT = 'docs.bigmodel.cn/api-reference/模型-api/对话补全';

export const ZHIPU_RULES: VendorRules = {
  defaults: {
    reasoningField: 'reasoning_content',
    // A tool_choice other than "auto" is taken as "auto" without an error (CHAT: only auto).
    toolChoice: 'auto-only',
    parameters: [
      { kind: 'clamp', param: 'temperature', min: 0, max: 1, why: `temperature must be in [0.0, 1.0], else error 1214 (${CHAT})` },
      { kind: 'clamp', param: 'top_p', min: 0.01, max: 1, why: `top_p must be in [0.01, 1.0], else error 1214 (${CHAT})` },
    ],
  },
  families: [
    {
      name: 'GLM-5.3',
      match: /^glm-5\.3/,
      rules: {
        // Always thinks; reasoning_effort sets the depth and takes only low / high / max (CHAT).
        thinking: 'reasoning-effort',
        thinksByDefault: true,
        efforts: { none: null, minimal: 'low', low: 'low', medium: 'high', high: 'high' },
        parameters: [{ kind: 'drop', param: 'thinking', why: 'GLM-5.3 cannot stop thinking: thinking {type: "disabled"} is an error (docs.bigmodel.cn/cn/guide/capabilities/thinking)' }],
      },
    },
    {
      name: 'GLM-4.5 to GLM-5.2 (hybrid thinking)',
      match: /^glm-(4\.[5-9]|5)/,
      // thinking {type: enabled|disabled}, enabled by default, from GLM-4.5 on (PARAMS).
      rules: { thinking: 'thinking-type', thinksByDefault: true },
    },
    {
      name: 'GLM-4.1V-Thinking',
      match: /^glm-4\.1v-thinking/,
      // A thinking-only vision model: reasoning_content is always returned (CHAT).
      rules: { thinking: 'fixed', thinksByDefault: true },
    },
    {
      name: 'GLM-4 and earlier',
      match: /^(glm-4|glm-3|chatglm)/,
      // No thinking switch before GLM-4.5 (PARAMS): reasoning settings are not sent.
      rules: { thinking: 'none' },
    },
  ],
};
