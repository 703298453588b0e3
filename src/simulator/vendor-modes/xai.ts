import { openAIStyleRefusal, type VendorMode } from './index.js';

/**
 * xAI reasoning models (docs.x.ai/docs/guides/reasoning): grok-3-mini takes reasoning_effort
 * low | high; grok-4 (and its fast/code variants) take none ("Model does not support parameter
 * reasoningEffort"); reasoning models refuse presencePenalty, frequencyPenalty and stop. 400.
 */
const MINI = /^grok-3-mini/;
const EFFORT_LINE = /^grok-(4\.([3-9]|\d\d)|[5-9])/;
const NO_EFFORT = /^grok-(4|code)/;

export const xaiMode: VendorMode = {
  check(model, body) {
    if (/non-reasoning/.test(model)) return null;
    const reasoning = MINI.test(model) || EFFORT_LINE.test(model) || NO_EFFORT.test(model);
    if (!reasoning) return null;
    const effort = body.reasoning_effort;
    if (effort !== undefined) {
      if (MINI.test(model) && effort !== 'low' && effort !== 'high') return openAIStyleRefusal(400, `Invalid reasoning effort: ${String(effort).slice(0, 20)}. Supported values are low and high.`, null, 'reasoning_effort');
      if (!MINI.test(model) && !EFFORT_LINE.test(model)) return openAIStyleRefusal(400, 'Model does not support parameter reasoningEffort.', null, 'reasoning_effort');
    }
    for (const param of ['presence_penalty', 'frequency_penalty', 'stop']) {
      if (body[param] !== undefined) return openAIStyleRefusal(400, `Argument not supported on this model: ${param}`, null, param);
    }
    return null;
  },
};
