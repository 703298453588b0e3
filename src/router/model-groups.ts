import { GatewayError } from '../server/errors.js';
import { modelNotAllowed, type ModelAccess } from './model-access.js';
import type { Catalog, CatalogModel } from './model-catalog.js';
import { lookupModel, resolveModel, type RequestKind } from './model-resolver.js';
import { DEFAULT_RETRY_POLICY, deploymentId, modelGroupSchema, type ModelGroup } from './types.js';

/** Snake_case keys from YAML (`max_attempts`) become the schema's camelCase (`maxAttempts`). */
const camelKeys = (value: unknown): unknown => {
  if (Array.isArray(value)) return value.map(camelKeys);
  if (!value || typeof value !== 'object') return value;
  return Object.fromEntries(
    Object.entries(value).map(([key, inner]) => [key.replace(/_([a-z])/g, (_, c: string) => c.toUpperCase()), camelKeys(inner)]),
  );
};

export const parseModelGroups = (input: unknown): ModelGroup[] => {
  if (input === undefined || input === null) return [];
  if (!Array.isArray(input)) throw new Error('model_groups must be a list');
  return input.map((entry) => modelGroupSchema.parse(camelKeys(entry)) as ModelGroup);
};

const singleGroups = new WeakMap<CatalogModel, ModelGroup>();

/** A plain model behaves as a group of one: no retries unless configured, same breaker. */
export const singleModelGroup = (model: CatalogModel): ModelGroup => {
  let group = singleGroups.get(model);
  if (!group) {
    group = buildSingleModelGroup(model);
    singleGroups.set(model, group);
  }
  return group;
};

const buildSingleModelGroup = (model: CatalogModel): ModelGroup => ({
  name: model.key,
  strategy: 'weighted',
  deployments: [{ id: deploymentId(model.provider, model.name), provider: model.provider, model: model.name, weight: 1, priority: 0 }],
  retry: { ...DEFAULT_RETRY_POLICY, maxAttempts: 1 },
  fallbacks: [],
});

export interface ResolvedRoute {
  group: ModelGroup;
  /** The name the client sees in responses. */
  publicName: string;
  /** The first model the route would use, for checks that need one (vision, allowed models). */
  primary: CatalogModel;
}

export const deploymentModel = (catalog: Catalog, provider: string, model: string): CatalogModel | undefined =>
  catalog.byKey.get(`${provider}/${model}`.toLowerCase());

/**
 * A request names a group (several deployments behind one public name) or a model.
 * Groups win, so an operator can put a group in front of an existing model name.
 * With a key's `access`, the route keeps only the deployments the key may use (403
 * `model_not_allowed` when none is left), so `primary` is always one it may use.
 */
export const resolveRoute = (
  catalog: Catalog,
  groups: ReadonlyMap<string, ModelGroup>,
  requested: string | undefined,
  kind: RequestKind,
  access: ModelAccess | null = null,
): ResolvedRoute => {
  if (requested) {
    const configured = groups.get(requested) ?? groups.get(requested.toLowerCase());
    if (configured) {
      const group = access ? access.restrict(catalog, configured) : configured;
      if (!group) throw modelNotAllowed(requested);
      const usable = group.deployments
        .map((d) => deploymentModel(catalog, d.provider, d.model))
        .filter((m): m is CatalogModel => !!m && m.status === 'usable');
      if (usable.length === 0) {
        throw new GatewayError(`No deployment of \`${requested}\` is usable (missing keys or disabled).`, {
          status: 503,
          code: 'no_usable_deployment',
          param: 'model',
        });
      }
      return { group, publicName: requested, primary: usable[0]! };
    }
  }
  const model = resolveModel(catalog, requested, kind);
  if (access && !access.allowsModel(model) && !access.allowsName(requested)) throw modelNotAllowed(requested ?? model.name);
  return { group: singleModelGroup(model), publicName: requested ?? model.name, primary: model };
};

/** For fallbacks: a target may be a group or any model name the resolver understands. */
export const groupForTarget = (catalog: Catalog, groups: ReadonlyMap<string, ModelGroup>) => (name: string): ModelGroup | null => {
  const group = groups.get(name);
  if (group) return group;
  try {
    const model = lookupModel(catalog, name);
    return model.status === 'usable' ? singleModelGroup(model) : null;
  } catch {
    return null;
  }
};
