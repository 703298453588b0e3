import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import {
  activeModelsFileSchema,
  modelEntrySchema,
  modelTypeNames,
  modelsFileSchema,
  providerEntrySchema,
  providerFileSchema,
  type ModelEntry,
  type ProviderEntry,
} from './config-schema.js';
import type { GatewayConfig, ModelConfig, ModelType, ProviderConfig, Timeouts } from './types.js';
import { isReservedKeyEnv } from './key-env-policy.js';
import { defaultNeedsKey, detectVendor } from './vendors.js';
import { canonicalVendor } from '../providers/vendor-table.js';
import { ConfigError, YamlSource } from './yaml-source.js';
import { parseModelGroups } from '../router/model-groups.js';

export const defaultVisionPrompt = '请描述这张图片的内容';

const knownProviderKeys = Object.keys(providerEntrySchema.shape);
const knownModelKeys = [...Object.keys(modelEntrySchema.shape), 'experimental'];

const readText = (file: string) => {
  try {
    return readFileSync(file, 'utf8');
  } catch (error) {
    throw new ConfigError(`${file}: cannot read: ${(error as NodeJS.ErrnoException).code ?? String(error)}`);
  }
};

export const toTimeouts = (value: ProviderEntry['timeout_ms']): Partial<Timeouts> => {
  if (value === undefined) return {};
  if (typeof value === 'number') return { total: value };
  const out: Partial<Timeouts> = {};
  if (value.connect) out.connect = value.connect;
  if (value.first_byte) out.firstByte = value.first_byte;
  if (value.idle) out.idle = value.idle;
  if (value.total) out.total = value.total;
  return out;
};

export const toImageLimits = (value: ProviderEntry['image_limits']) => ({
  ...(value?.max_long_edge ? { maxLongEdge: value.max_long_edge } : {}),
  ...(value?.max_pixels ? { maxPixels: value.max_pixels } : {}),
  ...(value?.max_bytes ? { maxBytes: value.max_bytes } : {}),
});

export const providerFromEntry = (entry: ProviderEntry, source: 'config' | 'admin' = 'config'): ProviderConfig => {
  const baseUrl = entry.base_url.replace(/\/+$/, '');
  // One id per vendor (the vendor table's): `qwen`, `gemini`, `doubao` name alibaba, google, bytedance.
  const vendor = entry.vendor ? canonicalVendor(entry.vendor) : detectVendor(entry.name, baseUrl);
  return {
    name: entry.name,
    vendor,
    apiKeyEnv: (Array.isArray(entry.api_key_env) ? entry.api_key_env[0] : entry.api_key_env) ?? null,
    apiKeyEnvs: entry.api_key_env === undefined ? [] : Array.isArray(entry.api_key_env) ? [...new Set(entry.api_key_env)] : [entry.api_key_env],
    baseUrl,
    description: entry.description ?? '',
    ...(entry.description_en ? { descriptionEn: entry.description_en } : {}),
    protocol: entry.protocol ?? 'openai',
    headers: entry.headers ?? {},
    timeouts: toTimeouts(entry.timeout_ms),
    enabled: entry.enabled ?? true,
    needsKey: entry.needs_key ?? defaultNeedsKey(vendor, baseUrl),
    imageDelivery: entry.image_delivery ?? null,
    forceInlineImages: entry.force_inline_images ?? false,
    streamUsage: entry.stream_usage ?? null,
    drainOnDisconnect: entry.drain_on_disconnect ?? false,
    imageLimits: toImageLimits(entry.image_limits),
    ...(entry.rules ? { rules: entry.rules } : {}),
    source,
  };
};

