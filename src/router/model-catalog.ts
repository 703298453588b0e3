import type { ActiveModelRef, ModelConfig, ModelType, ProviderConfig } from '../config/types.js';
import { modelKey } from '../config/types.js';
import type { ModelGroup } from './types.js';
import { isPlaceholderKey } from '../config/vendors.js';
import type { KeyPool, KeyPoolRegistry, PoolKeyConfig } from './key-pool.js';
import { isReservedKeyEnv } from '../config/key-env-policy.js';
import { resolveRules } from '../providers/rules/resolve-rules.js';
import type { ResolvedRules } from '../providers/rules/rule-types.js';

export type AvailabilityStatus = 'usable' | 'key_missing' | 'disabled';

export interface ProviderState {
  config: ProviderConfig;
  /** Resolved secret; never serialise a ProviderState. */
  apiKey: string | null;
  keySource: 'admin' | 'env' | 'none';
  status: AvailabilityStatus;
  /**
   * Set when the provider has several keys (or per-key limits): each attempt takes one
   * from the pool. Null for a single plain key, which keeps today's fast path.
   */
  pool: KeyPool | null;
  /** Every configured key (env, admin, pool), for the admin view when there is no pool. */
  keys: readonly PoolKeyConfig[];
}

export interface CatalogModel extends ModelConfig {
  key: string;
  providerState: ProviderState;
  status: AvailabilityStatus;
  seesImages: boolean;
  /** Vendor rules for this deployment, resolved once here (src/providers/rules). */
  rules: ResolvedRules;
}

/**
 * An immutable snapshot of every provider and model. Requests capture the snapshot
 * they start with, so a live switch never changes a request half-way through; the
 * admin layer builds a new snapshot and swaps the reference atomically.
 */
export interface Catalog {
  version: number;
  providers: Map<string, ProviderState>;
  models: CatalogModel[];
  byName: Map<string, CatalogModel[]>;
  byLowerName: Map<string, CatalogModel[]>;
  byKey: Map<string, CatalogModel>;
  active: { language: CatalogModel | null; vision: CatalogModel | null };
  /** Model groups by public name (and lower-case name). */
  groups: Map<string, ModelGroup>;
}

export interface CatalogInput {
  groups?: ModelGroup[];
  version?: number;
  providers: ProviderConfig[];
  models: ModelConfig[];
  /** Keys entered in the admin (decrypted), by provider name; they win over the environment. */
  adminKeys?: Map<string, string>;
  env?: NodeJS.ProcessEnv;
  /** Pool keys entered in the admin (decrypted), by lower-case provider name. */
  poolKeys?: Map<string, PoolKeyConfig[]>;
  /** Keeps key health across rebuilds; without it no pools are built. */
  pools?: KeyPoolRegistry;
  active: { language: ActiveModelRef | null; vision: ActiveModelRef | null };
}

const push = <K, V>(map: Map<K, V[]>, key: K, value: V) => {
  const list = map.get(key);
  if (!list) map.set(key, [value]);
  else if (!list.includes(value)) list.push(value);
};

/**
 * The provider's keys: the admin key (it wins over the environment, as before) or every
 * `api_key_env` variable that is set, plus the pool keys entered in the admin.
 */
