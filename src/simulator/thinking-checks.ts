import { badRequest } from '../server/errors.js';

/**
 * The thinking constraints Anthropic and Gemini enforce, refused as they refuse them (400,
 * in the vendor's envelope via the exchange's error style), so a gateway that maps a
 * reasoning request wrongly fails its tests. Kept apart from the gateway's own tables on
 * purpose: a shared table would agree with itself.
 */
type Json = Record<string, unknown>;
const isObject = (value: unknown): value is Json => value !== null && typeof value === 'object' && !Array.isArray(value);

const ANTHROPIC_DOCS = 'Please consult our documentation at https://docs.claude.com/en/docs/build-with-claude/extended-thinking';

/**
 * docs.anthropic.com/en/docs/build-with-claude/extended-thinking: budget_tokens ≥ 1024 and
 * below max_tokens; temperature only 1, top_k unset, top_p ≥ 0.95; tool_choice auto or none.
 */
export const checkAnthropicThinking = (body: Json): void => {
  const thinking = body.thinking;
  if (!isObject(thinking) || thinking.type !== 'enabled') return;
  const budget = thinking.budget_tokens;
  if (typeof budget !== 'number' || !Number.isInteger(budget) || budget < 1024) {
    throw badRequest('thinking.enabled.budget_tokens: Input should be greater than or equal to 1024', 'invalid_request', 'thinking');
  }
  if (typeof body.max_tokens === 'number' && body.max_tokens <= budget) {
    throw badRequest(`\`max_tokens\` must be greater than \`thinking.budget_tokens\`. ${ANTHROPIC_DOCS}#max-tokens-and-context-window-size`, 'invalid_request', 'max_tokens');
  }
  if (body.temperature !== undefined && body.temperature !== 1) {
    throw badRequest(`\`temperature\` may only be set to 1 when thinking is enabled. ${ANTHROPIC_DOCS}`, 'invalid_request', 'temperature');
  }
  if (body.top_k !== undefined) throw badRequest(`\`top_k\` must be unset when thinking is enabled. ${ANTHROPIC_DOCS}`, 'invalid_request', 'top_k');
  if (typeof body.top_p === 'number' && body.top_p < 0.95) {
    throw badRequest(`\`top_p\` must be greater than or equal to 0.95 or unset when thinking is enabled. ${ANTHROPIC_DOCS}`, 'invalid_request', 'top_p');
  }
  const choice = body.tool_choice;
  if (isObject(choice) && (choice.type === 'any' || choice.type === 'tool')) {
    throw badRequest('Thinking may not be enabled when tool_choice forces tool use.', 'invalid_request', 'tool_choice');
  }
};

/** Gemini 3 levels per line, and Gemini 2.5 budget ranges (ai.google.dev/gemini-api/docs/thinking). */
const LEVELS: Array<[RegExp, string[]]> = [
  [/gemini-3(\.\d+)?-flash/, ['minimal', 'low', 'medium', 'high']],
  [/gemini-3/, ['low', 'high']],
];
const BUDGETS: Array<[RegExp, number, number, boolean]> = [
  [/gemini-2\.5-pro/, 128, 32_768, false],
  [/gemini-2\.5-flash-lite/, 512, 24_576, true],
  [/gemini-2\.5-flash/, 1, 24_576, true],
];

export const checkGeminiThinking = (model: string, body: Json): void => {
  const config = body.generationConfig ?? body.generation_config;
  if (!isObject(config)) return;
  const thinking = config.thinkingConfig ?? config.thinking_config;
  if (!isObject(thinking)) return;
  const budget = thinking.thinkingBudget ?? thinking.thinking_budget;
  const level = thinking.thinkingLevel ?? thinking.thinking_level;
  if (budget !== undefined && level !== undefined) throw badRequest('You can only set only one of thinking budget and thinking level.', 'invalid_request');
  const levels = LEVELS.find(([match]) => match.test(model))?.[1];
  if (level !== undefined) {
    if (!levels) throw badRequest('Thinking level is not supported for this model.', 'invalid_request');
    if (typeof level !== 'string' || !levels.includes(level.toLowerCase())) throw badRequest(`Thinking level ${String(level).slice(0, 20)} is not supported for this model.`, 'invalid_request');
  }
  const range = BUDGETS.find(([match]) => match.test(model));
  if (typeof budget !== 'number' || !range || budget === -1) return;
  const [, min, max, canDisable] = range;
  if (budget === 0) {
    if (!canDisable) throw badRequest('Budget 0 is invalid. This model only works in thinking mode.', 'invalid_request');
    return;
  }
  if (budget < min || budget > max) throw badRequest(`The thinking budget ${budget} is invalid. Please choose a value between ${min} and ${max}.`, 'invalid_request');
};
