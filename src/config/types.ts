import type { ModelGroup } from '../router/types.js';
import type { ModelRules } from '../providers/rules/rule-types.js';

export type ModelType = 'language' | 'vision' | 'embedding' | 'reasoning';
export type ImageDelivery = 'url' | 'data-url' | 'raw-base64';

export interface Timeouts {
  connect: number;
  firstByte: number;
  idle: number;
  total: number;
}

export interface ImageLimitOverrides {
  maxLongEdge?: number;
  maxPixels?: number;
  maxBytes?: number;
}

export interface Pricing {
  /** Price per 1M input tokens. */
  input: number;
  /** Price per 1M output tokens (reasoning included). */
  output: number;
  /** Price per 1M prompt tokens read from the vendor's cache; absent: the input price. */
  cacheRead?: number;
  /** Price per 1M prompt tokens written to the vendor's cache; absent: the input price. */
  cacheWrite?: number;
  /** ISO 4217 code (USD, CNY, …); costs in different currencies are never added together. */
  currency: string;
}

export interface ProviderConfig {
  name: string;
  /** Lower-case vendor id used to pick quirks (moonshot, ollama, …). */
  vendor: string;
  /** The first (or only) key variable. */
  apiKeyEnv: string | null;
  /** Every key variable when `api_key_env` lists several (a key pool); [apiKeyEnv] otherwise. */
  apiKeyEnvs?: string[];
  baseUrl: string;
  description: string;
  /** English description, when the config gives one. */
  descriptionEn?: string;
  /** The wire protocol the vendor speaks; picks passthrough or translation per request. */
  protocol: 'openai' | 'anthropic' | 'openai-responses' | 'gemini';
  headers: Record<string, string>;
  timeouts: Partial<Timeouts>;
  enabled: boolean;
  needsKey: boolean;
  imageDelivery: ImageDelivery | null;
  forceInlineImages: boolean;
  streamUsage: boolean | null;
  drainOnDisconnect: boolean;
  imageLimits: ImageLimitOverrides;
  /** YAML `rules:` overriding the vendor table for every model of this provider. */
  rules?: ModelRules;
  source: 'config' | 'admin';
}

export interface ModelConfig {
  name: string;
  provider: string;
  types: ModelType[];
  displayName: string;
  /** English display name and description, when the config gives them (the console's English UI uses them). */
  displayNameEn?: string;
  descriptionEn?: string;
  description: string;
  upstreamName: string;
  aliases: string[];
  contextWindow: number | null;
  maxOutputTokens: number | null;
  pricing: Pricing | null;
  capabilities: string[];
  enabled: boolean;
  imageLimits: ImageLimitOverrides;
  timeouts: Partial<Timeouts>;
  cacheTtlSeconds: number;
  /** YAML `rules:` overriding the vendor table and the provider's rules for this model. */
  rules?: ModelRules;
  source: 'config' | 'admin';
}

export interface ActiveModelRef {
  provider: string;
  name: string;
}

export interface VisionSettings {
  defaultPrompt: string;
  allowedUrlHosts: string[];
  maxUploadBytes: number;
  /** Image work admission (src/images/image-work-queue.ts); undefined = the defaults. */
  maxConcurrentImages?: number;
  imageQueueSize?: number;
  imageTimeoutMs?: number;
  maxDecodeBytes?: number;
}

export interface GatewayConfig {
  configDir: string;
  providers: ProviderConfig[];
  models: ModelConfig[];
  /** From the config folder's active_models.json (seed format), if present. */
  initialActive: { language: ActiveModelRef | null; vision: ActiveModelRef | null };
  vision: VisionSettings;
  /** Public names that stand for several deployments (see src/router/types.ts). */
  modelGroups: ModelGroup[];
  cache: { maxBytes: number; defaultTtlMs: number };
  /** Circuit breaker settings per deployment. */
  routing: { failureThreshold?: number; windowMs?: number; cooldownMs?: number; maxCooldownMs?: number };
  warnings: string[];
}

export const modelKey = (provider: string, name: string) => `${provider}/${name}`;
