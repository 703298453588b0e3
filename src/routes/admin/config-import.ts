import { isDeepStrictEqual } from 'node:util';
import { z } from 'zod';
import { modelEntrySchema, modelTypeNames, providerEntrySchema } from '../../config/config-schema.js';
import type { KeyEnvPolicy } from '../../config/key-env-policy.js';
import type { GatewayConfig, ModelConfig, ModelType, ProviderConfig } from '../../config/types.js';
import { modelKey } from '../../config/types.js';
import { ConfigError, formatPath, YamlSource } from '../../config/yaml-source.js';
import { modelSeesImages } from '../../router/model-catalog.js';
import { badRequest, GatewayError } from '../../server/errors.js';
import { mergeOverlay, parseModelEntry, parseProviderEntry, type MergedConfig } from '../../state/merge-overlay.js';
import { emptySnapshot, type JsonObject, type OverlaySnapshot } from '../../storage/index.js';
import { isSensitiveHeader, modelExportEntry, providerExportEntry, REDACTED } from './config-export.js';

const SOURCE = 'import';

const importSchema = z.looseObject({
  providers: z.array(
    providerEntrySchema.extend({
      models: z
        .looseObject(Object.fromEntries(modelTypeNames.map((type) => [type, z.array(modelEntrySchema).optional()])))
        .optional(),
    }),
  ),
  active_models: z
    .looseObject({ language: z.string().min(1).nullable().optional(), vision: z.string().min(1).nullable().optional() })
    .optional(),
});

const invalid = (message: string, param: string | null = null) => badRequest(message, 'invalid_config', param);

/** A zod issue → 400 naming the YAML path and line. */
const schemaError = (source: YamlSource, issues: z.core.$ZodIssue[], base: PropertyKey[] = []) => {
  const issue = issues[0]!;
  const path = [...base, ...issue.path];
  return invalid(`${source.describe(path)}: ${issue.message}`, formatPath(path) || null);
};

/** Comparable form of a provider/model definition (what the gateway would actually use). */
const providerShape = (p: ProviderConfig) => providerExportEntry(p, false);
const modelShape = (m: ModelConfig) => ({ ...modelExportEntry(m), types: m.types });

export interface ImportPlan {
  snapshot: OverlaySnapshot;
  merged: MergedConfig;
}

/**
 * Turns an exported YAML file into the complete admin overlay that reproduces it on top of
 * the config folder, validating everything first: YAML syntax, the config schemas, duplicate
 * names, the active models, and finally that merging the overlay yields exactly the file.
 * Throws a 400 naming the problem; nothing is written here.
 */
