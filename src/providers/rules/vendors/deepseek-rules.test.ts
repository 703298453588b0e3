import { describe, expect, it } from 'vitest';
import { loadConfig } from '../../../config/load-config.js';
import { applyVendorRules } from '../apply-rules.js';
import { resolveRules } from '../resolve-rules.js';

// DeepSeek's rules on the body it receives (guides/thinking_mode); the route test
// src/routes/openai/deepseek-tool-loop.test.ts shows the simulator's DeepSeek mode refusing without them.
const config = loadConfig('config');
const shipped = [...new Set(config.models.filter((m) => config.providers.some((p) => p.name === m.provider && p.vendor === 'deepseek' && p.protocol === 'openai')).map((m) => m.upstreamName))];

describe('DeepSeek rules', () => {
  it('every shipped DeepSeek id needs its tool-calling reasoning back', () => {
    expect(shipped.length).toBeGreaterThan(0);
    for (const id of shipped) expect(resolveRules('deepseek', id).reasoningReplay, id).toBe('required');
  });

  it('V4 thinks by default: ignored sampling and refused logprobs go, unless thinking is switched off', () => {
    const rules = resolveRules('deepseek', 'deepseek-v4-pro');
    const sampling = { temperature: 0.2, top_p: 0.9, presence_penalty: 1, frequency_penalty: 1, logprobs: true, top_logprobs: 2 };
    expect(applyVendorRules(rules, { ...sampling })).toEqual({ top_p: 0.9 });
    expect(applyVendorRules(rules, { ...sampling, thinking: { type: 'disabled' } })).toEqual({ ...sampling, thinking: { type: 'disabled' } });
    expect(applyVendorRules(rules, { ...sampling, reasoning_effort: 'none' })).toEqual({ ...sampling, thinking: { type: 'disabled' } });
    // A translated client's thinking request becomes DeepSeek's switch.
    expect(applyVendorRules(rules, {}, { budgetTokens: 4000 })).toEqual({ thinking: { type: 'enabled' }, reasoning_effort: 'high' });
  });

  it('the depth goes next to the switch, mapped as DeepSeek maps it; its own "max" passes', () => {
    const rules = resolveRules('deepseek', 'deepseek-flash');
    expect(applyVendorRules(rules, { reasoning_effort: 'minimal' })).toEqual({ thinking: { type: 'enabled' }, reasoning_effort: 'low' });
    expect(applyVendorRules(rules, { reasoning_effort: 'medium' })).toEqual({ thinking: { type: 'enabled' }, reasoning_effort: 'high' });
    expect(applyVendorRules(rules, { reasoning_effort: 'max' })).toEqual({ reasoning_effort: 'max' });
    expect(applyVendorRules(rules, {}, { budgetTokens: 1000 })).toEqual({ thinking: { type: 'enabled' }, reasoning_effort: 'low' });
  });

  it('the legacy aliases: deepseek-chat thinks only when asked, deepseek-reasoner always', () => {
    expect(applyVendorRules(resolveRules('deepseek', 'deepseek-chat'), { temperature: 0.2 })).toEqual({ temperature: 0.2 });
    expect(applyVendorRules(resolveRules('deepseek', 'deepseek-chat'), { temperature: 0.2, reasoning_effort: 'high' })).toEqual({ thinking: { type: 'enabled' }, reasoning_effort: 'high' });
    expect(applyVendorRules(resolveRules('deepseek', 'deepseek-reasoner'), { temperature: 0.2, reasoning_effort: 'none', logprobs: true })).toEqual({});
  });
});
