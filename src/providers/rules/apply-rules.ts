import type { ParameterRule, ReasoningRequest, ResolvedRules, ToolChoiceSupport } from './rule-types.js';

/**
 * The rules engine: rewrites the OpenAI-format body an OpenAI-protocol vendor is about to
 * receive, in place (callers pass their own copy). It runs on the hot path, so it does
 * only what the deployment's resolved rules name: a vendor without rules costs a few
 * property reads.
 */

const EFFORTS = new Set(['none', 'minimal', 'low', 'medium', 'high']);

/** Anthropic's smallest `budget_tokens`, and budgets for effort levels (as the native codec uses). */
const MIN_BUDGET = 1024;
const budgetForEffort = { none: 0, minimal: MIN_BUDGET, low: MIN_BUDGET, medium: 4096, high: 16384 } as const;

/** A thinking budget (Anthropic `budget_tokens`) as the nearest effort level. */
export const effortForBudget = (budget: number): 'low' | 'medium' | 'high' => (budget <= 2048 ? 'low' : budget <= 8192 ? 'medium' : 'high');

/** The client's reasoning request from an OpenAI body (`reasoning_effort`), else the translated hint. */
export const reasoningOf = (body: Record<string, unknown>, hint?: ReasoningRequest): ReasoningRequest | undefined => {
  const effort = body.reasoning_effort;
  if (typeof effort === 'string' && EFFORTS.has(effort)) return { ...hint, effort: effort as ReasoningRequest['effort'] };
  return hint;
};

/**
 * Whether this request will think: a model that always thinks does; else the vendor's own
 * switch in the body (sent by the client or set from its reasoning request) decides; else
 * what was asked for; else the model's default.
 */
export const requestThinks = (rules: ResolvedRules, reasoning: ReasoningRequest | undefined, body?: Record<string, unknown>): boolean => {
  if (rules.thinking === 'fixed') return rules.thinksByDefault === true;
  if (body !== undefined) {
    if (rules.thinking === 'thinking-type') {
      const type = (body.thinking as { type?: unknown } | null | undefined)?.type;
      if (type === 'enabled') return true;
      if (type === 'disabled') return false;
    } else if (rules.thinking === 'enable-thinking' && typeof body.enable_thinking === 'boolean') {
      return body.enable_thinking;
    }
  }
  // "none" cannot stop a model whose effort table has no off value (null: the vendor's default).
  if (reasoning?.effort === 'none') return rules.efforts?.none === null ? rules.thinksByDefault === true : false;
  if (reasoning && (reasoning.effort !== undefined || reasoning.budgetTokens !== undefined)) return true;
  return rules.thinksByDefault === true;
};

const applies = (rule: ParameterRule, thinking: boolean): boolean =>
  rule.when === undefined || (rule.when === 'thinking') === thinking;

const applyParameter = (rule: ParameterRule, body: Record<string, unknown>): void => {
  if (!(rule.param in body)) return;
  const value = body[rule.param];
  switch (rule.kind) {
    case 'drop':
      delete body[rule.param];
      return;
    case 'clamp':
      if (typeof value === 'number') body[rule.param] = Math.min(rule.max, Math.max(rule.min, value));
      return;
    case 'rename':
      if (!(rule.to in body)) body[rule.to] = value;
      delete body[rule.param];
      return;
    case 'fixed':
      // null means "the vendor's default", which the fixed value is.
      if (value !== rule.value) body[rule.param] = rule.value;
      return;
  }
};

/** Moves `tool_choice` to what the vendor takes (see ToolChoiceSupport). */
const applyToolChoice = (support: ToolChoiceSupport, body: Record<string, unknown>): void => {
  const choice = body.tool_choice;
  switch (support) {
    case 'all':
      return;
    case 'none-supported':
      delete body.tool_choice;
      return;
    case 'auto-none':
      if (choice !== 'auto' && choice !== 'none') body.tool_choice = 'auto';
      return;
    case 'no-required':
      if (choice === 'required') body.tool_choice = 'auto';
      return;
    case 'auto-only':
      // "none" would be taken as "auto": without tools the model cannot call one, as asked.
      if (choice === 'none') {
        delete body.tools;
        delete body.tool_choice;
      } else if (choice !== 'auto') body.tool_choice = 'auto';
      return;
  }
};

