import { GatewayError } from '../server/errors.js';
import type { Catalog } from './model-catalog.js';
import type { ModelGroup } from './types.js';

/** The names a model answers to (a CatalogModel). */
export interface AccessModel {
  key: string;
  name: string;
  aliases: readonly string[];
}

/**
 * A key's allowed-models list, precomputed once per key record: lower-case names in a
 * set, and per group the deployments the key may use. Every deployment a request may
 * reach (a group's, a retry's, a fallback's) goes through `restrict` before it is tried,
 * so a group whose first deployment is allowed cannot be used to reach the others.
 *
 * A deployment is allowed when the list names its model (`Provider/model`, the model
 * name or an alias) or the group it is reached through (naming a group allows the
 * deployments the operator put in it; its fallback targets are checked on their own).
 */
export class ModelAccess {
  readonly #names: ReadonlySet<string>;
  readonly #groups = new WeakMap<ModelGroup, ModelGroup | null>();
  readonly #models = new WeakMap<AccessModel, boolean>();

  constructor(allowed: readonly string[]) {
    this.#names = new Set(allowed.map((name) => name.trim().toLowerCase()));
  }

  /** Whether the list names this model directly. */
  allowsModel(model: AccessModel): boolean {
    let verdict = this.#models.get(model);
    if (verdict === undefined) {
      verdict =
        this.#names.has(model.key.toLowerCase()) ||
        this.#names.has(model.name.toLowerCase()) ||
        model.aliases.some((alias) => this.#names.has(alias.toLowerCase()));
      this.#models.set(model, verdict);
    }
    return verdict;
  }

  allowsName(name: string | undefined): boolean {
    return name !== undefined && this.#names.has(name.toLowerCase());
  }

  /**
   * The group with only the deployments this key may use (the same object when all are
   * allowed), or null when none is. Memoised per group object: catalog snapshots are
   * immutable, so steady-state requests allocate nothing here.
   */
  restrict(catalog: Catalog, group: ModelGroup): ModelGroup | null {
    const known = this.#groups.get(group);
    if (known !== undefined) return known;
    let result: ModelGroup | null;
    if (this.#names.has(group.name.toLowerCase())) result = group;
    else {
      const deployments = group.deployments.filter((d) => {
        const model = catalog.byKey.get(`${d.provider}/${d.model}`.toLowerCase());
        return model !== undefined && this.allowsModel(model);
      });
      result = deployments.length === 0 ? null : deployments.length === group.deployments.length ? group : { ...group, deployments };
    }
    this.#groups.set(group, result);
    return result;
  }
}

const accessByList = new WeakMap<readonly string[], ModelAccess>();

/** The access check for a key's list, or null when the key is unrestricted (no list, or an empty one). */
export const modelAccessFor = (allowed: readonly string[] | null | undefined): ModelAccess | null => {
  if (!allowed || allowed.length === 0) return null;
  let access = accessByList.get(allowed);
  if (!access) {
    access = new ModelAccess(allowed);
    accessByList.set(allowed, access);
  }
  return access;
};

/**
 * Both lists at once (a key's own and its team's): a deployment must be allowed by each,
 * at the first deployment, in groups, retries and fallbacks alike.
 */
class BothAccess extends ModelAccess {
  readonly #groups = new WeakMap<ModelGroup, ModelGroup | null>();
  constructor(
    private readonly first: ModelAccess,
    private readonly second: ModelAccess,
  ) {
    super([]);
  }
  override allowsModel(model: AccessModel): boolean {
    return this.first.allowsModel(model) && this.second.allowsModel(model);
  }
  override allowsName(name: string | undefined): boolean {
    return this.first.allowsName(name) && this.second.allowsName(name);
  }
  override restrict(catalog: Catalog, group: ModelGroup): ModelGroup | null {
    const known = this.#groups.get(group);
    if (known !== undefined) return known;
    const once = this.first.restrict(catalog, group);
    const result = once === null ? null : this.second.restrict(catalog, once);
    this.#groups.set(group, result);
    return result;
  }
}

const bothByPair = new WeakMap<ModelAccess, WeakMap<ModelAccess, ModelAccess>>();

/** The intersection of two access checks (either may be null: unrestricted), memoised per pair. */
export const bothAccess = (first: ModelAccess | null, second: ModelAccess | null): ModelAccess | null => {
  if (!first) return second;
  if (!second) return first;
  let inner = bothByPair.get(first);
  if (!inner) bothByPair.set(first, (inner = new WeakMap()));
  let access = inner.get(second);
  if (!access) inner.set(second, (access = new BothAccess(first, second)));
  return access;
};

export const modelNotAllowed = (name: string) =>
  new GatewayError(`This API key may not use the model \`${name.slice(0, 200)}\`.`, { status: 403, code: 'model_not_allowed', param: 'model' });
