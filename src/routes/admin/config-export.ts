import { Document, isMap, isSeq, type YAMLMap } from 'yaml';
import { modelTypeNames } from '../../config/config-schema.js';
import type { ImageLimitOverrides, ModelConfig, ProviderConfig } from '../../config/types.js';
import { modelToEntry, providerToEntry, type MergedConfig } from '../../state/merge-overlay.js';

/** Header values that may carry credentials are never exported; an import keeps the current value. */
export const REDACTED = '[redacted]';
export const isSensitiveHeader = (name: string) => /authorization|key|token|secret|password|cookie|signature/i.test(name);

const imageLimitsEntry = (limits: ImageLimitOverrides) =>
  Object.keys(limits).length === 0
    ? {}
    : {
        image_limits: {
          ...(limits.maxLongEdge ? { max_long_edge: limits.maxLongEdge } : {}),
          ...(limits.maxPixels ? { max_pixels: limits.maxPixels } : {}),
          ...(limits.maxBytes ? { max_bytes: limits.maxBytes } : {}),
        },
      };

/** A provider in the YAML's own field names, with secrets in headers redacted. */
export const providerExportEntry = (p: ProviderConfig, redact = true): Record<string, unknown> => {
  const entry: Record<string, unknown> = { ...providerToEntry(p), ...imageLimitsEntry(p.imageLimits) };
  if (redact && entry.headers) {
    entry.headers = Object.fromEntries(
      Object.entries(p.headers).map(([name, value]) => [name, isSensitiveHeader(name) ? REDACTED : value]),
    );
  }
  return entry;
};

/** A model as it appears under its provider (provider and types are implied by the position). */
export const modelExportEntry = (m: ModelConfig): Record<string, unknown> => {
  const { provider: _provider, types: _types, ...rest } = modelToEntry(m);
  return { ...rest, ...imageLimitsEntry(m.imageLimits) };
};

/** `models:` in the providers/*.yaml layout: a multi-type model is defined under its first type. */
const modelsSection = (models: ModelConfig[]) => {
  const section: Record<string, Array<Record<string, unknown>>> = {};
  for (const type of modelTypeNames) {
    for (const m of models) {
      if (!m.types.includes(type)) continue;
      const entry = m.types[0] === type ? modelExportEntry(m) : { name: m.name };
      (section[type] ??= []).push(entry);
    }
  }
  return section;
};

export interface ExportMeta {
  platformName: string;
  version: number;
  activeKeys: { language: string | null; vision: string | null };
}

/**
 * The merged configuration as one YAML file: the providers list of config/models.yaml,
 * each provider carrying its models in the providers/*.yaml layout, plus the active
 * models. Importing it back (POST /admin/api/config/import) reproduces the same state.
 */
export const exportConfigYaml = (merged: MergedConfig, meta: ExportMeta): string => {
  const doc = new Document({
    providers: merged.providers.map((p) => ({
      ...providerExportEntry(p),
      models: modelsSection(merged.models.filter((m) => m.provider.toLowerCase() === p.name.toLowerCase())),
    })),
    active_models: { language: meta.activeKeys.language, vision: meta.activeKeys.vision },
  });
  doc.commentBefore = [
    ` ${meta.platformName}: configuration export (state version ${meta.version}, ${new Date().toISOString()}).`,
    ' Provider API keys are never exported (set them in the console or the environment);',
    ` header values that may hold credentials read "${REDACTED}" and keep their current value on import.`,
    ' A model with several types is defined under its first type and named again under the others.',
  ].join('\n');
  const root = doc.contents as YAMLMap;
  const providers = root.get('providers', true);
  if (isSeq(providers)) {
    for (const item of providers.items) {
      if (!isMap(item)) continue;
      const models = item.get('models', true);
      if (!isMap(models)) continue;
      const groups = models.items.map((pair) => ({ type: String((pair.key as { value?: unknown })?.value ?? pair.key), list: pair.value }));
      const definedIn = new Map<unknown, string>();
      for (const { type, list } of groups) {
        if (isSeq(list)) for (const m of list.items) if (isMap(m) && m.items.length > 1) definedIn.set(m.get('name'), type);
      }
      for (const { list } of groups) {
        if (!isSeq(list)) continue;
        for (const m of list.items) {
          if (isMap(m) && m.items.length === 1 && definedIn.has(m.get('name'))) m.comment = ` defined under ${definedIn.get(m.get('name'))}`;
        }
      }
    }
  }
  const active = root.items.find((pair) => (pair.key as { value?: unknown })?.value === 'active_models');
  if (active && active.key && typeof active.key === 'object') {
    (active.key as { commentBefore?: string }).commentBefore = ' the active models as provider/name keys (null: none)';
  }
  return doc.toString({ lineWidth: 0 });
};
