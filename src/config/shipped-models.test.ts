import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { loadConfig } from './load-config.js';
import type { ModelConfig } from './types.js';

const repoRoot = fileURLToPath(new URL('../..', import.meta.url));
const configDir = fileURLToPath(new URL('../../config', import.meta.url));
const config = loadConfig(configDir);

/** Runs the real CLI from source, as `sk-llm-gateway check-config` does from dist/. */
const checkConfig = () =>
  new Promise<{ code: number | null; output: string }>((resolve, reject) => {
    const child = spawn(process.execPath, ['--import', 'tsx', 'src/cli.ts', 'check-config', '--config-dir', configDir], {
      cwd: repoRoot,
      env: { ...process.env, LOG_LEVEL: 'warn' },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let output = '';
    child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()));
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, output }));
  });

/** `- Provider: \`a\`, \`b\`` lines under "### No published price" in docs/providers.md. */
const documentedWithoutPrice = () => {
  const doc = readFileSync(new URL('../../docs/providers.md', import.meta.url), 'utf8');
  const start = doc.indexOf('### No published price');
  expect(start, 'docs/providers.md has a "No published price" section').toBeGreaterThan(-1);
  const rest = doc.slice(start + 1);
  const end = rest.search(/\n#{2,3} /);
  const section = end === -1 ? rest : rest.slice(0, end);
  const listed = new Map<string, Set<string>>();
  for (const line of section.split('\n')) {
    const match = /^- ([^:]+): (.+)$/.exec(line);
    if (!match) continue;
    listed.set(match[1]!, new Set([...match[2]!.matchAll(/`([^`]+)`/g)].map((m) => m[1]!)));
  }
  return listed;
};

const publicNames = (model: ModelConfig) => [model.name, ...model.aliases];

describe('shipped config: models', () => {
  it('check-config accepts it and prints no warning', async () => {
    expect(config.warnings).toEqual([]);
    const { code, output } = await checkConfig();
    expect(output).toContain('configuration OK');
    expect(output).not.toMatch(/^warning:/m);
    expect(code).toBe(0);
  }, 60_000);

  it('every model has a price, or is named in the docs as having none (and the list is current)', () => {
    const listed = documentedWithoutPrice();
    const unpriced = new Map<string, Set<string>>();
    for (const model of config.models.filter((m) => !m.pricing)) {
      unpriced.set(model.provider, (unpriced.get(model.provider) ?? new Set()).add(model.name));
    }
    for (const [provider, names] of unpriced) {
      const documented = listed.get(provider) ?? new Set();
      expect([...names].filter((n) => !documented.has(n)), `${provider} models without pricing missing from docs`).toEqual([]);
    }
    for (const [provider, names] of listed) {
      const missing = unpriced.get(provider) ?? new Set();
      expect([...names].filter((n) => !missing.has(n)), `${provider} models listed as unpriced but priced or gone`).toEqual([]);
    }
  });

  it("prices are in the vendor's currency and consistent", () => {
    const currency: Record<string, string> = {
      DeepSeek: 'CNY', Moonshot: 'CNY', ZhipuAI: 'CNY', Alibaba: 'CNY', ByteDance: 'CNY', Tencent: 'CNY', Baidu: 'CNY', SiliconFlow: 'CNY',
      OpenAI: 'USD', Anthropic: 'USD', Google: 'USD', xAI: 'USD',
    };
    for (const model of config.models) {
      if (!model.pricing) continue;
      const key = `${model.provider}/${model.name}`;
      if (currency[model.provider]) expect(model.pricing.currency, key).toBe(currency[model.provider]);
      // A cache hit never costs more than a fresh input token.
      if (model.pricing.cacheRead !== undefined) expect(model.pricing.cacheRead, key).toBeLessThanOrEqual(model.pricing.input);
      if (model.types.includes('language') || model.types.includes('reasoning')) expect(model.pricing.output, key).toBeGreaterThan(0);
    }
  });

  it('every vendor lists current models with limits and capabilities', () => {
    const expected: Record<string, string[]> = {
      DeepSeek: ['deepseek-flash', 'deepseek-v4-pro'],
      Anthropic: ['claude-opus-5-5', 'claude-sonnet-5-5'],
      Moonshot: ['kimi-k3', 'kimi-k2.6'],
      ZhipuAI: ['glm-5.3', 'glm-5.3-flash'],
      Alibaba: ['qwen3.7-max'],
      ByteDance: ['doubao-seed-2-1-pro-260915'],
      Tencent: ['hunyuan-turbos-latest'],
      Baidu: ['ernie-5.1'],
      OpenAI: ['gpt-5.5'],
      Google: ['gemini-3.1-pro-preview', 'gemini-3-flash-preview'],
      xAI: ['grok-4.5'],
    };
    for (const [provider, names] of Object.entries(expected)) {
      for (const name of names) {
        const model = config.models.find((m) => m.provider === provider && m.name === name);
        expect(model, `${provider}/${name}`).toBeDefined();
        expect(model!.capabilities.length, `${provider}/${name} capabilities`).toBeGreaterThan(0);
      }
    }
    // Retired ids answer as their successors.
    const aliasOf = (name: string) => config.models.find((m) => m.aliases.includes(name))?.name;
    expect(aliasOf('deepseek-chat')).toBe('deepseek-flash');
    expect(aliasOf('deepseek-v4-flash')).toBe('deepseek-flash');
    expect(aliasOf('kimi-k2-0905-preview')).toBe('kimi-k2.6');
  });

  it('no public name is ambiguous', () => {
    // Within a provider, a name or alias means one model, whatever its case.
    for (const provider of config.providers) {
      const owners = new Map<string, string>();
      for (const model of config.models.filter((m) => m.provider === provider.name)) {
        for (const name of publicNames(model)) {
          const previous = owners.get(name.toLowerCase());
          expect(previous === undefined || previous === model.name, `${provider.name}: "${name}" names ${previous} and ${model.name}`).toBe(true);
          owners.set(name.toLowerCase(), model.name);
        }
      }
    }
    // Across the providers enabled out of the box, a bare name resolves to one model. The
    // local servers (vLLM, LM Studio) ship disabled and mirror hub names on purpose.
    const enabled = new Set(config.providers.filter((p) => p.enabled).map((p) => p.name));
    const owners = new Map<string, Set<string>>();
    for (const model of config.models.filter((m) => enabled.has(m.provider))) {
      for (const name of publicNames(model)) {
        const key = name.toLowerCase();
        owners.set(key, (owners.get(key) ?? new Set()).add(`${model.provider}/${model.name}`));
      }
    }
    const ambiguous = [...owners].filter(([, keys]) => keys.size > 1).map(([name, keys]) => `${name}: ${[...keys].join(', ')}`);
    expect(ambiguous).toEqual([]);
  });
});
