import { describe, expect, it } from 'vitest';
import { loadConfig } from '../../../config/load-config.js';
import { applyVendorRules } from '../apply-rules.js';
import { resolveRules } from '../resolve-rules.js';

// The shipped config's upstream ids for one vendor (OpenAI-protocol providers: the table's rules apply there).
const config = loadConfig('config');
const shippedIds = (vendor: string): string[] => {
  const providers = new Set(config.providers.filter((p) => p.vendor === vendor && p.protocol === 'openai').map((p) => p.name));
  return [...new Set(config.models.filter((m) => providers.has(m.provider) && !m.types.every((t) => t === 'embedding')).map((m) => m.upstreamName))].sort();
};
const familyOf = (vendor: string) => (id: string) => resolveRules(vendor, id).family;

describe('Moonshot Kimi rules', () => {
  const family = familyOf('moonshot');

  it('every shipped Kimi id falls in a family, the right one', () => {
    const ids = shippedIds('moonshot');
    expect(ids.length).toBeGreaterThan(5);
    for (const id of ids) expect(family(id), id).not.toBeNull();
    expect(family('kimi-k3')).toBe('Kimi K3');
    expect(family('kimi-k2.6')).toBe('Kimi K2.6');
    expect(family('kimi-k2.5')).toBe('Kimi K2.5');
    expect(family('kimi-k2.7-code')).toBe('Kimi K2.7 Code');
    expect(family('kimi-k2.7-code-highspeed')).toBe('Kimi K2.7 Code');
    expect(family('moonshot-v1-8k')).toBe('moonshot-v1');
    expect(family('moonshot-v1-128k-vision-preview')).toBe('moonshot-v1');
    expect(family('kimi-k2-thinking-turbo')).toBe('Kimi K2 Thinking (retired)');
    expect(family('kimi-k2-0905-preview')).toBe('Kimi K2 previews (retired)');
  });

  it('K2.6 fixes sampling per thinking mode and maps the reasoning switch', () => {
    const rules = resolveRules('moonshot', 'kimi-k2.6');
    const sampling = { temperature: 0.3, top_p: 0.5, n: 2, presence_penalty: 1, frequency_penalty: 1 };
    expect(applyVendorRules(rules, { ...sampling })).toEqual({ temperature: 1, top_p: 0.95, n: 1, presence_penalty: 0, frequency_penalty: 0 });
    expect(applyVendorRules(rules, { ...sampling, reasoning_effort: 'none' })).toEqual({
      temperature: 0.6, top_p: 0.95, n: 1, presence_penalty: 0, frequency_penalty: 0, thinking: { type: 'disabled' },
    });
    // The client's own switch (extra_body) decides which temperature is the fixed one.
    expect(applyVendorRules(rules, { temperature: 0.2, thinking: { type: 'disabled' } })).toEqual({ temperature: 0.6, thinking: { type: 'disabled' } });
    expect(applyVendorRules(rules, {}, { budgetTokens: 3000 })).toEqual({ thinking: { type: 'enabled' } });
  });

  it('tool_choice: K2.6 never takes "required", and while thinking only auto or none', () => {
    const k26 = resolveRules('moonshot', 'kimi-k2.6');
    const named = { type: 'function', function: { name: 'f' } };
    expect(applyVendorRules(k26, { tool_choice: 'required' })).toEqual({ tool_choice: 'auto' });
    expect(applyVendorRules(k26, { tool_choice: named })).toEqual({ tool_choice: 'auto' });
    expect(applyVendorRules(k26, { tool_choice: named, thinking: { type: 'disabled' } })).toEqual({ tool_choice: named, thinking: { type: 'disabled' } });
    expect(applyVendorRules(k26, { tool_choice: 'required', thinking: { type: 'disabled' } })).toEqual({ tool_choice: 'auto', thinking: { type: 'disabled' } });
    const k25 = resolveRules('moonshot', 'kimi-k2.5');
    expect(applyVendorRules(k25, { tool_choice: 'required', thinking: { type: 'disabled' } })).toEqual({ tool_choice: 'required', thinking: { type: 'disabled' } });
  });

  it('K3 always thinks: efforts become low/high, "none" sends none; temperature is 1', () => {
    const rules = resolveRules('moonshot', 'kimi-k3');
    expect(applyVendorRules(rules, { reasoning_effort: 'medium', temperature: 0 })).toEqual({ reasoning_effort: 'high', temperature: 1 });
    expect(applyVendorRules(rules, { reasoning_effort: 'minimal' })).toEqual({ reasoning_effort: 'low' });
    expect(applyVendorRules(rules, { reasoning_effort: 'none', temperature: 0.6 })).toEqual({ temperature: 1 });
    expect(applyVendorRules(rules, { reasoning_effort: 'max' })).toEqual({ reasoning_effort: 'max' });
    expect(applyVendorRules(rules, {}, { budgetTokens: 1024 })).toEqual({ reasoning_effort: 'low' });
  });

  it('K2.7 Code cannot stop thinking; moonshot-v1 keeps its [0, 1] temperature and n up to 5', () => {
    expect(applyVendorRules(resolveRules('moonshot', 'kimi-k2.7-code'), { thinking: { type: 'disabled' }, reasoning_effort: 'none', temperature: 0.6 })).toEqual({ temperature: 1 });
    expect(applyVendorRules(resolveRules('moonshot', 'moonshot-v1-32k'), { temperature: 1.5, n: 9, reasoning_effort: 'low' })).toEqual({ temperature: 1, n: 5 });
  });
});

