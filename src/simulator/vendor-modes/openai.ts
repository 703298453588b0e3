import { openAIStyleRefusal, type VendorMode } from './index.js';

/**
 * OpenAI reasoning models as the API answers them (platform.openai.com/docs/guides/reasoning,
 * "Limitations"; the error texts are the API's): `max_tokens` and sampling parameters are
 * refused on o-series and gpt-5, sampling on gpt-5.1+ only while reasoning is on, and each
 * line takes its own reasoning_effort values. Non-reasoning models refuse reasoning_effort.
 */
const O_SERIES = /^o\d/;
const GPT5 = /^gpt-5(-mini|-nano|-pro|-codex)?(-\d{4}-\d{2}-\d{2})?$/;
const GPT5_1 = /^gpt-5\.\d/;
const NON_REASONING = /^(gpt-4|gpt-3\.5|chatgpt-)/;
const SAMPLING = ['temperature', 'top_p', 'presence_penalty', 'frequency_penalty', 'logprobs', 'top_logprobs', 'logit_bias'];
const EFFORTS: Array<[RegExp, string[]]> = [
  [O_SERIES, ['low', 'medium', 'high']],
  [GPT5, ['minimal', 'low', 'medium', 'high']],
  [GPT5_1, ['none', 'low', 'medium', 'high', 'xhigh']],
];

const unsupportedParameter = (param: string, extra = '') =>
  openAIStyleRefusal(400, `Unsupported parameter: '${param}' is not supported with this model.${extra}`, 'unsupported_parameter', param);

export const openaiMode: VendorMode = {
  check(model, body) {
    const effort = body.reasoning_effort;
    if (NON_REASONING.test(model)) return effort === undefined ? null : unsupportedParameter('reasoning_effort');
    const reasoning = O_SERIES.test(model) || GPT5.test(model) || GPT5_1.test(model);
    if (!reasoning) return null;
    if (body.max_tokens !== undefined) return unsupportedParameter('max_tokens', " Use 'max_completion_tokens' instead.");
    const accepted = EFFORTS.find(([match]) => match.test(model))?.[1] ?? [];
    if (typeof effort === 'string' && !accepted.includes(effort)) {
      return openAIStyleRefusal(400, `Unsupported value: 'reasoning_effort' does not support '${effort.slice(0, 20)}' with this model. Supported values are: ${accepted.map((v) => `'${v}'`).join(', ')}.`, 'unsupported_value', 'reasoning_effort');
    }
    // gpt-5.1+ reasons only when asked (default "none"): sampling parameters are fine then.
    const thinking = !GPT5_1.test(model) || (typeof effort === 'string' && effort !== 'none');
    if (!thinking) return null;
    for (const param of SAMPLING) {
      if (body[param] === undefined) continue;
      if ((param === 'temperature' || param === 'top_p') && body[param] !== 1) {
        return openAIStyleRefusal(400, `Unsupported value: '${param}' does not support ${String(body[param]).slice(0, 20)} with this model. Only the default (1) value is supported.`, 'unsupported_value', param);
      }
      if (param !== 'temperature' && param !== 'top_p') return unsupportedParameter(param);
    }
    return null;
  },
};
