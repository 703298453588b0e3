import { z } from 'zod';
import { currencySchema } from '../../config/config-schema.js';
import type { ModelType } from '../../config/types.js';
import type { Catalog, CatalogModel } from '../../router/model-catalog.js';

const modelType = z.enum(['language', 'vision', 'embedding', 'reasoning']);
const optionalCount = z.number().int().positive().nullable();

const modelFields = {
  type: modelType,
  /** Addition to the contract: every type of a multi-type model (first = `type`). */
  types: z.array(modelType).min(1).max(4),
  displayName: z.string().max(200),
  /** English display name for the English console; null or "" removes it. */
  displayNameEn: z.string().trim().max(200).nullable(),
  description: z.string().max(2000),
  upstreamName: z.string().trim().min(1).max(300),
  aliases: z.array(z.string().trim().min(1).max(300)).max(50),
  contextWindow: optionalCount,
  maxOutputTokens: optionalCount,
  pricing: z
    .object({
      input: z.number().nonnegative(),
      output: z.number().nonnegative(),
      cacheRead: z.number().nonnegative().optional(),
      cacheWrite: z.number().nonnegative().optional(),
      currency: z.string().max(10).pipe(currencySchema).optional(),
    })
    .nullable(),
  capabilities: z.array(z.string().trim().min(1).max(50)).max(50),
  enabled: z.boolean(),
};

const optionalFields = Object.fromEntries(Object.entries(modelFields).map(([k, v]) => [k, v.optional()])) as {
  [K in keyof typeof modelFields]: z.ZodOptional<(typeof modelFields)[K]>;
};

export const modelCreateSchema = z.object({
  provider: z.string().trim().min(1).max(100),
  name: z.string().trim().min(1).max(300),
  ...optionalFields,
  type: modelFields.type,
});

export const modelPatchSchema = z.object({
  provider: z.string().trim().min(1).max(100).optional(),
  name: z.string().trim().min(1).max(300).optional(),
  ...optionalFields,
});

export type ModelCreateBody = z.output<typeof modelCreateSchema>;
export type ModelPatchBody = z.output<typeof modelPatchSchema>;

export const activeModelsBody = z.object({
  type: z.enum(['language', 'vision']),
  key: z.string().trim().min(1).max(400),
  /** Make it active although it cannot answer yet (no key, disabled): the operator was warned. */
  force: z.boolean().optional(),
});

export const modelFieldNames: Record<string, string> = {
  display_name: 'displayName',
  display_name_en: 'displayNameEn',
  upstream_name: 'upstreamName',
  context_window: 'contextWindow',
  max_output_tokens: 'maxOutputTokens',
};

/** `type` first, then the other types the model keeps (or the explicit `types`). */
export const resolveTypes = (body: { type?: ModelType; types?: ModelType[] }, current: ModelType[]): ModelType[] => {
  const list = body.types ?? current;
  const primary = body.type ?? list[0] ?? 'language';
  return [...new Set([primary, ...list])];
};

/**
 * API body → overlay data in the YAML's field names. `null` clears a value: the field is
 * dropped from the overlay (a model from the config folder then shows its YAML value).
 */
export const modelPatchData = (body: ModelPatchBody, currentTypes: ModelType[]): Record<string, unknown> => {
  const data: Record<string, unknown> = {};
  if (body.type !== undefined || body.types !== undefined) data.types = resolveTypes(body, currentTypes);
  if (body.displayName !== undefined) data.display_name = body.displayName;
  if (body.displayNameEn !== undefined) data.display_name_en = body.displayNameEn || undefined;
  if (body.description !== undefined) data.description = body.description;
  if (body.upstreamName !== undefined) data.upstream_name = body.upstreamName;
  if (body.aliases !== undefined) data.aliases = body.aliases;
  if (body.contextWindow !== undefined) data.context_window = body.contextWindow ?? undefined;
  if (body.maxOutputTokens !== undefined) data.max_output_tokens = body.maxOutputTokens ?? undefined;
  if (body.pricing !== undefined) {
    if (body.pricing === null) data.pricing = undefined;
    else {
      const { cacheRead, cacheWrite, ...prices } = body.pricing;
      data.pricing = {
        ...prices,
        ...(cacheRead !== undefined ? { cache_read: cacheRead } : {}),
        ...(cacheWrite !== undefined ? { cache_write: cacheWrite } : {}),
        currency: body.pricing.currency ?? 'USD',
      };
    }
  }
  if (body.capabilities !== undefined) data.capabilities = body.capabilities;
  if (body.enabled !== undefined) data.enabled = body.enabled;
  return data;
};

export const canServe = (model: CatalogModel, type: 'language' | 'vision') =>
  type === 'vision' ? model.seesImages : model.types.some((t) => t === 'language' || t === 'reasoning');

export const toModelView = (m: CatalogModel, catalog: Catalog) => ({
  key: m.key,
  name: m.name,
  provider: m.provider,
  type: m.types[0] ?? 'language',
  types: m.types,
  displayName: m.displayName,
  displayNameEn: m.displayNameEn ?? null,
  description: m.description,
  descriptionEn: m.descriptionEn ?? null,
  upstreamName: m.upstreamName,
  aliases: m.aliases,
  contextWindow: m.contextWindow,
  maxOutputTokens: m.maxOutputTokens,
  pricing: m.pricing,
  capabilities: m.capabilities,
  enabled: m.enabled,
  status: m.status,
  source: m.source,
  active: { language: catalog.active.language?.key === m.key, vision: catalog.active.vision?.key === m.key },
});

const activeRef = (m: CatalogModel | null) => (m ? { provider: m.provider, name: m.name, key: m.key } : null);

export const activeModelsView = (catalog: Catalog) => ({
  language: activeRef(catalog.active.language),
  vision: activeRef(catalog.active.vision),
});
