import type { ParameterRule, VendorRules } from './rule-types.js';

const clamp = (param: string, min: number, max: number, why: string): ParameterRule => ({ kind: 'clamp', param, min, max, why });
const drop = (param: string, why: string, when?: 'thinking' | 'not-thinking'): ParameterRule => ({ kind: 'drop', param, why, ...(when ? { when } : {}) });

const MAX_COMPLETION_TOKENS: ParameterRule = {
  kind: 'rename',
  param: 'max_tokens',
  to: 'max_completion_tokens',
  why: 'reasoning models reject max_tokens ("Use max_completion_tokens instead"; platform.openai.com/docs/guides/reasoning)',
};
/** Rejected by reasoning models: "Unsupported parameter" / "Only the default (1) value is supported". */
const OPENAI_SAMPLING = ['temperature', 'top_p', 'presence_penalty', 'frequency_penalty', 'logprobs', 'top_logprobs', 'logit_bias'];
const OPENAI_SAMPLING_WHY = 'reasoning models answer 400 unsupported_parameter/unsupported_value (platform.openai.com/docs/guides/reasoning, "Limitations")';
/** "presencePenalty, frequencyPenalty and stop are not supported by reasoning models" (docs.x.ai/docs/guides/reasoning). */
const XAI_REASONING_DROPS: ParameterRule[] = ['presence_penalty', 'frequency_penalty', 'stop'].map((param) =>
  drop(param, 'xAI reasoning models answer 400 for presencePenalty, frequencyPenalty and stop (docs.x.ai/docs/guides/reasoning)'),
);

/**
 * The vendor rules table (issue 13): per vendor id of `src/providers/vendor-table.ts`,
 * the defaults and the model families that differ. Every rule says why, citing the
 * vendor's docs; `docs/providers.md` shows this table, generated from it.
 */
