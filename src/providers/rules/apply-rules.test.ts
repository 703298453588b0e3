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
    const map = rules({ thinking: 'reasoning-effort', thinksByDefault: true, effortMap: { none: 'minimal', medium: null } });
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
