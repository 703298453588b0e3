import { mkdtempSync, cpSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { buildCatalog } from '../router/model-catalog.js';
import { lookupModel, resolveModel } from '../router/model-resolver.js';
import { errorOf, tempConfig } from '../test-support/config-dir.js';
import { loadConfig } from './load-config.js';
import { isPlaceholderKey } from './vendors.js';

const sharedSeedDir = resolve(__dirname, '../../../shared/seed/config');
// A verbatim copy of the prototype's config, so the proof runs even where shared/ is absent.
const seedDir = existsSync(sharedSeedDir) ? sharedSeedDir : resolve(__dirname, '__fixtures__/seed-config');
const shippedDir = resolve(__dirname, '../../config');


describe('the seed configuration', () => {
  it('loads unchanged, quirks included', () => {
    const dir = mkdtempSync(join(tmpdir(), 'skgw-seed-'));
    cpSync(seedDir, dir, { recursive: true });
    const config = loadConfig(dir);
    expect(config.providers.map((p) => p.name)).toEqual([
      'Alibaba', 'Baidu', 'Tencent', 'ByteDance', 'ZhipuAI', 'Moonshot', 'DeepSeek', 'SiliconFlow', 'Ollama', 'OpenAI', 'Anthropic', 'Google', 'xAI',
    ]);
    // A name under both language and vision is one model with two types.
    const claude = config.models.filter((m) => m.provider === 'Anthropic' && m.name === 'claude-sonnet-4-5-20250929');
    expect(claude).toHaveLength(1);
    expect(claude[0]!.types).toEqual(['language', 'vision']);
    // OpenAI's seed file has a `reasoning` section; Google's has `experimental: true`.
    expect(config.models.find((m) => m.name === 'o4-mini')?.types).toEqual(['reasoning']);
    expect(config.initialActive.language).toEqual({ provider: 'SiliconFlow', name: 'deepseek-ai/DeepSeek-V3' });
    // Placeholder keys from the example env file count as not set.
    const env = { ZHIPU_API_KEY: 'your_zhipu_api_key_here', MOONSHOT_API_KEY: 'sk-real-looking-key-1234' };
    const catalog = buildCatalog({ providers: config.providers, models: config.models, env, active: config.initialActive });
    expect(catalog.providers.get('zhipuai')!.status).toBe('key_missing');
    expect(catalog.providers.get('moonshot')!.status).toBe('usable');
    expect(catalog.providers.get('ollama')!.status).toBe('usable');
    expect(lookupModel(catalog, 'SiliconFlow/Pro/deepseek-ai/DeepSeek-R1').name).toBe('Pro/deepseek-ai/DeepSeek-R1');
    expect(() => resolveModel(catalog, 'glm-4', 'language')).toThrow(/ZHIPU_API_KEY/);
  });
});

describe('the shipped configuration', () => {
  it('loads with every seed vendor and the presets, and no warnings', () => {
    const config = loadConfig(shippedDir);
    const names = config.providers.map((p) => p.name);
    for (const vendor of ['Alibaba', 'Baidu', 'Tencent', 'ByteDance', 'ZhipuAI', 'Moonshot', 'DeepSeek', 'SiliconFlow', 'Ollama', 'OpenAI', 'Anthropic', 'Google', 'xAI', 'OpenRouter', 'vLLM', 'LMStudio']) {
      expect(names).toContain(vendor);
    }
    expect(config.providers.find((p) => p.name === 'Google')).toMatchObject({ baseUrl: 'https://generativelanguage.googleapis.com', protocol: 'gemini' });
    expect(config.warnings).toEqual([]);
    for (const provider of config.providers) expect(config.models.some((m) => m.provider === provider.name)).toBe(true);
  });
});

describe('validation errors name the file, the YAML path and the line', () => {
  it('bad base_url', () => {
    const dir = tempConfig('providers:\n  - name: "A"\n    api_key_env: "A_KEY"\n    base_url: "ftp://nope"\n');
    const message = errorOf(() => loadConfig(dir));
    expect(message).toContain('models.yaml:4 at providers[0].base_url');
    expect(message).toContain('http(s)');
  });

  it('wrong types for new fields', () => {
    const dir = tempConfig('providers:\n  - name: "A"\n    base_url: "https://a.example/v1"\n    enabled: "yes"\n    timeout_ms: -5\n');
    const message = errorOf(() => loadConfig(dir));
    expect(message).toContain('providers[0].enabled');
    expect(message).toContain('models.yaml:4');
    expect(message).toContain('providers[0].timeout_ms');
  });

  it('model fields in a provider file', () => {
    const dir = tempConfig('providers:\n  - name: "A"\n    base_url: "https://a.example/v1"\n', {
      'a.yaml': 'provider: "A"\nmodels:\n  language:\n    - name: "m1"\n      pricing: { input: -1, output: 2 }\n',
    });
    const message = errorOf(() => loadConfig(dir));
    expect(message).toMatch(/a\.yaml:5 at models\.language\[0\]\.pricing\.input/);
  });

  it('a provider file for an unknown provider', () => {
    const dir = tempConfig('providers:\n  - name: "A"\n    base_url: "https://a.example/v1"\n', { 'b.yaml': 'provider: "B"\nmodels: {}\n' });
    expect(errorOf(() => loadConfig(dir))).toMatch(/b\.yaml:1 at provider: provider "B" is not defined/);
  });

  it('invalid YAML and duplicate providers', () => {
    expect(errorOf(() => loadConfig(tempConfig('providers:\n  - name: "A\n')))).toMatch(/models\.yaml:\d+: invalid YAML/);
    const dup = tempConfig('providers:\n  - name: "A"\n    base_url: "https://a/v1"\n  - name: "a"\n    base_url: "https://b/v1"\n');
    expect(errorOf(() => loadConfig(dup))).toContain('models.yaml:4 at providers[1].name: duplicate provider');
  });

  it('warns (with the line) about unknown keys instead of failing', () => {
    const dir = tempConfig('providers:\n  - name: "A"\n    base_url: "https://a.example/v1"\n    base_ur: "typo"\n');
    expect(loadConfig(dir).warnings[0]).toContain('models.yaml:4 at providers[0].base_ur: unknown key');
  });

  it('reads every new optional field', () => {
    const dir = tempConfig(
      'providers:\n  - name: "A"\n    base_url: "https://a.example/v1/"\n    headers: { X-Org: "o" }\n    timeout_ms: { connect: 100, first_byte: 200 }\n    enabled: false\n    needs_key: false\n',
      { 'a.yaml': 'provider: "a"\nmodels:\n  language:\n    - name: "m"\n      upstream_name: "m-2025"\n      aliases: ["mm"]\n      context_window: 8192\n      max_output_tokens: 1024\n      pricing: { input: 1, output: 2, currency: "CNY" }\n      capabilities: ["vision", "tools"]\n' },
    );
    const config = loadConfig(dir);
    expect(config.providers[0]).toMatchObject({ baseUrl: 'https://a.example/v1', headers: { 'X-Org': 'o' }, timeouts: { connect: 100, firstByte: 200 }, enabled: false, needsKey: false });
    expect(config.models[0]).toMatchObject({ provider: 'A', upstreamName: 'm-2025', aliases: ['mm'], contextWindow: 8192, maxOutputTokens: 1024, pricing: { input: 1, output: 2, currency: 'CNY' }, capabilities: ['vision', 'tools'] });
  });
});

describe('placeholder keys', () => {
  it.each(['your_zhipu_api_key_here', 'YOUR_API_KEY', '', '  ', '<your key>', 'xxx', 'sk-xxxx', 'changeme'])('%j counts as not set', (value) => {
    expect(isPlaceholderKey(value)).toBe(true);
  });
  it.each(['sk-abc123', 'b1f2c3d4e5.f6g7'])('%j is a key', (value) => expect(isPlaceholderKey(value)).toBe(false));
});
