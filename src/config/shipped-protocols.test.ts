import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { loadConfig } from './load-config.js';

const config = loadConfig(fileURLToPath(new URL('../../config', import.meta.url)));

describe('shipped config: protocols', () => {
  it('the Anthropic provider speaks the native Messages API, with max_output_tokens on every model', () => {
    const anthropic = config.providers.find((p) => p.name === 'Anthropic')!;
    expect(anthropic).toMatchObject({ protocol: 'anthropic', baseUrl: 'https://api.anthropic.com', vendor: 'anthropic' });
    for (const model of config.models.filter((m) => m.provider === 'Anthropic')) expect(model.maxOutputTokens, model.name).toBeGreaterThan(0);
  });

  it('the Google provider speaks the native Gemini API, its key in x-goog-api-key', () => {
    expect(config.providers.find((p) => p.name === 'Google')).toMatchObject({ protocol: 'gemini', baseUrl: 'https://generativelanguage.googleapis.com', vendor: 'google' });
  });

  it('the Anthropic-compatible presets have their own key variables and model names that clash with nothing', () => {
    const presets = config.providers.filter((p) => p.name.endsWith('-Anthropic'));
    expect(presets.map((p) => p.name).sort()).toEqual(['Alibaba-Anthropic', 'DeepSeek-Anthropic', 'Moonshot-Anthropic', 'SiliconFlow-Anthropic', 'ZhipuAI-Anthropic']);
    const otherKeys = new Set(config.providers.filter((p) => !presets.includes(p)).map((p) => p.apiKeyEnv));
    for (const preset of presets) {
      expect(preset.protocol).toBe('anthropic');
      expect(preset.needsKey).toBe(true);
      expect(otherKeys.has(preset.apiKeyEnv)).toBe(false);
    }
    const names = new Map<string, Set<string>>();
    for (const model of config.models) {
      for (const name of [model.name, ...model.aliases]) names.set(name, (names.get(name) ?? new Set()).add(model.provider));
    }
    for (const model of config.models.filter((m) => m.provider.endsWith('-Anthropic'))) {
      expect(names.get(model.name)!.size, model.name).toBe(1);
      expect(model.upstreamName).not.toBe(model.name);
    }
  });
});