export const resolveProviderState = (
  config: ProviderConfig,
  adminKeys: Map<string, string> | undefined,
  env: NodeJS.ProcessEnv,
  poolKeys: PoolKeyConfig[] = [],
  pools?: KeyPoolRegistry,
): ProviderState => {
  const adminKey = adminKeys?.get(config.name) ?? null;
  const base: PoolKeyConfig[] = [];
  let keySource: ProviderState['keySource'] = 'none';
  const plain = (id: string, label: string, secret: string, source: 'env' | 'admin'): PoolKeyConfig => ({
    id, label, secret, weight: 1, enabled: true, rpmLimit: null, tpmLimit: null, source,
  });
  if (adminKey && !isPlaceholderKey(adminKey)) {
    base.push(plain('admin', 'admin', adminKey, 'admin'));
    keySource = 'admin';
  } else {
    const variables = config.apiKeyEnvs && config.apiKeyEnvs.length > 0 ? config.apiKeyEnvs : config.apiKeyEnv ? [config.apiKeyEnv] : [];
    for (const variable of variables) {
      // A reserved variable (the gateway's own secrets) is never sent as a provider key, even
      // if a definition naming one was stored before that was refused.
      if (isReservedKeyEnv(variable)) continue;
      const value = env[variable]?.trim();
      if (value && !isPlaceholderKey(value)) base.push(plain(`env:${variable}`, variable, value, 'env'));
    }
    if (base.length > 0) keySource = 'env';
  }
  const all = [...base, ...poolKeys];
  if (keySource === 'none' && poolKeys.length > 0) keySource = 'admin';
  const usableKeys = all.filter((k) => k.enabled && k.weight > 0);
  const apiKey = usableKeys[0]?.secret ?? null;
  const pool = pools ? pools.sync(config.name, all) : null;
  const status: AvailabilityStatus = !config.enabled
    ? 'disabled'
    : config.needsKey && !apiKey
      ? 'key_missing'
      : 'usable';
  return { config, apiKey, keySource, status, pool, keys: all };
};

export const modelSeesImages = (model: Pick<ModelConfig, 'types' | 'capabilities'>) =>
  model.types.includes('vision') || model.capabilities.includes('vision');

/**
 * The types a model serves: a model that sees images and also chats (capability `chat`, as
 * gpt-4o-class models are configured) serves language requests too, so it appears in the
 * language pickers and can be the active language model.
 */
export const servedTypes = (model: Pick<ModelConfig, 'types' | 'capabilities'>): ModelType[] =>
  modelSeesImages(model) && model.capabilities.includes('chat') && !model.types.some((t) => t === 'language' || t === 'reasoning')
    ? [...model.types, 'language']
    : model.types;

export const buildCatalog = (input: CatalogInput): Catalog => {
  const env = input.env ?? process.env;
  const providers = new Map<string, ProviderState>();
  for (const config of input.providers) {
    providers.set(config.name.toLowerCase(), resolveProviderState(config, input.adminKeys, env, input.poolKeys?.get(config.name.toLowerCase()), input.pools));
  }
  const models: CatalogModel[] = [];
  const byName = new Map<string, CatalogModel[]>();
  const byLowerName = new Map<string, CatalogModel[]>();
  const byKey = new Map<string, CatalogModel>();
  for (const model of input.models) {
    const providerState = providers.get(model.provider.toLowerCase());
    if (!providerState) continue;
    const status: AvailabilityStatus =
      providerState.status !== 'usable' ? providerState.status : model.enabled ? 'usable' : 'disabled';
    const entry: CatalogModel = {
      ...model,
      types: servedTypes(model),
      provider: providerState.config.name,
      key: modelKey(providerState.config.name, model.name),
      providerState,
      status,
      seesImages: modelSeesImages(model),
      rules: resolveRules(providerState.config.vendor, model.upstreamName, providerState.config.rules, model.rules),
    };
    models.push(entry);
    byKey.set(entry.key.toLowerCase(), entry);
    for (const name of [model.name, ...model.aliases]) {
      push(byName, name, entry);
      push(byLowerName, name.toLowerCase(), entry);
    }
  }
  const findActive = (ref: ActiveModelRef | null, type: ModelType): CatalogModel | null => {
    if (ref) {
      const exact = ref.provider
        ? byKey.get(modelKey(ref.provider, ref.name).toLowerCase())
        : (byName.get(ref.name) ?? []).find((m) => m.types.includes(type));
      if (exact) return exact;
    }
    return null;
  };
  return {
    version: input.version ?? 0,
    providers,
    models,
    byName,
    byLowerName,
    byKey,
    groups: new Map((input.groups ?? []).flatMap((g) => [[g.name, g], [g.name.toLowerCase(), g]] as Array<[string, ModelGroup]>)),
    active: { language: findActive(input.active.language, 'language'), vision: findActive(input.active.vision, 'vision') },
  };
};

/** First usable model of a type: the default when nothing was chosen yet. */
export const firstUsableModel = (catalog: Pick<Catalog, 'models'>, type: ModelType): CatalogModel | null =>
  catalog.models.find((m) => m.status === 'usable' && m.types.includes(type)) ?? null;