export const VENDOR_RULES: Readonly<Record<string, VendorRules>> = {
  // ── OpenAI (platform.openai.com/docs/guides/reasoning; /docs/api-reference/chat/create) ──
  openai: {
    defaults: { thinking: 'reasoning-effort' },
    families: [
      {
        // gpt-5-chat-latest is the non-reasoning ChatGPT model: no reasoning_effort.
        name: 'gpt-5 chat (non-reasoning)',
        match: /^gpt-5(\.\d+)?-chat/,
        rules: { thinking: 'none', parameters: [MAX_COMPLETION_TOKENS] },
      },
      {
        // o1 / o3 / o4-mini take low | medium | high: no "minimal", and thinking cannot be turned off.
        name: 'o-series (reasoning)',
        match: /^o\d/,
        rules: {
          thinksByDefault: true,
          effortMap: { none: null, minimal: 'low' },
          parameters: [MAX_COMPLETION_TOKENS, ...OPENAI_SAMPLING.map((param) => drop(param, OPENAI_SAMPLING_WHY))],
        },
      },
      {
        // gpt-5 / -mini / -nano add "minimal" and have no "none" (its least is minimal).
        name: 'gpt-5 (reasoning)',
        match: /^gpt-5(-mini|-nano|-pro|-codex)?(-\d{4}-\d{2}-\d{2})?$/,
        rules: {
          thinksByDefault: true,
          effortMap: { none: 'minimal' },
          parameters: [MAX_COMPLETION_TOKENS, ...OPENAI_SAMPLING.map((param) => drop(param, OPENAI_SAMPLING_WHY))],
        },
      },
      {
        // gpt-5.1 and later default to reasoning_effort "none" and take no "minimal"; sampling
        // parameters are accepted only while reasoning is off (platform.openai.com/docs/guides/latest-model).
        name: 'gpt-5.1+ (reasoning off by default)',
        match: /^gpt-5\.\d/,
        rules: {
          effortMap: { minimal: 'low' },
          parameters: [MAX_COMPLETION_TOKENS, ...OPENAI_SAMPLING.map((param) => drop(param, `${OPENAI_SAMPLING_WHY} while reasoning is on`, 'thinking'))],
        },
      },
      {
        // gpt-4o, gpt-4.1, gpt-3.5 reject reasoning_effort ("Unrecognized request argument").
        name: 'non-reasoning models',
        match: /^(gpt-4|gpt-3\.5|chatgpt-)/,
        rules: { thinking: 'none' },
      },
    ],
  },

  // ── xAI (docs.x.ai/docs/guides/reasoning) ──
  xai: {
    defaults: { thinking: 'reasoning-effort' },
    families: [
      {
        // "reasoning_effort: low | high" (grok-3-mini); medium/minimal go to the nearest (low), as the AI SDK does.
        name: 'grok-3-mini (reasoning_effort low/high)',
        match: /^grok-3-mini/,
        rules: { thinksByDefault: true, effortMap: { none: null, minimal: 'low', medium: 'low' }, parameters: XAI_REASONING_DROPS },
      },
      {
        // grok-4.3 and later take none | low | medium | high (docs.x.ai reasoning, "Effort levels").
        name: 'grok-4.3+ (reasoning_effort none..high)',
        match: /^grok-(4\.([3-9]|\d\d)|[5-9])/,
        rules: { thinksByDefault: true, effortMap: { minimal: 'low' }, parameters: XAI_REASONING_DROPS },
      },
      {
        name: 'grok non-reasoning variants',
        match: /^grok-.*non-reasoning/,
        rules: { thinking: 'none' },
      },
      {
        // grok-4, grok-4-fast-reasoning, grok-4.1/4.20 reasoning, grok-code-fast: always think and
        // answer 400 "Model does not support parameter reasoningEffort" (docs.x.ai reasoning).
        name: 'grok-4 reasoning (no reasoning_effort)',
        match: /^grok-(4|code)/,
        rules: { thinking: 'fixed', thinksByDefault: true, parameters: XAI_REASONING_DROPS },
      },
      { name: 'grok-2/3 (no reasoning)', match: /^grok-[23]/, rules: { thinking: 'none' } },
    ],
  },

  // ── Google Gemini, OpenAI-compatible endpoint (ai.google.dev/gemini-api/docs/openai, "Thinking") ──
  // reasoning_effort maps to a thinking budget (2.5) or thinkingLevel (3); "none" turns thinking
  // off where the model allows it. The native protocol maps thinkingConfig in src/protocols/gemini.
  google: {
    defaults: { thinking: 'reasoning-effort' },
    families: [
      // Gemini 3 Pro takes low | high and cannot stop thinking.
      { name: 'gemini-3 pro', match: /^gemini-3(\.\d+)?-pro/, rules: { thinksByDefault: true, effortMap: { none: null, minimal: 'low', medium: 'high' } } },
      { name: 'gemini-3 flash', match: /^gemini-3(\.\d+)?-flash/, rules: { thinksByDefault: true, effortMap: { none: 'minimal' } } },
      // "Gemini 2.5 Pro ... cannot turn off thinking": "none" would be a 400, so the default (dynamic) stays.
      { name: 'gemini-2.5 pro', match: /^gemini-2\.5-pro/, rules: { thinksByDefault: true, effortMap: { none: null } } },
      { name: 'gemini-2.5 flash', match: /^gemini-2\.5-flash/, rules: { thinksByDefault: true } },
      { name: 'gemini 2.0 / 1.5 (no thinking)', match: /^gemini-(1\.5|2\.0)/, rules: { thinking: 'none' } },
    ],
  },

  // ── Anthropic, OpenAI SDK compatibility endpoint (docs.anthropic.com/en/api/openai-sdk) ──
  // The Messages protocol (the default) maps thinking in src/protocols/anthropic-messages.
  anthropic: {
    defaults: {
      // "Extended thinking support: add the thinking parameter" (extra body); reasoning_effort is not read.
      thinking: 'thinking-budget',
      multipleChoices: false,
      parameters: [
        { kind: 'clamp', param: 'temperature', min: 0, max: 1, why: 'the compatibility layer takes temperature 0..1 (docs.anthropic.com/en/api/openai-sdk, "temperature")' },
        // Thinking accepts no temperature other than 1 (docs.anthropic.com extended-thinking, "Feature compatibility").
        { kind: 'drop', param: 'temperature', why: 'with thinking on, temperature must be unset or 1 (docs.anthropic.com extended-thinking)', when: 'thinking' },
      ],
    },
    families: [],
  },

  // ── DeepSeek ──
  deepseek: { defaults: {}, families: [] },

  // ── Moonshot Kimi ──
  moonshot: { defaults: {}, families: [] },

  // ── Zhipu GLM ──
  zhipu: { defaults: {}, families: [] },

  // ── Alibaba Qwen (DashScope / Model Studio) ──
  alibaba: { defaults: {}, families: [] },

  // ── ByteDance Doubao (Volcengine Ark, www.volcengine.com/docs/82379/1494384 对话 API; 1449737 深度思考) ──
  // Model ids are Ark model names (doubao-seed-1-6-250615); an endpoint id (ep-…) matches no
  // family: give such a model its rules in YAML.
  bytedance: {
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
  },

  // ── Tencent Hunyuan (OpenAI-compatible: cloud.tencent.com/document/product/1729/111007;
  //    thinking switch: cloud.tencent.cn/document/product/1823/131208 深度思考) ──
  tencent: {
    defaults: {
      // hunyuan-turbos / -lite / -standard do not think: a reasoning setting is dropped.
      thinking: 'none',
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
  },

  // ── Baidu Qianfan v2 (cloud.baidu.com/doc/qianfan-api/s/3m7of64lb 对话 Chat) ──
  // Auth: `Authorization: Bearer bce-v3/ALTAK-…/…` (the console's API Key); an optional
  // `appid` header names the Qianfan app — set it with the provider's `headers:` in YAML.
  baidu: {
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
  },

  // ── SiliconFlow (docs.siliconflow.cn/cn/api-reference/chat-completions/chat-completions) ──
  siliconflow: {
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
  },

  // ── Ollama (github.com/ollama/ollama/blob/main/docs/openai.md; docs.ollama.com/api/openai-compatibility) ──
  ollama: {
    defaults: {
      // "reasoning_effort" is read for thinking models (docs.ollama.com, Supported request fields).
      thinking: 'reasoning-effort',
      // "Image content: Base64 encoded image" — the server does not fetch image URLs.
      imageDelivery: 'data-url',
      // "tool_choice", "n" are listed as not supported.
      toolChoice: 'none-supported',
      multipleChoices: false,
    },
    families: [],
  },
};
