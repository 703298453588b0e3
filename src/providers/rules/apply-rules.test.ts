import { describe, expect, it } from 'vitest';
import { applyVendorRules } from './apply-rules.js';
import { resolveRules } from './resolve-rules.js';
import type { ResolvedRules } from './rule-types.js';

const rules = (extra: Partial<ResolvedRules>): ResolvedRules => ({ parameters: [], family: null, ...extra });

describe('vendor rules engine', () => {
  it('drops, clamps, renames and fixes parameters, each only when present', () => {
    const body: Record<string, unknown> = { temperature: 1.7, top_p: 0.5, n: 2, max_tokens: 100, seed: 1 };
    applyVendorRules(
      rules({
        parameters: [
          { kind: 'clamp', param: 'temperature', min: 0, max: 1, why: 't' },
          { kind: 'fixed', param: 'top_p', value: 0.95, why: 't' },
          { kind: 'drop', param: 'n', why: 't' },
          { kind: 'rename', param: 'max_tokens', to: 'max_completion_tokens', why: 't' },
          { kind: 'drop', param: 'presence_penalty', why: 'absent stays absent' },
        ],
      }),
      body,
    );
    expect(body).toEqual({ temperature: 1, top_p: 0.95, max_completion_tokens: 100, seed: 1 });
  });

  it('limits a rule to thinking or non-thinking requests', () => {
    const thinkingOnly = rules({ thinksByDefault: true, parameters: [{ kind: 'fixed', param: 'temperature', value: 1, why: 't', when: 'thinking' }] });
    expect(applyVendorRules(thinkingOnly, { temperature: 0.2 })).toEqual({ temperature: 1 });
    // reasoning_effort "none" turns thinking off, so the thinking-only rule does not apply.
    const off = applyVendorRules({ ...thinkingOnly, thinking: 'thinking-type' }, { temperature: 0.2, reasoning_effort: 'none' });
    expect(off).toEqual({ temperature: 0.2, thinking: { type: 'disabled' } });
  });

  it('maps the reasoning request to each thinking style', () => {
    expect(applyVendorRules(rules({ thinking: 'thinking-type' }), { reasoning_effort: 'high' })).toEqual({ thinking: { type: 'enabled' } });
    expect(applyVendorRules(rules({ thinking: 'enable-thinking' }), {}, { budgetTokens: 2000 })).toEqual({ enable_thinking: true, thinking_budget: 2000 });
    expect(applyVendorRules(rules({ thinking: 'none' }), { reasoning_effort: 'low' })).toEqual({});
    expect(applyVendorRules(rules({ thinking: 'reasoning-effort' }), {}, { budgetTokens: 10_000 })).toEqual({ reasoning_effort: 'high' });
    // No style in the table: the client's fields go as sent and a translated hint adds nothing.
    expect(applyVendorRules(rules({}), { reasoning_effort: 'low' }, { budgetTokens: 10 })).toEqual({ reasoning_effort: 'low' });
  });

  it('keeps stream_options and tool_choice only where the vendor takes them', () => {
    expect(applyVendorRules(rules({ streamOptions: 'with-stream' }), { stream_options: { include_usage: true } })).toEqual({});
    expect(applyVendorRules(rules({ streamOptions: 'with-stream' }), { stream: true, stream_options: {} })).toEqual({ stream: true, stream_options: {} });
    expect(applyVendorRules(rules({ toolChoice: 'auto-none' }), { tool_choice: 'required' })).toEqual({ tool_choice: 'auto' });
    expect(applyVendorRules(rules({ toolChoice: 'none-supported' }), { tool_choice: 'auto' })).toEqual({});
  });

  it('maps effort levels to what the vendor takes, drops n, and sends budgets as Anthropic thinking', () => {
    const map = rules({ thinking: 'reasoning-effort', thinksByDefault: true, efforts: { none: 'minimal', minimal: 'minimal', low: 'low', medium: null, high: 'high' } });
    expect(applyVendorRules(map, { reasoning_effort: 'none' })).toEqual({ reasoning_effort: 'minimal' });
    expect(applyVendorRules(map, { reasoning_effort: 'medium' })).toEqual({});
    expect(applyVendorRules(map, {}, { effort: 'none' })).toEqual({ reasoning_effort: 'minimal' });
    // A translated "no thinking" is not said to a model that does not think by default.
    expect(applyVendorRules(rules({ thinking: 'reasoning-effort' }), {}, { effort: 'none' })).toEqual({});
    expect(applyVendorRules(rules({ multipleChoices: false }), { n: 3 })).toEqual({});
    const budget = rules({ thinking: 'thinking-budget' });
    expect(applyVendorRules(budget, { reasoning_effort: 'low' })).toEqual({ thinking: { type: 'enabled', budget_tokens: 1024 } });
    expect(applyVendorRules(budget, {}, { budgetTokens: 500 })).toEqual({ thinking: { type: 'enabled', budget_tokens: 1024 } });
    expect(applyVendorRules(budget, { reasoning_effort: 'none' })).toEqual({});
    // Below max_tokens, or no thinking when max_tokens leaves no room for the minimum budget.
    expect(applyVendorRules(budget, { reasoning_effort: 'high', max_tokens: 2000 })).toEqual({ max_tokens: 2000, thinking: { type: 'enabled', budget_tokens: 1999 } });
    expect(applyVendorRules(budget, { reasoning_effort: 'high', max_tokens: 800 })).toEqual({ max_tokens: 800 });
  });

  it('resolves vendor defaults, the matching family, then provider and model YAML', () => {
    const openai = resolveRules('openai', 'gpt-5-mini');
    expect(openai.family).toBe('gpt-5 (reasoning)');
    expect(openai.parameters[0]).toMatchObject({ kind: 'rename', param: 'max_tokens' });
    expect(resolveRules('openai', 'gpt-4o').family).toBe('non-reasoning models');
    expect(resolveRules('openai', 'ft:custom').family).toBeNull();
    const overridden = resolveRules('openai', 'gpt-5', { streamOnly: true }, { parameters: [{ kind: 'drop', param: 'max_tokens', why: 'yaml' }] });
    expect(overridden.streamOnly).toBe(true);
    // The model's rule for max_tokens replaced the family's rename; the family's other rules stay.
    expect(overridden.parameters.filter((rule) => rule.param === 'max_tokens')).toEqual([{ kind: 'drop', param: 'max_tokens', why: 'yaml' }]);
    expect(overridden.parameters.at(-1)).toEqual({ kind: 'drop', param: 'max_tokens', why: 'yaml' });
    expect(resolveRules('nobody', 'x')).toEqual({ parameters: [], family: null });
  });
});