export const planImport = (
  text: string,
  base: Pick<GatewayConfig, 'providers' | 'models'>,
  current: MergedConfig,
  keyEnvPolicy?: KeyEnvPolicy,
): ImportPlan => {
  let source: YamlSource;
  try {
    source = new YamlSource(SOURCE, text);
  } catch (error) {
    if (error instanceof ConfigError) throw badRequest(error.message, 'invalid_yaml', 'yaml');
    throw error;
  }
  const parsed = importSchema.safeParse(source.data);
  if (!parsed.success) throw schemaError(source, parsed.error.issues);
  const file = parsed.data;

  const snapshot = emptySnapshot();
  const baseProviders = new Map(base.providers.map((p) => [p.name.toLowerCase(), p]));
  const baseModels = new Map(base.models.map((m) => [modelKey(m.provider, m.name), m]));
  const currentProviders = new Map(current.providers.map((p) => [p.name.toLowerCase(), p]));
  const wanted = { providers: new Map<string, ProviderConfig>(), models: new Map<string, ModelConfig>() };

  file.providers.forEach((rawEntry, index) => {
    const { models: modelGroups, ...entry } = rawEntry as typeof rawEntry & { models?: Record<string, unknown[]> };
    const lower = entry.name.toLowerCase();
    if (wanted.providers.has(lower)) throw invalid(`${source.describe(['providers', index, 'name'])}: duplicate provider "${entry.name}"`, `providers[${index}].name`);
    const baseProvider = baseProviders.get(lower);
    const name = baseProvider?.name ?? entry.name;
    // The same rule as the provider API: the imported file must not pick the gateway's secrets.
    const keyEnvRefusal = ([] as string[]).concat(entry.api_key_env ?? []).map((name) => keyEnvPolicy?.check(name)).find(Boolean) ?? null;
    if (keyEnvRefusal) throw invalid(`${source.describe(['providers', index, 'api_key_env'])}: ${keyEnvRefusal}`, `providers[${index}].api_key_env`);
    const headers = { ...(entry.headers ?? {}) };
    for (const [header, value] of Object.entries(headers)) {
      if (value !== REDACTED) continue;
      const kept = currentProviders.get(lower)?.headers[header];
      if (kept === undefined || !isSensitiveHeader(header)) {
        throw invalid(`${source.describe(['providers', index, 'headers', header])}: "${REDACTED}" has no current value to keep; give the real value`, `providers[${index}].headers.${header}`);
      }
      headers[header] = kept;
    }
    let provider: ProviderConfig;
    try {
      provider = parseProviderEntry({ ...entry, name, headers }, baseProvider ? 'config' : 'admin');
    } catch (error) {
      if (error instanceof z.ZodError) throw schemaError(source, error.issues, ['providers', index]);
      throw error;
    }
    wanted.providers.set(lower, provider);
    const data = providerShape(provider);
    if (!baseProvider) snapshot.providers[name] = { data: data as JsonObject, deleted: false };
    else if (!isDeepStrictEqual(data, providerShape(baseProvider))) snapshot.providers[name] = { data: data as JsonObject, deleted: false };

    // Models: the entry with more than a name defines the model; its group is the first type.
    const byName = new Map<string, { entry: Record<string, unknown>; types: ModelType[]; path: PropertyKey[] }>();
    // Raw entries: the parsed ones carry schema defaults, which hide a name-only reference.
    const rawGroups = ((source.data as { providers: Array<{ models?: Record<string, unknown[]> }> }).providers[index]?.models ?? {}) as Record<string, unknown[]>;
    for (const type of modelTypeNames) {
      (modelGroups?.[type] ?? []).forEach((parsedEntry, modelIndex) => {
        const model = { ...(rawGroups[type]?.[modelIndex] as object), name: (parsedEntry as { name: string }).name } as Record<string, unknown> & { name: string };
        const path = ['providers', index, 'models', type, modelIndex];
        const isDefinition = Object.keys(model).some((k) => k !== 'name');
        const seen = byName.get(model.name);
        if (!seen) return void byName.set(model.name, { entry: model, types: [type], path });
        if (seen.types.includes(type)) throw invalid(`${source.describe(path)}: model "${model.name}" is listed twice`, formatPath(path));
        const seenIsDefinition = Object.keys(seen.entry).some((k) => k !== 'name');
        if (isDefinition && seenIsDefinition) throw invalid(`${source.describe(path)}: model "${model.name}" is defined twice; name it only under its other types`, formatPath(path));
        if (isDefinition) byName.set(model.name, { entry: model, types: [type, ...seen.types], path });
        else seen.types.push(type);
      });
    }
    for (const { entry: modelEntry, types, path } of byName.values()) {
      let model: ModelConfig;
      const key = modelKey(name, String(modelEntry.name));
      try {
        model = parseModelEntry({ ...modelEntry, provider: name, types }, baseModels.has(key) ? 'config' : 'admin');
      } catch (error) {
        if (error instanceof z.ZodError) throw schemaError(source, error.issues, path);
        throw error;
      }
      wanted.models.set(key.toLowerCase(), model);
      const shape = modelShape(model);
      const baseModel = baseModels.get(key);
      if (!baseModel) snapshot.models[key] = { data: { ...shape, provider: name } as JsonObject, deleted: false };
      else if (!isDeepStrictEqual(shape, modelShape(baseModel))) snapshot.models[key] = { data: shape as JsonObject, deleted: false };
    }
  });

  for (const p of base.providers) {
    if (!wanted.providers.has(p.name.toLowerCase())) snapshot.providers[p.name] = { data: {}, deleted: true };
  }
  for (const [key, m] of baseModels) {
    if (wanted.providers.has(m.provider.toLowerCase()) && !wanted.models.has(key.toLowerCase())) {
      snapshot.models[key] = { data: {}, deleted: true };
    }
  }

  for (const type of ['language', 'vision'] as const) {
    const ref = file.active_models?.[type];
    if (ref === undefined || ref === null) continue;
    const model = wanted.models.get(ref.toLowerCase());
    const path = ['active_models', type];
    if (!model) throw invalid(`${source.describe(path)}: "${ref}" is not one of the imported models (use provider/name)`, formatPath(path));
    const fits = type === 'vision' ? modelSeesImages(model) : model.types.some((t) => t === 'language' || t === 'reasoning');
    if (!fits) throw invalid(`${source.describe(path)}: ${ref} cannot serve as the active ${type} model`, formatPath(path));
    snapshot.activeModels[type] = modelKey(model.provider, model.name);
  }

  // The merge must give back exactly what the file says (e.g. a value of a config-folder
  // entry cannot be removed by an import, only changed).
  const problems: string[] = [];
  const merged = mergeOverlay(base, snapshot, (kind, key, error) => problems.push(`${kind} ${key}: ${String(error)}`));
  if (problems.length > 0) throw invalid(`The imported configuration is not valid: ${problems[0]}`);
  for (const [lower, provider] of wanted.providers) {
    const got = merged.providers.find((p) => p.name.toLowerCase() === lower);
    if (!got || !isDeepStrictEqual(providerShape(got), providerShape(provider))) {
      throw invalid(`Provider ${provider.name} cannot be imported as written: a field set in the config folder cannot be removed, only changed.`);
    }
  }
  for (const [lower, model] of wanted.models) {
    const got = merged.models.find((m) => modelKey(m.provider, m.name).toLowerCase() === lower);
    if (!got || !isDeepStrictEqual(modelShape(got), modelShape(model))) {
      throw invalid(`Model ${modelKey(model.provider, model.name)} cannot be imported as written: a field set in the config folder cannot be removed, only changed.`);
    }
  }
  if (merged.providers.length !== wanted.providers.size || merged.models.length !== wanted.models.size) {
    throw new GatewayError('The import would not reproduce the file exactly; nothing was changed.', { status: 400, code: 'invalid_config' });
  }
  return { snapshot, merged };
};
