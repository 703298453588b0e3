import type { Catalog } from '../router/model-catalog.js';
import { deploymentModel, groupForTarget, resolveRoute } from '../router/model-groups.js';
import type { ModelGroup } from '../router/types.js';
import type { ProtocolName } from '../protocols/codec.js';

/**
 * Whether a request must leave the client protocol's own fast path. Answered from
 * per-snapshot caches: a gateway whose deployments all speak OpenAI pays one WeakMap
 * lookup per OpenAI request, nothing else.
 */
const catalogProtocols = new WeakMap<Catalog, ReadonlySet<ProtocolName>>();
const groupProtocols = new WeakMap<ModelGroup, ReadonlySet<ProtocolName>>();

const protocolsOf = (catalog: Catalog): ReadonlySet<ProtocolName> => {
  let set = catalogProtocols.get(catalog);
  if (!set) {
    const found = new Set<ProtocolName>();
    for (const state of catalog.providers.values()) found.add(state.config.protocol ?? 'openai');
    set = found;
    catalogProtocols.set(catalog, set);
  }
  return set;
};

const protocolsOfGroup = (catalog: Catalog, group: ModelGroup): ReadonlySet<ProtocolName> => {
  let set = groupProtocols.get(group);
  if (set) return set;
  const found = new Set<ProtocolName>();
  const visit = (g: ModelGroup) => {
    for (const deployment of g.deployments) {
      const model = deploymentModel(catalog, deployment.provider, deployment.model);
      found.add(model?.providerState.config.protocol ?? 'openai');
    }
  };
  visit(group);
  // Fallback targets are tried by the same request, so their protocols count too.
  const asGroup = groupForTarget(catalog, catalog.groups);
  for (const fallback of group.fallbacks ?? []) {
    for (const target of fallback.to) {
      const next = asGroup(target);
      if (next) visit(next);
    }
  }
  set = found;
  groupProtocols.set(group, set);
  return set;
};

/** True when some deployment this request may reach speaks another protocol than the client. */
export const leavesClientProtocol = (catalog: Catalog, clientProtocol: ProtocolName, requested: string | undefined, kind: 'language' | 'vision'): boolean => {
  const all = protocolsOf(catalog);
  if (all.size === 1 && all.has(clientProtocol)) return false;
  let group: ModelGroup;
  try {
    group = resolveRoute(catalog, catalog.groups, requested, kind).group;
  } catch {
    // The regular path gives the clear error.
    return false;
  }
  const reached = protocolsOfGroup(catalog, group);
  return reached.size > 1 || !reached.has(clientProtocol);
};
