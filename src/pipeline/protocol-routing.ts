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

/** Answers per catalog snapshot, client protocol, kind and requested name; bounded, as names are client-chosen. */
const answers = new WeakMap<Catalog, Map<string, Map<string | undefined, boolean>>>();
const MAX_CACHED_NAMES = 2000;

/** True when some deployment this request may reach speaks another protocol than the client. */
export const leavesClientProtocol = (catalog: Catalog, clientProtocol: ProtocolName, requested: string | undefined, kind: 'language' | 'vision'): boolean => {
  const all = protocolsOf(catalog);
  if (all.size === 1 && all.has(clientProtocol)) return false;
  let byPlace = answers.get(catalog);
  if (!byPlace) {
    byPlace = new Map();
    answers.set(catalog, byPlace);
  }
  // Protocol and kind are a handful of constants: no string built per request.
  const place = clientProtocol === 'openai' ? (kind === 'vision' ? 'openai-vision' : 'openai-language') : kind === 'vision' ? `${clientProtocol}-vision` : `${clientProtocol}-language`;
  let known = byPlace.get(place);
  if (!known) {
    known = new Map();
    byPlace.set(place, known);
  }
  const key = requested;
  const cached = known.get(key);
  if (cached !== undefined) return cached;
  let answer = false;
  try {
    const reached = protocolsOfGroup(catalog, resolveRoute(catalog, catalog.groups, requested, kind).group);
    answer = reached.size > 1 || !reached.has(clientProtocol);
  } catch {
    // The regular path gives the clear error (and unknown names are not remembered).
    return false;
  }
  if (known.size < MAX_CACHED_NAMES) known.set(key, answer);
  return answer;
};
