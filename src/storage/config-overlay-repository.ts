import type { Kysely } from 'kysely';
import { GatewayError, conflict } from '../server/errors.js';
import {
  diffSnapshots,
  loadSnapshot,
  normalizeSnapshot,
  runConfigChange,
  writeSnapshot,
  type ActiveModelType,
  type ChangeMeta,
  type ChangeResult,
  type OverlayEntry,
  type OverlayKind,
  type OverlaySnapshot,
} from './config-change.js';
import { cloneJson, isJsonObject, type JsonObject } from './json.js';
import type { DatabaseSchema } from './schema.js';
import { getStateVersion } from './state-version.js';

/**
 * A mutable view of the overlay inside a change transaction. Mutations apply in
 * memory; when the callback returns, the changed entries are written, the version
 * bumped and the audit entry appended atomically. Throwing from the callback (e.g. a
 * validation error) writes nothing.
 */
export interface OverlayDraft {
  /** The overlay as it is inside the transaction, including this draft's edits. */
  readonly state: Readonly<OverlaySnapshot>;
  get(kind: OverlayKind, key: string): OverlayEntry | undefined;
  /**
   * Adds an entry; 409 `provider_exists` / `model_exists` when a live overlay entry
   * has that key, or when `inBase` says the YAML base already defines it (and the
   * overlay has not deleted it). Re-adding a deleted entry replaces it.
   */
  create(kind: OverlayKind, key: string, data: JsonObject, options?: { inBase?: boolean }): void;
  /** Replaces the entry's data (and un-deletes it). */
  set(kind: OverlayKind, key: string, data: JsonObject): void;
  /** Shallow-merges into the entry's data; `undefined` values remove a field, `null` is kept. */
  patch(kind: OverlayKind, key: string, patch: Record<string, unknown>): void;
  /** Marks the key deleted (hides a base entry, removes an admin addition). */
  remove(kind: OverlayKind, key: string): void;
  /** Drops the overlay entry altogether, so the YAML base applies again. */
  revert(kind: OverlayKind, key: string): void;
  setActiveModel(type: ActiveModelType, key: string | null): void;
  /** Replaces the whole overlay (config import). */
  replaceAll(snapshot: OverlaySnapshot): void;
}

const collection = (kind: OverlayKind) => (kind === 'provider' ? 'providers' : 'models');

const assertObject = (data: unknown, what: string): JsonObject => {
  if (!isJsonObject(data)) {
    throw new GatewayError(`${what} must be a JSON object.`, { status: 400, code: 'invalid_overlay_entry' });
  }
  return cloneJson(data);
};

const createDraft = (state: OverlaySnapshot): OverlayDraft => {
  const entries = (kind: OverlayKind) => state[collection(kind)];
  return {
    get state() {
      return state;
    },
    get: (kind, key) => entries(kind)[key],
    create(kind, key, data, options) {
      const existing = entries(kind)[key];
      const live = existing ? !existing.deleted : options?.inBase === true;
      if (live) throw conflict(`A ${kind} named "${key}" already exists.`, `${kind}_exists`);
      entries(kind)[key] = { data: assertObject(data, `The ${kind} definition`), deleted: false };
    },
    set(kind, key, data) {
      entries(kind)[key] = { data: assertObject(data, `The ${kind} definition`), deleted: false };
    },
    patch(kind, key, patch) {
      const current = entries(kind)[key];
      const base = current && !current.deleted ? current.data : {};
      const merged: Record<string, unknown> = { ...base, ...patch };
      for (const [field, value] of Object.entries(merged)) if (value === undefined) delete merged[field];
      entries(kind)[key] = { data: assertObject(merged, `The ${kind} patch`), deleted: false };
    },
    remove(kind, key) {
      entries(kind)[key] = { data: {}, deleted: true };
    },
    revert(kind, key) {
      delete entries(kind)[key];
    },
    setActiveModel(type, key) {
      state.activeModels[type] = key;
    },
    replaceAll(snapshot) {
      const next = normalizeSnapshot(cloneJson(snapshot));
      state.providers = next.providers;
      state.models = next.models;
      state.activeModels = next.activeModels;
    },
  };
};

export interface RepositoryOptions {
  now?: () => number;
}

export class ConfigOverlayRepository {
  private readonly now: () => number;

  constructor(
    private readonly db: Kysely<DatabaseSchema>,
    options: RepositoryOptions = {},
  ) {
    this.now = options.now ?? Date.now;
  }

  getStateVersion(): Promise<number> {
    return getStateVersion(this.db);
  }

  getOverlay(): Promise<OverlaySnapshot> {
    return loadSnapshot(this.db);
  }

  /** Reads the overlay and the version it belongs to, consistently. */
  async getOverlayWithVersion(): Promise<{ version: number; overlay: OverlaySnapshot }> {
    return this.db.transaction().execute(async (tx) => {
      const version = await getStateVersion(tx);
      return { version, overlay: await loadSnapshot(tx) };
    });
  }

  /** Applies `mutate` to the overlay atomically; see {@link OverlayDraft}. */
  change(meta: ChangeMeta, mutate: (draft: OverlayDraft) => void | Promise<void>): Promise<ChangeResult> {
    return runConfigChange(this.db, meta, this.now, async (tx) => {
      const before = await loadSnapshot(tx);
      const after = cloneJson(before);
      await mutate(createDraft(after));
      const changes = diffSnapshots(before, after);
      if (changes.length > 0) await writeSnapshot(tx, before, after, this.now());
      return changes;
    });
  }

  createProvider(name: string, data: JsonObject, actor: string, options?: { inBase?: boolean }) {
    return this.change({ actor, action: 'provider.create', target: name }, (d) => d.create('provider', name, data, options));
  }

  patchProvider(name: string, patch: Record<string, unknown>, actor: string) {
    return this.change({ actor, action: 'provider.update', target: name }, (d) => d.patch('provider', name, patch));
  }

  deleteProvider(name: string, actor: string) {
    return this.change({ actor, action: 'provider.delete', target: name }, (d) => d.remove('provider', name));
  }

  createModel(key: string, data: JsonObject, actor: string, options?: { inBase?: boolean }) {
    return this.change({ actor, action: 'model.create', target: key }, (d) => d.create('model', key, data, options));
  }

  patchModel(key: string, patch: Record<string, unknown>, actor: string) {
    return this.change({ actor, action: 'model.update', target: key }, (d) => d.patch('model', key, patch));
  }

  deleteModel(key: string, actor: string) {
    return this.change({ actor, action: 'model.delete', target: key }, (d) => d.remove('model', key));
  }

  setActiveModel(type: ActiveModelType, key: string | null, actor: string) {
    return this.change({ actor, action: 'active_model.set', target: type }, (d) => d.setActiveModel(type, key));
  }
}
