import { modelEntrySchema, providerEntrySchema } from '../config/config-schema.js';
import { modelFromEntry, providerFromEntry } from '../config/load-config.js';
import { rulesToEntry } from '../config/rules-schema.js';
import type { ActiveModelRef, GatewayConfig, ModelConfig, ModelType, ProviderConfig } from '../config/types.js';
import { modelKey } from '../config/types.js';
import type { OverlaySnapshot } from '../storage/index.js';

/**
 * The admin overlay uses the YAML files' own field names (snake_case), so an entry can be
 * exported to YAML and imported back without translation.
 */
export type ProviderOverlayData = Record<string, unknown>;
export type ModelOverlayData = Record<string, unknown> & { provider?: string; name?: string; types?: ModelType[] };

const modelTypes = new Set<ModelType>(['language', 'vision', 'embedding', 'reasoning']);

export const providerToEntry = (p: ProviderConfig): Record<string, unknown> => ({
  name: p.name,
  ...(p.apiKeyEnvs && p.apiKeyEnvs.length > 1 ? { api_key_env: p.apiKeyEnvs } : p.apiKeyEnv ? { api_key_env: p.apiKeyEnv } : {}),
  base_url: p.baseUrl,
  description: p.description,
  ...(p.descriptionEn ? { description_en: p.descriptionEn } : {}),
  protocol: p.protocol,
  vendor: p.vendor,
  ...(Object.keys(p.headers).length ? { headers: p.headers } : {}),
  ...(Object.keys(p.timeouts).length
    ? {
        timeout_ms: {
          ...(p.timeouts.connect ? { connect: p.timeouts.connect } : {}),
          ...(p.timeouts.firstByte ? { first_byte: p.timeouts.firstByte } : {}),
          ...(p.timeouts.idle ? { idle: p.timeouts.idle } : {}),
          ...(p.timeouts.total ? { total: p.timeouts.total } : {}),
        },
      }
    : {}),
  enabled: p.enabled,
  needs_key: p.needsKey,
  ...(p.imageDelivery ? { image_delivery: p.imageDelivery } : {}),
  ...(p.forceInlineImages ? { force_inline_images: true } : {}),
  ...(p.streamUsage !== null ? { stream_usage: p.streamUsage } : {}),
  ...(p.drainOnDisconnect ? { drain_on_disconnect: true } : {}),
  ...(p.rules ? { rules: rulesToEntry(p.rules) } : {}),
});

export const modelToEntry = (m: ModelConfig): Record<string, unknown> => ({
  name: m.name,
  provider: m.provider,
  types: m.types,
  display_name: m.displayName,
  ...(m.displayNameEn ? { display_name_en: m.displayNameEn } : {}),
  description: m.description,
  ...(m.descriptionEn ? { description_en: m.descriptionEn } : {}),
  ...(m.upstreamName !== m.name ? { upstream_name: m.upstreamName } : {}),
  aliases: m.aliases,
  ...(m.contextWindow ? { context_window: m.contextWindow } : {}),
  ...(m.maxOutputTokens ? { max_output_tokens: m.maxOutputTokens } : {}),
  ...(m.pricing
    ? {
        pricing: {
          input: m.pricing.input,
          output: m.pricing.output,
          ...(m.pricing.cacheRead !== undefined ? { cache_read: m.pricing.cacheRead } : {}),
          ...(m.pricing.cacheWrite !== undefined ? { cache_write: m.pricing.cacheWrite } : {}),
          currency: m.pricing.currency,
        },
      }
    : {}),
  capabilities: m.capabilities,
  enabled: m.enabled,
  ...(m.rules ? { rules: rulesToEntry(m.rules) } : {}),
});

export const parseProviderEntry = (data: Record<string, unknown>, source: 'config' | 'admin'): ProviderConfig =>
  providerFromEntry(providerEntrySchema.parse(data), source);

export const parseModelEntry = (data: ModelOverlayData, source: 'config' | 'admin'): ModelConfig => {
  const entry = modelEntrySchema.parse(data);
  const types = (Array.isArray(data.types) ? data.types : [data.type ?? 'language']).filter((t): t is ModelType =>
    modelTypes.has(t as ModelType),
  );
  const model = modelFromEntry(entry, String(data.provider), types[0] ?? 'language', source);
  model.types = types.length > 0 ? types : ['language'];
  return model;
};

export interface MergedConfig {
  providers: ProviderConfig[];
  models: ModelConfig[];
  active: { language: ActiveModelRef | null; vision: ActiveModelRef | null };
}

const refFromKey = (key: string | null, providers: ProviderConfig[]): ActiveModelRef | null => {
  if (!key) return null;
  const lower = key.toLowerCase();
  const provider = providers
    .filter((p) => lower.startsWith(`${p.name.toLowerCase()}/`))
    .sort((a, b) => b.name.length - a.name.length)[0];
  return provider ? { provider: provider.name, name: key.slice(provider.name.length + 1) } : null;
};

/** Apply the admin overlay to the YAML base. Invalid overlay entries are skipped, never fatal. */
export const mergeOverlay = (
  base: Pick<GatewayConfig, 'providers' | 'models'>,
  overlay: OverlaySnapshot,
  onInvalid: (kind: string, key: string, error: unknown) => void = () => undefined,
): MergedConfig => {
  const providers: ProviderConfig[] = [];
  const baseProviders = new Map(base.providers.map((p) => [p.name.toLowerCase(), p]));
  for (const p of base.providers) {
    const entry = overlay.providers[p.name];
    if (entry?.deleted) continue;
    if (!entry) {
      providers.push(p);
      continue;
    }
    try {
      providers.push({ ...parseProviderEntry({ ...providerToEntry(p), ...entry.data, name: p.name }, 'config') });
    } catch (error) {
      onInvalid('provider', p.name, error);
      providers.push(p);
    }
  }
  for (const [name, entry] of Object.entries(overlay.providers)) {
    if (entry.deleted || baseProviders.has(name.toLowerCase())) continue;
    try {
      providers.push(parseProviderEntry({ ...entry.data, name }, 'admin'));
    } catch (error) {
      onInvalid('provider', name, error);
    }
  }

  const providerNames = new Map(providers.map((p) => [p.name.toLowerCase(), p.name]));
  const models: ModelConfig[] = [];
  const baseKeys = new Set<string>();
  for (const m of base.models) {
    const key = modelKey(m.provider, m.name);
    baseKeys.add(key);
    const entry = overlay.models[key];
    if (entry?.deleted || !providerNames.has(m.provider.toLowerCase())) continue;
    if (!entry) {
      models.push(m);
      continue;
    }
    try {
      models.push(parseModelEntry({ ...modelToEntry(m), ...entry.data, provider: m.provider, name: m.name } as ModelOverlayData, 'config'));
    } catch (error) {
      onInvalid('model', key, error);
      models.push(m);
    }
  }
  for (const [key, entry] of Object.entries(overlay.models)) {
    if (entry.deleted || baseKeys.has(key)) continue;
    const data = entry.data as ModelOverlayData;
    const provider = providerNames.get(String(data.provider ?? '').toLowerCase());
    if (!provider) continue;
    try {
      models.push(parseModelEntry({ ...data, provider }, 'admin'));
    } catch (error) {
      onInvalid('model', key, error);
    }
  }
  return {
    providers,
    models,
    active: {
      language: refFromKey(overlay.activeModels.language, providers),
      vision: refFromKey(overlay.activeModels.vision, providers),
    },
  };
};
