import type { Kysely } from 'kysely';
import { cloneJson, isJsonObject, jsonEqual, parseJson, stableStringify, type JsonObject, type JsonValue } from './json.js';
import type { DatabaseSchema } from './schema.js';
import { bumpStateVersion } from './state-version.js';

export type OverlayKind = 'provider' | 'model';
export type ActiveModelType = 'language' | 'vision';

export interface OverlayEntry {
  /** An override patch (entry from the YAML base) or a full definition (admin addition); `{}` when deleted. */
  data: JsonObject;
  deleted: boolean;
}

export interface ActiveModels {
  language: string | null;
  vision: string | null;
}

/** The admin overlay on top of the YAML config, as stored in each audit entry. */
export interface OverlaySnapshot {
  providers: Record<string, OverlayEntry>;
  models: Record<string, OverlayEntry>;
  activeModels: ActiveModels;
}

export interface AuditChange {
  kind: OverlayKind | 'setting' | 'provider_key' | 'pool_key' | 'team' | 'admin_user';
  key: string;
  before: JsonValue;
  after: JsonValue;
}

export interface ChangeMeta {
  actor: string;
  action: string;
  target: string;
}

export interface ChangeResult {
  /** False when the change was a no-op: nothing was written and the version did not move. */
  changed: boolean;
  /** The state version after the change. */
  version: number;
  auditId: number | null;
}

export const ACTIVE_MODELS_SETTING = 'activeModels';
export const emptyActiveModels = (): ActiveModels => ({ language: null, vision: null });
export const emptySnapshot = (): OverlaySnapshot => ({ providers: {}, models: {}, activeModels: emptyActiveModels() });

const kindCollection = (kind: OverlayKind): 'providers' | 'models' => (kind === 'provider' ? 'providers' : 'models');

export const normalizeActiveModels = (value: unknown): ActiveModels => {
  const record = isJsonObject(value) ? value : {};
  const pick = (item: unknown) => (typeof item === 'string' && item.length > 0 ? item : null);
  return { language: pick(record.language), vision: pick(record.vision) };
};

export const loadSnapshot = async (db: Kysely<DatabaseSchema>): Promise<OverlaySnapshot> => {
  const snapshot = emptySnapshot();
  const rows = await db.selectFrom('config_overlay').select(['kind', 'key', 'data', 'deleted']).execute();
  for (const row of rows) {
    if (row.kind !== 'provider' && row.kind !== 'model') continue;
    const data = parseJson<unknown>(row.data, {});
    snapshot[kindCollection(row.kind)][row.key] = {
      data: isJsonObject(data) ? data : {},
      deleted: Number(row.deleted) === 1,
    };
  }
  const active = await db
    .selectFrom('settings')
    .select('value')
    .where('key', '=', ACTIVE_MODELS_SETTING)
    .executeTakeFirst();
  snapshot.activeModels = normalizeActiveModels(parseJson<unknown>(active?.value, null));
  return snapshot;
};

/** Accepts a snapshot read back from JSON (audit rows, imports) and normalises its shape. */
export const normalizeSnapshot = (value: unknown): OverlaySnapshot => {
  const input = isJsonObject(value) ? value : {};
  const entries = (collection: unknown): Record<string, OverlayEntry> => {
    const out: Record<string, OverlayEntry> = {};
    if (!isJsonObject(collection)) return out;
    for (const [key, entry] of Object.entries(collection)) {
      if (!isJsonObject(entry)) continue;
      out[key] = { data: isJsonObject(entry.data) ? cloneJson(entry.data) : {}, deleted: entry.deleted === true };
    }
    return out;
  };
  return {
    providers: entries(input.providers),
    models: entries(input.models),
    activeModels: normalizeActiveModels(input.activeModels),
  };
};

const entryJson = (entry: OverlayEntry | undefined): JsonValue =>
  entry ? { data: entry.data, deleted: entry.deleted } : null;