describe('Zhipu GLM rules', () => {
  const family = familyOf('zhipu');

  it('every shipped GLM id falls in a family, the right one', () => {
    const ids = shippedIds('zhipu');
    expect(ids.length).toBeGreaterThan(5);
    for (const id of ids) expect(family(id), id).not.toBeNull();
    expect(family('glm-5.3')).toBe('GLM-5.3');
    expect(family('glm-5.3-flash')).toBe('GLM-5.3');
    for (const id of ['glm-4.6', 'glm-4.5', 'glm-4.5-air', 'glm-4.5-flash', 'glm-4.5v', 'glm-5.1']) expect(family(id), id).toBe('GLM-4.5 to GLM-5.2 (hybrid thinking)');
    for (const id of ['glm-4-plus', 'glm-4v-plus-0111', 'glm-4v-flash']) expect(family(id), id).toBe('GLM-4 and earlier');
  });

  it('clamps temperature to [0, 1] and top_p to [0.01, 1]; maps the thinking switch', () => {
    const rules = resolveRules('zhipu', 'glm-4.6');
    expect(applyVendorRules(rules, { temperature: 1.6, top_p: 0 })).toEqual({ temperature: 1, top_p: 0.01 });
    expect(applyVendorRules(rules, { reasoning_effort: 'none' })).toEqual({ thinking: { type: 'disabled' } });
    expect(applyVendorRules(rules, { reasoning_effort: 'high' })).toEqual({ thinking: { type: 'enabled' } });
    expect(applyVendorRules(resolveRules('zhipu', 'glm-4-plus'), { reasoning_effort: 'high', temperature: -1 })).toEqual({ temperature: 0 });
  });

  it('GLM-5.3 takes low/high/max and never "disabled"', () => {
    const rules = resolveRules('zhipu', 'glm-5.3');
    expect(applyVendorRules(rules, { reasoning_effort: 'medium' })).toEqual({ reasoning_effort: 'high' });
    expect(applyVendorRules(rules, { reasoning_effort: 'none', thinking: { type: 'disabled' } })).toEqual({});
  });

  it('tool_choice: only "auto"; "none" is kept by sending no tools', () => {
    const rules = resolveRules('zhipu', 'glm-4.6');
    const tools = [{ type: 'function', function: { name: 'f', parameters: {} } }];
    expect(applyVendorRules(rules, { tools, tool_choice: 'required' })).toEqual({ tools, tool_choice: 'auto' });
    expect(applyVendorRules(rules, { tools, tool_choice: { type: 'function', function: { name: 'f' } } })).toEqual({ tools, tool_choice: 'auto' });
    expect(applyVendorRules(rules, { tools, tool_choice: 'none' })).toEqual({});
  });
});

