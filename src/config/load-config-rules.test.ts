import { describe, expect, it } from 'vitest';
import { buildCatalog } from '../router/model-catalog.js';
import { mergeOverlay, parseModelEntry, parseProviderEntry, modelToEntry, providerToEntry } from '../state/merge-overlay.js';
import { errorOf, tempConfig } from '../test-support/config-dir.js';
import { loadConfig } from './load-config.js';
import type { OverlaySnapshot } from '../storage/index.js';

/** YAML `rules:` on a provider and on a model (src/config/rules-schema.ts), over the vendor table. */


const PROVIDER = `providers:
  - name: "Qwen"
    base_url: "https://dashscope.example/compatible-mode/v1"
    vendor: alibaba
    rules:
      stream_options: with-stream
      parameters:
        - { clamp: temperature, min: 0, max: 1.5, why: "provider-wide range" }
        - { drop: logit_bias }
`;

const MODELS = `provider: "Qwen"
models:
  language:
    - name: "qwq-plus"
      rules:
        stream_only: true
        thinking: enable-thinking
        thinks_by_default: true
        reasoning_replay: ignore
        reasoning_field: reasoning_content
        tool_choice: auto-none
        multiple_choices: false
        image_delivery: data-url
        parameters:
          - { clamp: temperature, min: 0, max: 1 }
          - { rename: max_tokens, to: max_completion_tokens, why: "the model's spelling" }
          - { fixed: top_p, value: 0.95, when: thinking }
    - name: "qwen-plain"
`;

