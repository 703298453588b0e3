import type { Kysely } from 'kysely';
import { badRequest } from '../server/errors.js';
import {
  ACTIVE_MODELS_SETTING,
  normalizeActiveModels,
  runConfigChange,
  writeSetting,
  type ActiveModels,
  type ChangeResult,
} from './config-change.js';
import type { RepositoryOptions } from './config-overlay-repository.js';
import { jsonEqual, parseJson, type JsonValue } from './json.js';
import type { DatabaseSchema } from './schema.js';

/** Settings the gateway knows about; other keys are allowed and typed as JSON. */
export interface KnownSettings {
  platformName: string;
  activeModels: ActiveModels;
  /** scrypt hash string produced by the auth module. */
  adminPasswordHash: string;
}

export type SettingKey = keyof KnownSettings | (string & {});
export type SettingValue<K extends string> = K extends keyof KnownSettings ? KnownSettings[K] : JsonValue;

/** Their values never reach the audit log. */
const SECRET_SETTINGS = new Set<string>(['adminPasswordHash']);
const REDACTED = '[redacted]';

export class SettingsRepository {
  private readonly now: () => number;

  constructor(
    private readonly db: Kysely<DatabaseSchema>,
    options: RepositoryOptions = {},
  ) {
    this.now = options.now ?? Date.now;
  }

  async get<K extends SettingKey>(key: K): Promise<SettingValue<K> | undefined> {
    const row = await this.db.selectFrom('settings').select('value').where('key', '=', key).executeTakeFirst();
    if (!row) return undefined;
    return parseJson<SettingValue<K> | undefined>(row.value, undefined);
  }

  async getAll(): Promise<Record<string, JsonValue>> {
    const rows = await this.db.selectFrom('settings').select(['key', 'value']).execute();
    const out: Record<string, JsonValue> = {};
    for (const row of rows) if (!SECRET_SETTINGS.has(row.key)) out[row.key] = parseJson<JsonValue>(row.value, null);
    return out;
  }

  /**
   * Stores a setting, bumping the state version and appending an audit entry in the
   * same transaction (secret settings are audited with redacted values). Setting the
   * current value again is a no-op.
   */
  async set<K extends SettingKey>(key: K, value: SettingValue<K>, actor = 'system'): Promise<ChangeResult> {
    if (value === undefined) throw badRequest(`Setting "${key}" needs a value.`, 'invalid_setting');
    const stored: JsonValue =
      key === ACTIVE_MODELS_SETTING ? (normalizeActiveModels(value) as unknown as JsonValue) : (value as JsonValue);
    const secret = SECRET_SETTINGS.has(key);
    return runConfigChange(this.db, { actor, action: 'settings.update', target: key }, this.now, async (tx) => {
      const row = await tx.selectFrom('settings').select('value').where('key', '=', key).executeTakeFirst();
      const before = row ? parseJson<JsonValue>(row.value, null) : null;
      if (row && jsonEqual(before, stored)) return [];
      await writeSetting(tx, key, stored, this.now());
      return [
        {
          kind: 'setting',
          key,
          before: secret ? (row ? REDACTED : null) : before,
          after: secret ? REDACTED : stored,
        },
      ];
    });
  }

  getPlatformName(fallback: string): Promise<string> {
    return this.get('platformName').then((value) => (typeof value === 'string' && value ? value : fallback));
  }

  async getActiveModels(): Promise<ActiveModels> {
    return normalizeActiveModels(await this.get(ACTIVE_MODELS_SETTING));
  }
}