describe('Alibaba Qwen rules', () => {
  const family = familyOf('alibaba');

  it('every shipped Qwen id falls in a family, the right one', () => {
    const ids = shippedIds('alibaba');
    expect(ids.length).toBeGreaterThan(5);
    for (const id of ids) expect(family(id), id).not.toBeNull();
    for (const id of ['qwen3.7-max', 'qwen3.6-plus', 'qwen3.5-plus', 'qwen3.5-flash']) expect(family(id), id).toBe('Qwen3.5 and later (hybrid, thinks by default)');
    for (const id of ['qwen3-max', 'qwen-plus', 'qwen-turbo', 'qwen-flash', 'qwen3-vl-plus']) expect(family(id), id).toBe('Qwen3 commercial (hybrid, off by default)');
    for (const id of ['qwen-max', 'qwen-long', 'qwen-vl-max', 'qwen-vl-plus']) expect(family(id), id).toBe('Qwen2.5 and earlier (no thinking)');
    for (const id of ['qwen3-235b-a22b', 'qwen3-32b', 'qwen3-30b-a3b', 'qwen3-0.6b']) expect(family(id), id).toBe('Qwen3 open-source (hybrid, thinks by default, stream only)');
    expect(family('qwen3-235b-a22b-thinking-2507')).toBe('Qwen3 thinking-only ids (-thinking)');
    expect(family('qwen3-next-80b-a3b-instruct')).toBe('Qwen3 non-thinking ids (-instruct, coder)');
    expect(family('qwq-plus')).toBe('QwQ and QVQ (thinking only, stream only)');
    expect(family('qvq-max')).toBe('QwQ and QVQ (thinking only, stream only)');
  });

  it('marks the families that answer only streams', () => {
    for (const id of ['qwq-plus', 'qvq-max', 'qwen3-32b', 'qwen3-235b-a22b-thinking-2507']) expect(resolveRules('alibaba', id).streamOnly, id).toBe(true);
    for (const id of ['qwen-plus', 'qwen3.5-plus', 'qwen3-max', 'qwen-max']) expect(resolveRules('alibaba', id).streamOnly, id).toBeUndefined();
  });

  it('maps reasoning to enable_thinking / thinking_budget and clamps the documented ranges', () => {
    const plus = resolveRules('alibaba', 'qwen-plus');
    expect(applyVendorRules(plus, { reasoning_effort: 'high', temperature: 2, top_p: 0, presence_penalty: 3, n: 3 })).toEqual({
      enable_thinking: true, temperature: 1.99, top_p: 0.01, presence_penalty: 2, n: 1,
    });
    expect(applyVendorRules(plus, { n: 7 })).toEqual({ n: 4 });
    expect(applyVendorRules(plus, {}, { budgetTokens: 2048 })).toEqual({ enable_thinking: true, thinking_budget: 2048 });
    expect(applyVendorRules(resolveRules('alibaba', 'qwen3.5-plus'), { reasoning_effort: 'none', thinking_budget: 500 })).toEqual({ enable_thinking: false });
    // A thinking-only id gets no switch; a no-thinking one gets none either.
    expect(applyVendorRules(resolveRules('alibaba', 'qwq-plus'), { reasoning_effort: 'none' })).toEqual({});
    expect(applyVendorRules(resolveRules('alibaba', 'qwen-max'), { reasoning_effort: 'high' })).toEqual({});
  });

  it('tool_choice: never "required"; while thinking no named tool', () => {
    const named = { type: 'function', function: { name: 'f' } };
    const plus = resolveRules('alibaba', 'qwen-plus');
    expect(applyVendorRules(plus, { tool_choice: 'required' })).toEqual({ tool_choice: 'auto' });
    expect(applyVendorRules(plus, { tool_choice: named })).toEqual({ tool_choice: named });
    expect(applyVendorRules(plus, { tool_choice: named, enable_thinking: true })).toEqual({ tool_choice: 'auto', enable_thinking: true });
    expect(applyVendorRules(resolveRules('alibaba', 'qwen3.5-plus'), { tool_choice: named })).toEqual({ tool_choice: 'auto' });
  });
});