/** The vendor's thinking switch from the client's request (see ThinkingStyle). */
const applyThinking = (rules: ResolvedRules, body: Record<string, unknown>, reasoning: ReasoningRequest | undefined): void => {
  const style = rules.thinking;
  // A vendor the table says nothing about gets the client's own fields, untouched.
  if (style === undefined) return;
  if (style === 'reasoning-effort') {
    if (!reasoning) return;
    if (rules.efforts === undefined) {
      // A translated "no thinking" (Anthropic `thinking: disabled`) is only worth saying to a model that thinks by default.
      const quiet = reasoning.effort === 'none' && rules.thinksByDefault !== true;
      if (body.reasoning_effort === undefined && !quiet) body.reasoning_effort = reasoning.effort ?? effortForBudget(reasoning.budgetTokens ?? 4096);
      return;
    }
    // The vendor takes other levels: the client's effort (its own field or translated) is mapped.
    const mapped = rules.efforts[reasoning.effort ?? effortForBudget(reasoning.budgetTokens ?? 4096)];
    if (typeof mapped === 'string') body.reasoning_effort = mapped;
    else delete body.reasoning_effort;
    return;
  }
  const clientEffort = body.reasoning_effort;
  delete body.reasoning_effort;
  if (style === 'fixed' || style === 'none') {
    // No switch to set: a client's own vendor-style switch (extra body) would be refused too.
    delete body.thinking;
    delete body.enable_thinking;
    delete body.thinking_budget;
    return;
  }
  if (style === 'thinking-type' && rules.thinkingAuto !== true) {
    // "auto" (let the model decide) is Doubao's; elsewhere it is refused, and the vendor's default is the nearest meaning.
    const sent = body.thinking as { type?: unknown } | null | undefined;
    if (sent !== null && typeof sent === 'object' && sent.type === 'auto') delete body.thinking;
  }
  if (!reasoning) {
    // A level this gateway does not know (DeepSeek's "max", say) is the vendor's own: it stays where the vendor takes levels.
    if (rules.efforts !== undefined && typeof clientEffort === 'string') body.reasoning_effort = clientEffort;
    return;
  }
  const on = reasoning.effort !== 'none';
  // Vendors with a switch and a depth (DeepSeek: thinking.type plus reasoning_effort) get both.
  if (on && rules.efforts !== undefined) {
    const mapped = rules.efforts[reasoning.effort ?? effortForBudget(reasoning.budgetTokens ?? 4096)];
    if (typeof mapped === 'string') body.reasoning_effort = mapped;
  }
  if (style === 'thinking-type') {
    if (body.thinking === undefined) body.thinking = { type: on ? 'enabled' : 'disabled' };
  } else if (style === 'thinking-budget') {
    if (!on || body.thinking !== undefined) return;
    let budget = Math.max(MIN_BUDGET, reasoning.budgetTokens ?? budgetForEffort[reasoning.effort ?? 'medium']);
    // budget_tokens must stay below max_tokens; below the minimum there is no thinking to ask for.
    const max = body.max_tokens ?? body.max_completion_tokens;
    if (typeof max === 'number' && budget >= max) budget = max - 1;
    if (budget >= MIN_BUDGET) body.thinking = { type: 'enabled', budget_tokens: budget };
  } else if (style === 'enable-thinking') {
    if (body.enable_thinking === undefined) body.enable_thinking = on;
    if (on && reasoning.budgetTokens !== undefined && body.thinking_budget === undefined) body.thinking_budget = reasoning.budgetTokens;
  }
};

/**
 * Applies `rules` to `body` (mutated). `hint` carries a translated request's reasoning
 * setting (Anthropic `thinking.budget_tokens`, Responses `reasoning.effort`), which an
 * OpenAI body cannot express beyond `reasoning_effort`.
 */
export const applyVendorRules = (rules: ResolvedRules, body: Record<string, unknown>, hint?: ReasoningRequest): Record<string, unknown> => {
  const reasoning = reasoningOf(body, hint);
  applyThinking(rules, body, reasoning);
  // Only rules that depend on it ask whether the request thinks.
  let thinking: boolean | undefined;
  if (rules.parameters.length > 0) {
    thinking = requestThinks(rules, reasoning, body);
    for (const rule of rules.parameters) if (applies(rule, thinking)) applyParameter(rule, body);
  }
  if (rules.streamOptions === 'never' || (rules.streamOptions === 'with-stream' && body.stream !== true)) delete body.stream_options;
  // A vendor without `n` (Ollama) answers one choice or refuses the field: it is removed.
  if (rules.multipleChoices === false) delete body.n;
  if ('tool_choice' in body && (rules.toolChoice !== undefined || rules.toolChoiceWhenThinking !== undefined)) {
    const support = rules.toolChoiceWhenThinking !== undefined && (thinking ?? requestThinks(rules, reasoning, body)) ? rules.toolChoiceWhenThinking : rules.toolChoice;
    if (support !== undefined) applyToolChoice(support, body);
  }
  return body;
};
