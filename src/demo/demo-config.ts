import { defaultVisionPrompt } from '../config/load-config.js';
import type { GatewayConfig, ModelConfig, ModelType, Pricing, ProviderConfig } from '../config/types.js';

/**
 * Demo mode (`serve --demo`): the gateway in front of the in-process provider simulator,
 * so every example and the whole console work without a vendor key. This configuration
 * exists only when the CLI is started with `--demo`; it is never merged into a normal
 * start, and config/ is not read at all.
 */

export const DEMO_LABEL = { en: 'Demo (simulator)', zh: '演示（模拟器）' } as const;

export interface DemoModelSpec {
  name: string;
  types: ModelType[];
  displayName: string;
  description: string;
  capabilities: string[];
  contextWindow: number;
  /** Invented prices so the dashboard's cost figures have something to show. */
  pricing: Pricing | null;
}

/**
 * One demo provider per wire protocol the simulator answers. To demo a new protocol, teach
 * the simulator to answer it and add an entry here (e.g. `protocol: 'anthropic'` at the
 * simulator's `/anthropic` prefix): the gateway, console and examples pick it up unchanged.
 */
export interface DemoProviderSpec {
  name: string;
  protocol: ProviderConfig['protocol'];
  vendor: string;
  /** Path prefix on the simulator that speaks this protocol (the provider's base URL). */
  path: string;
  models: DemoModelSpec[];
}

export const DEMO_PROVIDERS: readonly DemoProviderSpec[] = [
  {
    name: 'Demo',
    protocol: 'openai',
    // The simulator's plain OpenAI mode; no vendor quirks.
    vendor: 'openai-compatible',
    path: '/v1',
    models: [
      {
        name: 'demo-chat',
        // Chats and sees images, so it is in both pickers and answers tools, streams and uploads.
        types: ['language', 'vision'],
        displayName: 'Demo chat',
        description: `${DEMO_LABEL.en} · ${DEMO_LABEL.zh}: chat, streaming, tools and images`,
        capabilities: ['vision', 'tools', 'streaming'],
        contextWindow: 128_000,
        pricing: { input: 1, output: 2, currency: 'USD' },
      },
      {
        name: 'demo-mini',
        types: ['language'],
        displayName: 'Demo mini',
        description: `${DEMO_LABEL.en} · ${DEMO_LABEL.zh}: a second chat model to switch to`,
        capabilities: ['tools', 'streaming'],
        contextWindow: 32_000,
        pricing: { input: 0.5, output: 1, currency: 'CNY' },
      },
      {
        name: 'demo-embedding',
        types: ['embedding'],
        displayName: 'Demo embedding',
        description: `${DEMO_LABEL.en} · ${DEMO_LABEL.zh}: embeddings`,
        capabilities: [],
        contextWindow: 8_192,
        pricing: { input: 0.02, output: 0, currency: 'USD' },
      },
    ],
  },
];

/** The models the README's demo examples name; a test checks they exist. */
export const DEMO_CHAT_MODEL = 'demo-chat';
export const DEMO_EMBEDDING_MODEL = 'demo-embedding';

const demoProvider = (spec: DemoProviderSpec, simulatorUrl: string): ProviderConfig => ({
  name: spec.name,
  vendor: spec.vendor,
  apiKeyEnv: null,
  baseUrl: `${simulatorUrl.replace(/\/+$/, '')}${spec.path}`,
  description: `${DEMO_LABEL.en} · ${DEMO_LABEL.zh}: simulated answers on this machine, no vendor key`,
  protocol: spec.protocol,
  headers: {},
  // Short: the simulator is in-process, so a slow answer means something is wrong.
  timeouts: { connect: 2_000, firstByte: 30_000, idle: 30_000, total: 120_000 },
  enabled: true,
  needsKey: false,
  imageDelivery: null,
  forceInlineImages: false,
  streamUsage: true,
  drainOnDisconnect: false,
  imageLimits: {},
  source: 'config',
});

const demoModel = (spec: DemoModelSpec, provider: string): ModelConfig => ({
  name: spec.name,
  provider,
  types: [...spec.types],
  displayName: spec.displayName,
  description: spec.description,
  upstreamName: spec.name,
  aliases: [],
  contextWindow: spec.contextWindow,
  maxOutputTokens: null,
  pricing: spec.pricing ? { ...spec.pricing } : null,
  capabilities: [...spec.capabilities],
  enabled: true,
  imageLimits: {},
  timeouts: {},
  cacheTtlSeconds: 0,
  source: 'config',
});

/** The gateway configuration for demo mode, pointing at a simulator listening on `simulatorUrl`. */
export const buildDemoConfig = (simulatorUrl: string, specs: readonly DemoProviderSpec[] = DEMO_PROVIDERS): GatewayConfig => {
  const providers = specs.map((spec) => demoProvider(spec, simulatorUrl));
  const models = specs.flatMap((spec) => spec.models.map((model) => demoModel(model, spec.name)));
  const first = (type: ModelType) => {
    const model = models.find((m) => m.types.includes(type));
    return model ? { provider: model.provider, name: model.name } : null;
  };
  return {
    // Not a folder that is read: shown by the console and the config export as the source.
    configDir: '(demo mode: built in, config/ not read)',
    providers,
    models,
    initialActive: { language: first('language'), vision: first('vision') },
    vision: { defaultPrompt: defaultVisionPrompt, allowedUrlHosts: [], maxUploadBytes: 20 * 1024 * 1024 },
    modelGroups: [],
    cache: { maxBytes: 64 * 1024 * 1024, defaultTtlMs: 300_000 },
    routing: {},
    warnings: [],
  };
};
