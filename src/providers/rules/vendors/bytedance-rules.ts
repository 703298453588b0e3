import type { VendorRules } from '../rule-types.js';
import { clamp } from './rule-builders.js';

/**
 * ByteDance Doubao (Volcengine Ark, www.volcengine.com/docs/82379/1494384 对话 API; 1449737 深度思考)
 * Model ids are Ark model names (doubao-seed-1-6-250615); an endpoint id (ep-…) matches no
 * family: give such a model its rules in YAML.
 */
export const BYTEDANCE_RULES: VendorRules = {
  defaults: {
    thinking: 'none',
    // "stream_options: 流式响应的选项。仅当 stream 为 true 时可设置" — a non-stream request with it is a 400.
    streamOptions: 'with-stream',
    parameters: [
      clamp('temperature', 0, 2, 'Ark takes temperature in [0, 2] (对话 API, temperature)'),
      clamp('top_p', 0, 1, 'Ark takes top_p in [0, 1] (对话 API, top_p)'),
      clamp('frequency_penalty', -2, 2, 'Ark takes frequency_penalty in [-2, 2] (对话 API)'),
      clamp('presence_penalty', -2, 2, 'Ark takes presence_penalty in [-2, 2] (对话 API)'),
    ],
  },
  families: [
    {
      // doubao-seed-1.6 / 1.8 / 2.0: thinking {type: enabled | disabled | auto}, enabled by default (深度思考, 开启关闭).
      name: 'doubao-seed (thinking enabled/disabled/auto)',
      match: /^doubao-seed-(1[-.][68]|2)/,
      rules: { thinking: 'thinking-type', thinksByDefault: true, thinkingAuto: true },
    },
    // doubao-1.5-thinking-vision-pro switches with thinking {type: enabled | disabled}.
    { name: 'doubao-1.5-thinking-vision', match: /^doubao-1[-.]5-thinking-vision/, rules: { thinking: 'thinking-type', thinksByDefault: true } },
    // doubao-1.5-thinking-pro and deepseek-r1 always think: a thinking switch is not taken.
    { name: 'always-thinking (doubao-1.5-thinking, deepseek-r1)', match: /^(doubao-1[-.]5-thinking|deepseek-r1)/, rules: { thinking: 'fixed', thinksByDefault: true } },
    // deepseek-v3.1 / v3.2 on Ark: thinking {type}, off by default.
    { name: 'deepseek-v3.1+ on Ark (thinking type)', match: /^deepseek-v3[-.][12]/, rules: { thinking: 'thinking-type' } },
  ],
};