describe('vendor rules engine: effort tables, tool-choice levels, the vendor switch in the body', () => {
  it('maps efforts through the table; null sends none, and "none" then leaves a thinking model thinking', () => {
    const table = rules({
      thinking: 'reasoning-effort',
      thinksByDefault: true,
      efforts: { none: null, minimal: 'low', low: 'low', medium: 'high', high: 'high' },
      parameters: [{ kind: 'fixed', param: 'temperature', value: 1, when: 'thinking', why: 't' }],
    });
    expect(applyVendorRules(table, { reasoning_effort: 'medium' })).toEqual({ reasoning_effort: 'high' });
    expect(applyVendorRules(table, {}, { budgetTokens: 20_000 })).toEqual({ reasoning_effort: 'high' });
    expect(applyVendorRules(table, { reasoning_effort: 'none', temperature: 0.2 })).toEqual({ temperature: 1 });
    // A level the client protocol does not know passes as sent.
    expect(applyVendorRules(table, { reasoning_effort: 'max' })).toEqual({ reasoning_effort: 'max' });
  });

  it('a model that always thinks (fixed) keeps thinking-only rules even when asked not to think', () => {
    const fixed = rules({ thinking: 'fixed', thinksByDefault: true, parameters: [{ kind: 'fixed', param: 'temperature', value: 1, when: 'thinking', why: 't' }] });
    expect(applyVendorRules(fixed, { reasoning_effort: 'none', temperature: 0 })).toEqual({ temperature: 1 });
  });

  it("reads the vendor's own switch in the body to tell whether the request thinks", () => {
    const when = [{ kind: 'fixed', param: 'temperature', value: 0.6, when: 'not-thinking', why: 't' }] as const;
    const typed = rules({ thinking: 'thinking-type', thinksByDefault: true, parameters: [...when] });
    expect(applyVendorRules(typed, { temperature: 0.1, thinking: { type: 'disabled' } })).toEqual({ temperature: 0.6, thinking: { type: 'disabled' } });
    expect(applyVendorRules(typed, { temperature: 0.1 })).toEqual({ temperature: 0.1 });
    const enable = rules({ thinking: 'enable-thinking', thinksByDefault: true, parameters: [...when] });
    expect(applyVendorRules(enable, { temperature: 0.1, enable_thinking: false })).toEqual({ temperature: 0.6, enable_thinking: false });
  });

  it('moves tool_choice to each support level, and to the thinking level while thinking', () => {
    const named = { type: 'function', function: { name: 'f' } };
    expect(applyVendorRules(rules({ toolChoice: 'no-required' }), { tool_choice: 'required' })).toEqual({ tool_choice: 'auto' });
    expect(applyVendorRules(rules({ toolChoice: 'no-required' }), { tool_choice: named })).toEqual({ tool_choice: named });
    expect(applyVendorRules(rules({ toolChoice: 'auto-only' }), { tool_choice: named, tools: [] })).toEqual({ tool_choice: 'auto', tools: [] });
    expect(applyVendorRules(rules({ toolChoice: 'auto-only' }), { tool_choice: 'none', tools: [] })).toEqual({});
    const split = rules({ thinking: 'enable-thinking', toolChoice: 'no-required', toolChoiceWhenThinking: 'auto-none' });
    expect(applyVendorRules(split, { tool_choice: named })).toEqual({ tool_choice: named });
    expect(applyVendorRules(split, { tool_choice: named, reasoning_effort: 'low' })).toEqual({ tool_choice: 'auto', enable_thinking: true });
  });

  it('keeps thinking "auto" only where the vendor takes it', () => {
    const auto = { thinking: { type: 'auto' } };
    expect(applyVendorRules(rules({ thinking: 'thinking-type' }), { ...auto })).toEqual({});
    expect(applyVendorRules(rules({ thinking: 'thinking-type', thinkingAuto: true }), { ...auto })).toEqual(auto);
    expect(applyVendorRules(rules({ thinking: 'thinking-type' }), { thinking: { type: 'enabled' } })).toEqual({ thinking: { type: 'enabled' } });
  });
});
