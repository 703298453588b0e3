import { boundText, MAX_NAME_LENGTH } from '../core/bounded-text.js';
import { GatewayError } from '../server/errors.js';
import type { Catalog, CatalogModel } from './model-catalog.js';

export type RequestKind = 'language' | 'vision' | 'embedding';

const candidatesFor = (catalog: Catalog, name: string): CatalogModel[] => {
  const exact = catalog.byName.get(name);
  if (exact && exact.length > 0) return exact;
  return catalog.byLowerName.get(name.toLowerCase()) ?? [];
};

/**
 * `provider/model`: SiliconFlow model names contain `/` themselves, so try every
 * provider whose name prefixes the request (case-insensitive) and prefer the longest.
 */
const resolveWithProviderPrefix = (catalog: Catalog, requested: string): CatalogModel[] => {
  const lower = requested.toLowerCase();
  const prefixes = [...catalog.providers.keys()]
    .filter((p) => lower.startsWith(`${p}/`))
    .sort((a, b) => b.length - a.length);
  for (const prefix of prefixes) {
    const rest = requested.slice(prefix.length + 1);
    const matches = candidatesFor(catalog, rest).filter((m) => m.provider.toLowerCase() === prefix);
    if (matches.length > 0) return matches;
  }
  return [];
};

/** Find the catalog entry for a requested name, without checking availability. */
export const lookupModel = (catalog: Catalog, requested: string): CatalogModel => {
  let matches = candidatesFor(catalog, requested);
  if (matches.length === 0 && requested.includes('/')) matches = resolveWithProviderPrefix(catalog, requested);
  if (matches.length === 0) {
    // The name is the client's: shown back shortened, never 100 KB per error.
    throw new GatewayError(`The model \`${boundText(requested, MAX_NAME_LENGTH)}\` does not exist or is not configured on this gateway.`, {
      status: 404,
      code: 'model_not_found',
      param: 'model',
    });
  }
  if (matches.length > 1) {
    // Several providers serve this name; prefer the only usable one, else ask the client.
    const usable = matches.filter((m) => m.status === 'usable');
    if (usable.length === 1) return usable[0]!;
    const names = matches.map((m) => m.key);
    throw new GatewayError(
      `The model name \`${boundText(requested, MAX_NAME_LENGTH)}\` is ambiguous; use one of: ${names.join(', ')}.`,
      { status: 400, code: 'ambiguous_model', param: 'model', details: { candidates: names } },
    );
  }
  return matches[0]!;
};

export const assertUsable = (model: CatalogModel): CatalogModel => {
  if (model.status === 'usable') return model;
  if (model.status === 'disabled') {
    throw new GatewayError(`The model \`${model.key}\` is disabled on this gateway.`, {
      status: 403,
      code: 'model_disabled',
      param: 'model',
    });
  }
  throw providerKeyMissing(model.providerState.config.name, model.providerState.config.apiKeyEnv);
};

/** 503 provider_key_missing: says what to do, in a sentence that reads with or without a variable. */
export const providerKeyMissing = (provider: string, variable: string | null) =>
  new GatewayError(
    variable
      ? `The provider ${provider} has no API key: set the environment variable ${variable} or enter a key on the console's Providers page.`
      : `The provider ${provider} has no API key: enter a key on the console's Providers page (or name a variable in its api_key_env).`,
    { status: 503, code: 'provider_key_missing', details: variable ? { provider, variable } : { provider } },
  );

/** Resolve the model for a request: the named one, or the active model of the kind. */
export const resolveModel = (catalog: Catalog, requested: string | undefined, kind: RequestKind): CatalogModel => {
  if (requested === undefined || requested === '') {
    const active = kind === 'vision' ? catalog.active.vision : kind === 'language' ? catalog.active.language : null;
    if (!active) {
      throw new GatewayError(
        kind === 'embedding'
          ? 'The `model` field is required for embeddings.'
          : `No active ${kind} model is set and none was requested; pass \`model\` or choose one in the admin console.`,
        { status: kind === 'embedding' ? 400 : 503, code: kind === 'embedding' ? 'missing_model' : 'no_active_model', param: 'model' },
      );
    }
    return assertUsable(active);
  }
  return assertUsable(lookupModel(catalog, requested));
};