export const modelFromEntry = (
  entry: ModelEntry,
  provider: string,
  type: ModelType,
  source: 'config' | 'admin' = 'config',
): ModelConfig => ({
  name: entry.name,
  provider,
  types: [type],
  displayName: entry.display_name ?? entry.name,
  ...(entry.display_name_en ? { displayNameEn: entry.display_name_en } : {}),
  description: entry.description ?? '',
  ...(entry.description_en ? { descriptionEn: entry.description_en } : {}),
  upstreamName: entry.upstream_name ?? entry.name,
  aliases: entry.aliases ?? [],
  contextWindow: entry.context_window ?? null,
  maxOutputTokens: entry.max_output_tokens ?? null,
  pricing: entry.pricing
    ? {
        input: entry.pricing.input,
        output: entry.pricing.output,
        ...(entry.pricing.cache_read !== undefined ? { cacheRead: entry.pricing.cache_read } : {}),
        ...(entry.pricing.cache_write !== undefined ? { cacheWrite: entry.pricing.cache_write } : {}),
        currency: entry.pricing.currency ?? 'USD',
      }
    : null,
  capabilities: entry.capabilities ?? [],
  enabled: entry.enabled ?? true,
  imageLimits: toImageLimits(entry.image_limits),
  timeouts: toTimeouts(entry.timeout_ms),
  cacheTtlSeconds: entry.cache_ttl_seconds ?? 0,
  ...(entry.rules ? { rules: entry.rules } : {}),
  source,
});

/**
 * Load `models.yaml`, `providers/*.yaml` and `active_models.json` from a config folder.
 * Throws ConfigError with one line per problem (file, YAML path, line).
 */
