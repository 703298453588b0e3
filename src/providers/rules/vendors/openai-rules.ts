import type { ParameterRule, VendorRules } from '../rule-types.js';
import { drop } from './rule-builders.js';

const MAX_COMPLETION_TOKENS: ParameterRule = {
  kind: 'rename',
  param: 'max_tokens',
  to: 'max_completion_tokens',
  why: 'reasoning models reject max_tokens ("Use max_completion_tokens instead"; platform.openai.com/docs/guides/reasoning)',
};

/** Rejected by reasoning models: "Unsupported parameter" / "Only the default (1) value is supported". */
const OPENAI_SAMPLING = ['temperature', 'top_p', 'presence_penalty', 'frequency_penalty', 'logprobs', 'top_logprobs', 'logit_bias'];

const OPENAI_SAMPLING_WHY = 'reasoning models answer 400 unsupported_parameter/unsupported_value (platform.openai.com/docs/guides/reasoning, "Limitations")';

/**
 * OpenAI (platform.openai.com/docs/guides/reasoning; /docs/api-reference/chat/create)
 */
export const OPENAI_RULES: VendorRules = {
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
        efforts: { none: null, minimal: 'low', low: 'low', medium: 'medium', high: 'high' },
        parameters: [MAX_COMPLETION_TOKENS, ...OPENAI_SAMPLING.map((param) => drop(param, OPENAI_SAMPLING_WHY))],
      },
    },
    {
      // gpt-5 / -mini / -nano add "minimal" and have no "none" (its least is minimal).
      name: 'gpt-5 (reasoning)',
      match: /^gpt-5(-mini|-nano|-pro|-codex)?(-\d{4}-\d{2}-\d{2})?$/,
      rules: {
        thinksByDefault: true,
        efforts: { none: 'minimal', minimal: 'minimal', low: 'low', medium: 'medium', high: 'high' },
        parameters: [MAX_COMPLETION_TOKENS, ...OPENAI_SAMPLING.map((param) => drop(param, OPENAI_SAMPLING_WHY))],
      },
    },
    {
      // gpt-5.1 and later default to reasoning_effort "none" and take no "minimal"; sampling
      // parameters are accepted only while reasoning is off (platform.openai.com/docs/guides/latest-model).
      name: 'gpt-5.1+ (reasoning off by default)',
      match: /^gpt-5\.\d/,
      rules: {
        efforts: { none: 'none', minimal: 'low', low: 'low', medium: 'medium', high: 'high' },
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
};
