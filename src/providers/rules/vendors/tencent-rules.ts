import type { VendorRules } from '../rule-types.js';
import { clamp } from './rule-builders.js';

/**
 * Tencent Hunyuan (OpenAI-compatible: cloud.tencent.com/document/product/1729/111007;
 * thinking switch: cloud.tencent.cn/document/product/1823/131208 深度思考)
 */
export const TENCENT_RULES: VendorRules = {
  defaults: {
    // hunyuan-turbos / -lite / -standard do not think: a reasoning setting is dropped.
    thinking: 'none',
    // ToolChoice takes none | auto | custom (a named tool): no "required" (cloud.tencent.com/document/api/1729/101837).
    toolChoice: 'no-required',
    parameters: [
      clamp('temperature', 0, 2, 'Hunyuan takes temperature in [0, 2] (1729/111007, OpenAI 兼容参数)'),
      clamp('top_p', 0, 1, 'Hunyuan takes top_p in [0, 1] (1729/111007)'),
    ],
  },
  families: [
    {
      // "HY 2.0 Think … enabled 不支持关闭"; hunyuan-t1 is the earlier always-thinking line.
      name: 'hunyuan-t1 / 2.0 thinking (always thinks)',
      match: /^hunyuan-(t1|.*think)/,
      rules: { thinking: 'fixed', thinksByDefault: true },
    },
    // hy3-preview: thinking {type: enabled | disabled}, disabled by default (1823/131208).
    { name: 'hy3 (thinking type)', match: /^hy3/, rules: { thinking: 'thinking-type' } },
  ],
};