describe('YAML rules', () => {
  it('parse on a provider and a model, without warnings, and resolve over the vendor table per deployment', () => {
    const config = loadConfig(tempConfig(PROVIDER, { 'qwen.yaml': MODELS }));
    expect(config.warnings).toEqual([]);
    expect(config.providers[0]!.rules).toEqual({
      streamOptions: 'with-stream',
      parameters: [
        { kind: 'clamp', param: 'temperature', min: 0, max: 1.5, why: 'provider-wide range' },
        { kind: 'drop', param: 'logit_bias', why: 'set in the configuration' },
      ],
    });
    const qwq = config.models.find((m) => m.name === 'qwq-plus')!;
    expect(qwq.rules).toMatchObject({ streamOnly: true, thinking: 'enable-thinking', thinksByDefault: true, toolChoice: 'auto-none', imageDelivery: 'data-url' });
    expect(config.models.find((m) => m.name === 'qwen-plain')!.rules).toBeUndefined();

    const catalog = buildCatalog({ providers: config.providers, models: config.models, env: {}, active: config.initialActive });
    const resolved = catalog.models.find((m) => m.name === 'qwq-plus')!.rules;
    expect(resolved.streamOnly).toBe(true);
    expect(resolved.streamOptions).toBe('with-stream');
    // The model's temperature rule replaces the provider's (and the table's); the provider's other rule stays.
    const byParam = (rules: typeof resolved, param: string) => rules.parameters.filter((rule) => rule.param === param);
    expect(byParam(resolved, 'temperature')).toEqual([{ kind: 'clamp', param: 'temperature', min: 0, max: 1, why: 'set in the configuration' }]);
    expect(byParam(resolved, 'logit_bias')).toEqual([{ kind: 'drop', param: 'logit_bias', why: 'set in the configuration' }]);
    expect(byParam(resolved, 'max_tokens')).toEqual([{ kind: 'rename', param: 'max_tokens', to: 'max_completion_tokens', why: "the model's spelling" }]);
    expect(byParam(resolved, 'top_p')).toEqual([{ kind: 'fixed', param: 'top_p', value: 0.95, why: 'set in the configuration', when: 'thinking' }]);
    const plain = catalog.models.find((m) => m.name === 'qwen-plain')!.rules;
    expect(byParam(plain, 'temperature')).toEqual([{ kind: 'clamp', param: 'temperature', min: 0, max: 1.5, why: 'provider-wide range' }]);
    expect(plain.streamOnly).not.toBe(true);
  });

  it('a model can switch off what its vendor table or provider turns on', () => {
    const providers = `providers:\n  - name: "P"\n    base_url: "https://p.example/v1"\n    rules: { stream_only: true }\n`;
    const models = `provider: "P"\nmodels:\n  language:\n    - name: "a"\n    - name: "b"\n      rules: { stream_only: false }\n`;
    const config = loadConfig(tempConfig(providers, { 'p.yaml': models }));
    const catalog = buildCatalog({ providers: config.providers, models: config.models, env: {}, active: config.initialActive });
    expect(catalog.models.find((m) => m.name === 'a')!.rules.streamOnly).toBe(true);
    expect(catalog.models.find((m) => m.name === 'b')!.rules.streamOnly).toBe(false);
  });

  it.each([
    ['an unknown rule key', 'rules: { stream_onyl: true }', /models\.yaml:\d+ at providers\[0\]\.rules: unknown rule key "stream_onyl" \(known: parameters, thinking/],
    ['a bad value', 'rules: { stream_options: sometimes }', /at providers\[0\]\.rules\.stream_options: Invalid option: expected one of "always"\|"with-stream"\|"never"/],
    ['a clamp without its max', 'rules: { parameters: [ { clamp: temperature, min: 0 } ] }', /at providers\[0\]\.rules\.parameters\[0\]\.max: "clamp" needs "max"/],
    ['a rule of two kinds', 'rules: { parameters: [ { drop: n, fixed: n, value: 1 } ] }', /at providers\[0\]\.rules\.parameters\[0\]: a parameter rule names exactly one of drop, clamp, rename, fixed \(found drop, fixed\)/],
    ['a key of another kind', 'rules: { parameters: [ { drop: n, to: m } ] }', /at providers\[0\]\.rules\.parameters\[0\]\.to: "to" belongs to rename, not to "drop"/],
    ['an inverted range', 'rules: { parameters: [ { clamp: temperature, min: 2, max: 1 } ] }', /parameters\[0\]\.min: min \(2\) is above max \(1\)/],
    ['an unknown key in a parameter rule', 'rules: { parameters: [ { drop: n, because: x } ] }', /parameters\[0\]: Unrecognized key: "because"/],
    ['a wrong `when`', 'rules: { parameters: [ { drop: n, when: always } ] }', /parameters\[0\]\.when: Invalid option/],
  ])('reject %s on a provider with the path and line', (_name, rules, message) => {
    const dir = tempConfig(`providers:\n  - name: "P"\n    base_url: "https://p.example/v1"\n    ${rules}\n`);
    expect(errorOf(() => loadConfig(dir))).toMatch(message);
  });

  it('reject an unknown rule key on a model, naming the provider file, path and line', () => {
    const dir = tempConfig(`providers:\n  - name: "P"\n    base_url: "https://p.example/v1"\n`, {
      'p.yaml': `provider: "P"\nmodels:\n  language:\n    - name: "a"\n      rules:\n        streamOnly: true\n`,
    });
    expect(errorOf(() => loadConfig(dir))).toMatch(/p\.yaml:6 at models\.language\[0\]\.rules: unknown rule key "streamOnly"/);
  });

  it('survive the admin overlay and export (written back in YAML form) and stay absent for admin-created entries', () => {
    const config = loadConfig(tempConfig(PROVIDER, { 'qwen.yaml': MODELS }));
    const provider = config.providers[0]!;
    const model = config.models.find((m) => m.name === 'qwq-plus')!;
    expect(parseProviderEntry(providerToEntry(provider), 'config').rules).toEqual(provider.rules);
    expect(parseModelEntry(modelToEntry(model), 'config').rules).toEqual(model.rules);
    // An admin edit of another field keeps the YAML rules.
    const merged = mergeOverlay(config, {
      providers: { Qwen: { data: { description: 'edited' }, deleted: false } },
      models: { 'Qwen/qwq-plus': { data: { display_name: 'QwQ' }, deleted: false } },
      activeModels: { language: null, vision: null },
    } as unknown as OverlaySnapshot);
    expect(merged.providers[0]!.rules).toEqual(provider.rules);
    expect(merged.models.find((m) => m.name === 'qwq-plus')!.rules).toEqual(model.rules);
    const created = parseProviderEntry({ name: 'New', base_url: 'https://new.example/v1' }, 'admin');
    expect(created.rules).toBeUndefined();
    expect('rules' in providerToEntry(created)).toBe(false);
  });
});
