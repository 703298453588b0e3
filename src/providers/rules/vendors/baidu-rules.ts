import type { VendorRules } from '../rule-types.js';
import { clamp } from './rule-builders.js';

/**
 * Baidu Qianfan v2 (cloud.baidu.com/doc/qianfan-api/s/3m7of64lb 对话 Chat)
 * Auth: `Authorization: Bearer bce-v3/ALTAK-…/…` (the console's API Key); an optional
 * `appid` header names the Qianfan app — set it with the provider's `headers:` in YAML.
 */
export const BAIDU_RULES: VendorRules = {
  defaults: {
    thinking: 'none',
    parameters: [
      // "temperature: 范围 (0, 1.0]，不能为0": 0 becomes the smallest accepted step.
      clamp('temperature', 0.01, 1, 'Qianfan v2 takes temperature in (0, 1.0] (3m7of64lb)'),
      clamp('top_p', 0, 1, 'Qianfan v2 takes top_p in [0, 1.0] (3m7of64lb)'),
      clamp('penalty_score', 1, 2, 'Qianfan v2 takes penalty_score in [1.0, 2.0] (3m7of64lb)'),
      clamp('frequency_penalty', -2, 2, 'Qianfan v2 takes frequency_penalty in [-2.0, 2.0] (3m7of64lb)'),
      clamp('presence_penalty', -2, 2, 'Qianfan v2 takes presence_penalty in [-2.0, 2.0] (3m7of64lb)'),
    ],
  },
  families: [
    // ERNIE X1 / X1.1 and the *-thinking models always think (3m7of64lb, 深度思考模型).
    { name: 'ERNIE X1 / thinking (always thinks)', match: /^ernie-(x1|.*thinking)/, rules: { thinking: 'fixed', thinksByDefault: true } },
  ],
};
