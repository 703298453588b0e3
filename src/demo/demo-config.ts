import type { z } from 'zod';
import { modelEntrySchema, providerEntrySchema } from '../config/config-schema.js';
import { defaultVisionPrompt, modelFromEntry, providerFromEntry } from '../config/load-config.js';
import type { GatewayConfig, ModelConfig, ModelType, ProviderConfig } from '../config/types.js';

/**
 * Demo mode (`serve --demo`): the gateway in front of the in-process provider simulator,
 * so every example and the whole console work without a vendor key. This configuration
 * exists only when the CLI is started with `--demo`; it is never merged into a normal
 * start, and config/ is not read at all.
 */

export const DEMO_LABEL = { en: 'Demo (simulator)', zh: '演示（模拟器）' } as const;

/** A demo model in the providers/*.yaml layout, with the types it is listed under. */
export interface DemoModelSpec {
  types: ModelType[];
  entry: z.input<typeof modelEntrySchema>;
}

/**
 * One demo provider per wire protocol the simulator answers. To demo a new protocol, teach
 * the simulator to answer it and add an entry here (e.g. `protocol: 'anthropic'` at the
 * simulator's `/anthropic` prefix): the gateway, console and examples pick it up unchanged.
 * Entries use the config files' layout, so they get the same defaults as config/ would.
 */
export interface DemoProviderSpec {
  name: string;
  protocol: ProviderConfig['protocol'];
  vendor: string;
  /** Path prefix on the simulator that speaks this protocol (the provider's base URL). */
  path: string;
  models: DemoModelSpec[];
}

const described = (what: string) => `${DEMO_LABEL.en} · ${DEMO_LABEL.zh}: ${what}`;

export const DEMO_PROVIDERS: readonly DemoProviderSpec[] = [
  {
    name: 'Demo',
    protocol: 'openai',
    // The simulator's plain OpenAI mode; no vendor quirks.
    vendor: 'openai-compatible',
    path: '/v1',
    models: [
      {
        // Chats and sees images, so it is in both pickers and answers tools, streams and uploads.
        types: ['language', 'vision'],
        entry: {
          name: 'demo-chat',
          display_name: 'Demo chat',
          description: described('chat, streaming, tools and images'),
          capabilities: ['vision', 'tools', 'streaming'],
          context_window: 128_000,
          // Invented prices, so the dashboard's cost figures have something to show.
          pricing: { input: 1, output: 2, currency: 'USD' },
        },
      },
      {
        types: ['language'],
        entry: {
          name: 'demo-mini',
          display_name: 'Demo mini',
          description: described('a second chat model to switch to'),
          capabilities: ['tools', 'streaming'],
          context_window: 32_000,
          pricing: { input: 0.5, output: 1, currency: 'CNY' },
        },
      },
      {
        types: ['embedding'],
        entry: {
          name: 'demo-embedding',
          display_name: 'Demo embedding',
          description: described('embeddings'),
          context_window: 8_192,
          pricing: { input: 0.02, output: 0, currency: 'USD' },
        },
      },
    ],
  },
  {
    name: 'Demo-Anthropic',
    protocol: 'anthropic',
    // The simulator's Anthropic Messages responder (/anthropic/v1/messages).
    vendor: 'anthropic',
    path: '/anthropic',
    models: [
      {
        // Reached natively by Anthropic clients (/v1/messages) and translated for OpenAI ones.
        types: ['language', 'vision'],
        entry: {
          name: 'demo-claude',
          display_name: 'Demo Claude-style',
          description: described('Anthropic Messages protocol: chat, streaming, tools and images'),
          capabilities: ['vision', 'tools', 'streaming'],
          context_window: 200_000,
          max_output_tokens: 8_192,
          pricing: { input: 3, output: 15, currency: 'USD' },
        },
      },
    ],
  },
];

const demoProvider = (spec: DemoProviderSpec, simulatorUrl: string): ProviderConfig =>
  providerFromEntry(
    providerEntrySchema.parse({
      name: spec.name,
      base_url: `${simulatorUrl.replace(/\/+$/, '')}${spec.path}`,
      description: described('simulated answers on this machine, no vendor key'),
      protocol: spec.protocol,
      vendor: spec.vendor,
      needs_key: false,
      stream_usage: true,
      // Short: the simulator is in-process, so a slow answer means something is wrong.
      timeout_ms: { connect: 2_000, first_byte: 30_000, idle: 30_000, total: 120_000 },
    }),
  );

const demoModel = (spec: DemoModelSpec, provider: string): ModelConfig => {
  const model = modelFromEntry(modelEntrySchema.parse(spec.entry), provider, spec.types[0]!);
  model.types = [...spec.types];
  return model;
};

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
