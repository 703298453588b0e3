import type { ParameterRule, VendorRules } from '../rule-types.js';
import { drop } from './rule-builders.js';

/** "presencePenalty, frequencyPenalty and stop are not supported by reasoning models" (docs.x.ai/docs/guides/reasoning). */
const XAI_REASONING_DROPS: ParameterRule[] = ['presence_penalty', 'frequency_penalty', 'stop'].map((param) =>
  drop(param, 'xAI reasoning models answer 400 for presencePenalty, frequencyPenalty and stop (docs.x.ai/docs/guides/reasoning)'),
);

/**
 * xAI (docs.x.ai/docs/guides/reasoning)
 */
export const XAI_RULES: VendorRules = {
  defaults: { thinking: 'reasoning-effort' },
  families: [
    {
      // "reasoning_effort: low | high" (grok-3-mini); medium/minimal go to the nearest (low), as the AI SDK does.
      name: 'grok-3-mini (reasoning_effort low/high)',
      match: /^grok-3-mini/,
      rules: { thinksByDefault: true, efforts: { none: null, minimal: 'low', low: 'low', medium: 'low', high: 'high' }, parameters: XAI_REASONING_DROPS },
    },
    {
      // grok-4.3 and later take none | low | medium | high (docs.x.ai reasoning, "Effort levels").
      name: 'grok-4.3+ (reasoning_effort none..high)',
      match: /^grok-(4\.([3-9]|\d\d)|[5-9])/,
      rules: { thinksByDefault: true, efforts: { none: 'none', minimal: 'low', low: 'low', medium: 'medium', high: 'high' }, parameters: XAI_REASONING_DROPS },
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
};