/** Entry-level differences between two overlay states, in a stable order. */
export const diffSnapshots = (before: OverlaySnapshot, after: OverlaySnapshot): AuditChange[] => {
  const changes: AuditChange[] = [];
  for (const kind of ['provider', 'model'] as const) {
    const a = before[kindCollection(kind)];
    const b = after[kindCollection(kind)];
    const keys = [...new Set([...Object.keys(a), ...Object.keys(b)])].sort();
    for (const key of keys) {
      if (!jsonEqual(entryJson(a[key]), entryJson(b[key]))) {
        changes.push({ kind, key, before: entryJson(a[key]), after: entryJson(b[key]) });
      }
    }
  }
  for (const type of ['language', 'vision'] as const) {
    if (before.activeModels[type] !== after.activeModels[type]) {
      changes.push({
        kind: 'setting',
        key: `${ACTIVE_MODELS_SETTING}.${type}`,
        before: before.activeModels[type],
        after: after.activeModels[type],
      });
    }
  }
  return changes;
};

/** Writes the rows needed to turn `before` into `after` (only changed entries are touched). */
export const writeSnapshot = async (
  tx: Kysely<DatabaseSchema>,
  before: OverlaySnapshot,
  after: OverlaySnapshot,
  now: number,
): Promise<void> => {
  for (const kind of ['provider', 'model'] as const) {
    const a = before[kindCollection(kind)];
    const b = after[kindCollection(kind)];
    for (const key of new Set([...Object.keys(a), ...Object.keys(b)])) {
      const next = b[key];
      if (jsonEqual(entryJson(a[key]), entryJson(next))) continue;
      if (!next) {
        await tx.deleteFrom('config_overlay').where('kind', '=', kind).where('key', '=', key).execute();
        continue;
      }
      const values = { data: stableStringify(next.data), deleted: next.deleted ? 1 : 0, updated_at: now };
      await tx
        .insertInto('config_overlay')
        .values({ kind, key, ...values })
        .onConflict((oc) => oc.columns(['kind', 'key']).doUpdateSet(values))
        .execute();
    }
  }
  if (!jsonEqual(before.activeModels, after.activeModels)) {
    await writeSetting(tx, ACTIVE_MODELS_SETTING, after.activeModels as unknown as JsonValue, now);
  }
};

export const writeSetting = async (tx: Kysely<DatabaseSchema>, key: string, value: JsonValue, now: number) => {
  const values = { value: JSON.stringify(value), updated_at: now };
  await tx
    .insertInto('settings')
    .values({ key, ...values })
    .onConflict((oc) => oc.column('key').doUpdateSet(values))
    .execute();
};

/** Thrown inside a change transaction to roll it back when nothing changed. */
class NoChange extends Error {}

/**
 * The single path for every config change: bump the state version (first, to take the
 * write lock), let `work` write and report what changed, then append the audit entry
 * with the full overlay snapshot — all in one transaction. Any throw rolls back
 * everything, including the version bump.
 */
export const runConfigChange = async (
  db: Kysely<DatabaseSchema>,
  meta: ChangeMeta,
  now: () => number,
  work: (tx: Kysely<DatabaseSchema>) => Promise<AuditChange[]>,
): Promise<ChangeResult> => {
  let unchangedVersion = 0;
  try {
    return await db.transaction().execute(async (tx) => {
      const version = await bumpStateVersion(tx);
      const changes = await work(tx);
      if (changes.length === 0) {
        unchangedVersion = version - 1;
        throw new NoChange();
      }
      const snapshot = await loadSnapshot(tx);
      const row = await tx
        .insertInto('config_audit')
        .values({
          version,
          time: now(),
          actor: meta.actor,
          action: meta.action,
          target: meta.target,
          diff: JSON.stringify({ changes }),
          snapshot: stableStringify(snapshot),
        })
        .returning('id')
        .executeTakeFirstOrThrow();
      return { changed: true, version, auditId: Number(row.id) };
    });
  } catch (error) {
    if (error instanceof NoChange) return { changed: false, version: unchangedVersion, auditId: null };
    throw error;
  }
};
