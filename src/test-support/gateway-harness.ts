import { mkdtempSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import OpenAI from 'openai';
import { afterAll, beforeAll, beforeEach } from 'vitest';
import pino from 'pino';
import { readRuntimeSettings, type RuntimeSettings } from '../config/env.js';
import { buildApp, type BuildAppOptions, type GatewayApp } from '../server/app.js';
import { startSimulator, type Simulator } from '../simulator/index.js';

export interface TestProvider {
  name: string;
  vendor: string;
  keyEnv?: string;
  key?: string | null;
  extra?: string;
  baseUrl?: string;
  models: { language?: string[]; vision?: string[]; embedding?: string[] };
  /** Extra YAML lines for a model's entry (by model name), indented under it: e.g. `rules: { stream_only: true }`. */
  modelYaml?: Record<string, string>;
}

export const defaultTestProviders = (): TestProvider[] => [
  {
    name: 'OpenAI',
    vendor: 'openai',
    keyEnv: 'OPENAI_API_KEY',
    key: 'sk-test-openai-secret-1234',
    models: { language: ['gpt-test'], vision: ['gpt-test', 'vision-test'], embedding: ['embed-test'] },
  },
  { name: 'Moonshot', vendor: 'moonshot', keyEnv: 'MOONSHOT_API_KEY', key: 'sk-moon-secret-5678', models: { language: ['kimi-test', 'shared-name'] } },
  { name: 'ZhipuAI', vendor: 'zhipu', keyEnv: 'ZHIPU_API_KEY', key: 'zhipu-secret-9012', models: { language: ['glm-test', 'shared-name'] } },
  { name: 'NoUsage', vendor: 'nousage', keyEnv: 'NOUSAGE_API_KEY', key: 'nousage-secret-3456', models: { language: ['quiet-model'] } },
  {
    name: 'SiliconFlow',
    vendor: 'siliconflow',
    keyEnv: 'SILICONFLOW_API_KEY',
    key: 'sf-secret-7890',
    models: { language: ['deepseek-ai/DeepSeek-V3', 'Qwen/Qwen3-8B'], vision: ['deepseek-ai/deepseek-vl2'] },
  },
  { name: 'Keyless', vendor: 'openai', keyEnv: 'KEYLESS_API_KEY', key: null, models: { language: ['needs-key-model'] } },
  { name: 'Ollama', vendor: 'ollama', models: { language: ['llama-local'], vision: ['llava-local'] }, extra: '    needs_key: false\n' },
];

export const writeTestConfig = (dir: string, simUrl: string, providers: TestProvider[], modelsYamlExtra = '') => {
  mkdirSync(join(dir, 'providers'), { recursive: true });
  const lines = ['providers:'];
  for (const p of providers) {
    lines.push(`  - name: "${p.name}"`);
    // The simulator is on loopback, where keys default to optional: say they are needed.
    if (p.keyEnv) lines.push(`    api_key_env: "${p.keyEnv}"\n    needs_key: true`);
    lines.push(`    base_url: "${p.baseUrl ?? `${simUrl}/${p.vendor}/v1`}"`);
    lines.push(`    vendor: "${p.vendor === 'nousage' ? 'openai' : p.vendor}"`);
    if (!p.extra?.includes('timeout_ms')) lines.push('    timeout_ms: { connect: 2000, first_byte: 3000, idle: 3000, total: 20000 }');
    if (p.extra) lines.push(p.extra.trimEnd());
  }
  writeFileSync(join(dir, 'models.yaml'), `${lines.join('\n')}\n${modelsYamlExtra}`);
  for (const p of providers) {
    const body = [`provider: "${p.name}"`, 'models:'];
    for (const [type, names] of Object.entries(p.models)) {
      body.push(`  ${type}:`);
      for (const name of names ?? []) {
        body.push(`    - name: "${name}"\n      display_name: "${name} display"`);
        const extra = p.modelYaml?.[name];
        if (extra) body.push(...extra.trimEnd().split('\n').map((line) => `      ${line}`));
      }
    }
    writeFileSync(join(dir, 'providers', `${p.name.toLowerCase()}.yaml`), `${body.join('\n')}\n`);
  }
};

export interface Harness {
  sim: Simulator;
  gateway: GatewayApp;
  url: string;
  configDir: string;
  dataDir: string;
  env: NodeJS.ProcessEnv;
  logLines: string[];
  client(apiKey?: string): OpenAI;
  restart(overrides?: Partial<HarnessOptions>): Promise<void>;
  close(): Promise<void>;
}

export interface HarnessOptions {
  providers?: TestProvider[];
  settings?: Partial<RuntimeSettings>;
  env?: NodeJS.ProcessEnv;
  modelsYamlExtra?: string;
  activeModels?: object;
  build?: Partial<BuildAppOptions>;
  sim?: Simulator;
  /** A fixed port (e.g. one an identity provider's redirect URL names); default: any free one. */
  listenPort?: number;
}

/** Boots the real server on a random port, over a temporary config, data dir and the simulator. */
export const startHarness = async (options: HarnessOptions = {}): Promise<Harness> => {
  const root = mkdtempSync(join(tmpdir(), 'skgw-test-'));
  const configDir = join(root, 'config');
  const dataDir = join(root, 'data');
  const ownSim = !options.sim;
  const sim = options.sim ?? (await startSimulator());
  const providers = options.providers ?? defaultTestProviders();
  writeTestConfig(configDir, sim.url, providers, options.modelsYamlExtra);
  if (options.activeModels) writeFileSync(join(configDir, 'active_models.json'), JSON.stringify(options.activeModels));
  const env: NodeJS.ProcessEnv = { ...(options.env ?? {}) };
  for (const p of providers) if (p.keyEnv && p.key) env[p.keyEnv] = p.key;
  const logLines: string[] = [];
  const logger = pino({ level: 'debug' }, { write: (line: string) => void logLines.push(line) });

  let gateway: GatewayApp;
  let url = '';
  const boot = async (opts: HarnessOptions) => {
    const settings = readRuntimeSettings({}, { configDir, dataDir, port: 0, ...(opts.settings ?? {}) });
    gateway = await buildApp({ settings, env, logger, ...(opts.build ?? {}) });
    await gateway.app.listen({ host: '127.0.0.1', port: opts.listenPort ?? 0 });
    const address = gateway.app.server.address();
    url = `http://127.0.0.1:${typeof address === 'object' && address ? address.port : 0}`;
  };
  await boot(options);

  const harness: Harness = {
    sim,
    get gateway() {
      return gateway;
    },
    get url() {
      return url;
    },
    configDir,
    dataDir,
    env,
    logLines,
    // No key given: the SDK sends no Authorization header (anonymous, loopback, no master key).
    client: (apiKey?: string) =>
      new OpenAI({
        apiKey: apiKey ?? 'unused',
        baseURL: `${url}/v1`,
        maxRetries: 0,
        timeout: 15_000,
        ...(apiKey === undefined ? { defaultHeaders: { authorization: null } } : {}),
      }),
    restart: async (overrides = {}) => {
      await gateway.close();
      await boot({ ...options, ...overrides });
    },
    close: async () => {
      await gateway.close();
      if (ownSim) await sim.close();
      rmSync(root, { recursive: true, force: true });
    },
  } as Harness;
  return harness;
};

/**
 * One harness per test file, the lifecycle every route test repeats: started before the
 * file's tests, closed after them, and the simulator's record and rules cleared before each
 * test (then `onReset`, for a file's own collected rows). It exists only once `beforeAll`
 * ran, so the tests reach it through this stand-in, which fails loudly if read earlier.
 */
export const useHarness = (options: HarnessOptions, onReset?: () => void): Harness => {
  let current: Harness | undefined;
  beforeAll(async () => {
    current = await startHarness(options);
  });
  afterAll(async () => {
    await current?.close();
  });
  beforeEach(() => {
    current!.sim.clear();
    current!.sim.clearRules();
    onReset?.();
  });
  return new Proxy({} as Harness, {
    get: (_target, key) => {
      if (!current) throw new Error('the harness is read before beforeAll started it');
      return Reflect.get(current, key);
    },
  });
};