export const loadConfig = (configDirInput: string): GatewayConfig => {
  const configDir = resolve(configDirInput);
  const warnings: string[] = [];
  const modelsPath = join(configDir, 'models.yaml');
  if (!existsSync(modelsPath)) throw new ConfigError(`${modelsPath}: file not found (the config folder needs models.yaml)`);

  const modelsSource = new YamlSource(modelsPath, readText(modelsPath));
  const modelsFile = modelsSource.parse(modelsFileSchema);
  const providers: ProviderConfig[] = [];
  const byName = new Map<string, ProviderConfig>();
  modelsFile.providers.forEach((entry, index) => {
    const raw = (modelsSource.data as { providers: unknown[] }).providers[index];
    warnings.push(...modelsSource.unknownKeys(['providers', index], raw, knownProviderKeys));
    const lower = entry.name.toLowerCase();
    if (byName.has(lower)) {
      throw new ConfigError(`${modelsSource.describe(['providers', index, 'name'])}: duplicate provider "${entry.name}"`);
    }
    // The key variable's value is sent to base_url: never one of the gateway's own secrets.
    const reservedEnv = ([] as string[]).concat(entry.api_key_env ?? []).find((name) => isReservedKeyEnv(name));
    if (reservedEnv) {
      throw new ConfigError(
        `${modelsSource.describe(['providers', index, 'api_key_env'])}: api_key_env "${reservedEnv}" names one of the gateway's own or the system's variables; put the provider's key in a variable meant for it (e.g. ${entry.name.toUpperCase().replace(/[^A-Z0-9]+/g, '_')}_API_KEY)`,
      );
    }
    const provider = providerFromEntry(entry);
    byName.set(lower, provider);
    providers.push(provider);
  });

  const models: ModelConfig[] = [];
  const providersDir = join(configDir, 'providers');
  const providerFiles = existsSync(providersDir)
    ? readdirSync(providersDir).filter((f) => /\.ya?ml$/i.test(f)).sort()
    : [];
  for (const fileName of providerFiles) {
    const file = join(providersDir, fileName);
    const source = new YamlSource(file, readText(file));
    const parsed = source.parse(providerFileSchema);
    const provider = byName.get(parsed.provider.toLowerCase());
    if (!provider) {
      throw new ConfigError(
        `${source.describe(['provider'])}: provider "${parsed.provider}" is not defined in ${modelsPath}`,
      );
    }
    const seen = new Map<string, ModelConfig>();
    for (const type of modelTypeNames) {
      const list = parsed.models[type] ?? [];
      list.forEach((entry, index) => {
        const raw = (source.data as { models: Record<string, unknown[]> }).models[type]?.[index];
        warnings.push(...source.unknownKeys(['models', type, index], raw, knownModelKeys));
        const existing = seen.get(entry.name);
        if (existing) {
          // The seed lists one model under both language and vision: one model, two types.
          if (!existing.types.includes(type)) existing.types.push(type);
          else warnings.push(`${source.describe(['models', type, index])}: model "${entry.name}" listed twice`);
          return;
        }
        const model = modelFromEntry(entry, provider.name, type);
        seen.set(entry.name, model);
        models.push(model);
      });
    }
    for (const key of Object.keys(parsed.models)) {
      if (!(modelTypeNames as readonly string[]).includes(key)) {
        warnings.push(`${source.describe(['models', key])}: unknown model type "${key}" ignored`);
      }
    }
  }

  const activePath = join(configDir, 'active_models.json');
  let initialActive: GatewayConfig['initialActive'] = { language: null, vision: null };
  if (existsSync(activePath)) {
    let json: unknown;
    try {
      json = JSON.parse(readText(activePath));
    } catch (error) {
      throw new ConfigError(`${activePath}: invalid JSON: ${(error as Error).message}`);
    }
    const parsed = activeModelsFileSchema.safeParse(json);
    if (!parsed.success) {
      throw new ConfigError(
        parsed.error.issues.map((i) => `${activePath} at ${i.path.join('.')}: ${i.message}`).join('\n'),
      );
    }
    const ref = (provider?: string, name?: string) => (name ? { provider: provider ?? '', name } : null);
    initialActive = {
      language: ref(parsed.data.active_language_model_provider, parsed.data.active_language_model),
      vision: ref(parsed.data.active_vision_model_provider, parsed.data.active_vision_model),
    };
  }

  let modelGroups: GatewayConfig['modelGroups'] = [];
  const rawGroups = (modelsSource.data as { model_groups?: unknown[] }).model_groups;
  if (rawGroups) {
    modelGroups = rawGroups.map((entry, index) => {
      try {
        return parseModelGroups([entry])[0]!;
      } catch (error) {
        const issues = (error as { issues?: Array<{ path: PropertyKey[]; message: string }> }).issues;
        const first = issues?.[0];
        throw new ConfigError(
          `${modelsSource.describe(['model_groups', index, ...(first?.path ?? [])])}: ${first?.message ?? (error as Error).message}`,
        );
      }
    });
  }
  const vision = modelsFile.vision ?? {};
  return {
    configDir,
    providers,
    models,
    initialActive,
    vision: {
      defaultPrompt: vision.default_prompt ?? defaultVisionPrompt,
      allowedUrlHosts: (vision.allowed_url_hosts ?? []).map((h) => h.toLowerCase()),
      maxUploadBytes: vision.max_upload_bytes ?? 20 * 1024 * 1024,
      ...(vision.max_concurrent_images ? { maxConcurrentImages: vision.max_concurrent_images } : {}),
      ...(vision.image_queue_size !== undefined ? { imageQueueSize: vision.image_queue_size } : {}),
      ...(vision.image_timeout_ms ? { imageTimeoutMs: vision.image_timeout_ms } : {}),
      ...(vision.max_decode_bytes ? { maxDecodeBytes: vision.max_decode_bytes } : {}),
    },
    modelGroups,
    routing: {
      ...(modelsFile.routing?.failure_threshold ? { failureThreshold: modelsFile.routing.failure_threshold } : {}),
      ...(modelsFile.routing?.window_ms ? { windowMs: modelsFile.routing.window_ms } : {}),
      ...(modelsFile.routing?.cooldown_ms ? { cooldownMs: modelsFile.routing.cooldown_ms } : {}),
      ...(modelsFile.routing?.max_cooldown_ms ? { maxCooldownMs: modelsFile.routing.max_cooldown_ms } : {}),
    },
    cache: {
      maxBytes: modelsFile.cache?.max_bytes ?? 64 * 1024 * 1024,
      defaultTtlMs: (modelsFile.cache?.default_ttl_seconds ?? 300) * 1000,
    },
    warnings,
  };
};
