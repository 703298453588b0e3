import type { VendorRules } from '../rule-types.js';

/**
 * Alibaba Qwen on DashScope / Model Studio, OpenAI-compatible mode. Sources, read 2026-12-02:
 * - CHAT: the Chat Completions reference,
 *   https://help.aliyun.com/zh/model-studio/qwen-api-via-openai-chat-completions (enable_thinking
 *   and thinking_budget at the top level, "Qwen 系列模型暂不支持 required", no forced tool
 *   while thinking; open-source Qwen3 thinks by default, commercial Qwen3 does not).
 * - ERRORS: https://help.aliyun.com/zh/model-studio/error-code (the documented ranges, in the
 *   400 messages: "Temperature should be in [0.0, 2.0)", "Range of top_p should be (0.0, 1.0]",
 *   "Presence_penalty should be in [-2.0, 2.0]", "Range of n should be [1, 4]").
 * - THINKING: https://help.aliyun.com/zh/model-studio/deep-thinking (hybrid vs thinking-only
 *   models, defaults per series; open-source Qwen3 answers only streams while thinking).
 * - NATIVE: https://help.aliyun.com/zh/model-studio/qwen-api-via-dashscope ("Qwen3商业版（思考模式）、
 *   Qwen3开源版、QwQ、QVQ只支持流式输出").
 */
const ERRORS = 'help.aliyun.com/zh/model-studio/error-code';

export const ALIBABA_RULES: VendorRules = {
  defaults: {
    thinking: 'enable-thinking',
    reasoningField: 'reasoning_content',
    // "required" is not supported (CHAT); while thinking a named tool cannot be forced either.
    toolChoice: 'no-required',
    toolChoiceWhenThinking: 'auto-none',
    parameters: [
      // [0, 2): the largest value below 2 that a client plausibly sends.
      { kind: 'clamp', param: 'temperature', min: 0, max: 1.99, why: `temperature must be in [0.0, 2.0) (${ERRORS})` },
      // (0, 1]: 0 itself is refused, so the lower bound is the smallest two-decimal value.
      { kind: 'clamp', param: 'top_p', min: 0.01, max: 1, why: `top_p must be in (0.0, 1.0] (${ERRORS})` },
      { kind: 'clamp', param: 'presence_penalty', min: -2, max: 2, why: `presence_penalty must be in [-2.0, 2.0] (${ERRORS})` },
      { kind: 'clamp', param: 'n', min: 1, max: 4, why: `n must be in [1, 4] (${ERRORS})` },
      { kind: 'fixed', param: 'n', value: 1, when: 'thinking', why: 'n > 1 is supported only for qwen-plus and Qwen3 in non-thinking mode (help.aliyun.com/zh/model-studio/qwen-api-via-openai-chat-completions)' },
      { kind: 'drop', param: 'thinking_budget', when: 'not-thinking', why: 'thinking_budget limits the thinking of a thinking request only (help.aliyun.com/zh/model-studio/deep-thinking)' },
    ],
  },
  families: [
    {
      name: 'QwQ and QVQ (thinking only, stream only)',
      match: /^(qwq|qvq)/,
      rules: { thinking: 'fixed', thinksByDefault: true, streamOnly: true },
    },
    {
      name: 'Qwen3 thinking-only ids (-thinking)',
      match: /^qwen.*-thinking/,
      // e.g. qwen3-235b-a22b-thinking-2507, qwen3-next-80b-a3b-thinking: always think (THINKING), open-source: streams only (NATIVE).
      rules: { thinking: 'fixed', thinksByDefault: true, streamOnly: true },
    },
    {
      name: 'Qwen3 non-thinking ids (-instruct, coder)',
      match: /^qwen.*-instruct|^qwen3-coder/,
      // e.g. qwen3-235b-a22b-instruct-2507: non-thinking only (THINKING).
      rules: { thinking: 'fixed', thinksByDefault: false },
    },
    {
      name: 'Qwen3 open-source (hybrid, thinks by default, stream only)',
      match: /^qwen3-\d+(\.\d+)?b/,
      // enable_thinking defaults to true for open-source Qwen3 and a non-stream call with it is refused (CHAT, THINKING).
      rules: { thinksByDefault: true, streamOnly: true },
    },
    {
      name: 'Qwen3.5 and later (hybrid, thinks by default)',
      match: /^qwen3\.\d/,
      // Qwen3.5-Plus / -Flash think unless enable_thinking is false (THINKING); later 3.x ids are taken to do the same.
      rules: { thinksByDefault: true },
    },
    {
      name: 'Qwen3 commercial (hybrid, off by default)',
      match: /^(qwen-(plus|flash|turbo)|qwen3-max|qwen3-vl-(plus|flash))/,
      // "混合思考模式，默认不开启思考模式" for the Plus, Flash, Turbo and Max series (THINKING).
      rules: { thinksByDefault: false },
    },
    {
      name: 'Qwen2.5 and earlier (no thinking)',
      match: /^qwen-(max|long|vl-max|vl-plus)|^qwen2/,
      rules: { thinking: 'none' },
    },
  ],
};
