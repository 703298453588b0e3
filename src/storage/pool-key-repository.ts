import type { Kysely } from 'kysely';
import { badRequest, notFound } from '../server/errors.js';
import { runConfigChange, type ChangeResult } from './config-change.js';
import type { RepositoryOptions } from './config-overlay-repository.js';
import { randomBase62 } from './api-key-repository.js';
import { lastFour, maskLast4 } from './mask.js';
import type { DatabaseSchema, ProviderPoolKeysTable } from './schema.js';
import type { SecretBox } from './secret-box.js';

/** Provider and row id are bound as associated data: a sealed key cannot be moved to another row. */
const aad = (provider: string, id: string) => `pool-key:${provider.toLowerCase()}:${id}`;

export interface PoolKeyRecord {
  id: string;
  provider: string;
  label: string;
  keyMasked: string;
  weight: number;
  enabled: boolean;
  rpmLimit: number | null;
  tpmLimit: number | null;
  createdAt: number;
  updatedAt: number;
}

export interface PoolKeyInput {
  label?: string;
  apiKey?: string;
  weight?: number;
  enabled?: boolean;
  rpmLimit?: number | null;
  tpmLimit?: number | null;
}

/** A decrypted pool key, for the catalog only. */
export interface OpenPoolKey extends Omit<PoolKeyRecord, 'keyMasked' | 'createdAt' | 'updatedAt'> {
  secret: string;
}

const toRecord = (row: ProviderPoolKeysTable): PoolKeyRecord => ({
  id: row.id,
  provider: row.provider,
  label: row.label,
  keyMasked: maskLast4(row.last4),
  weight: Number(row.weight),
  enabled: Number(row.enabled) === 1,
  rpmLimit: row.rpm_limit === null ? null : Number(row.rpm_limit),
  tpmLimit: row.tpm_limit === null ? null : Number(row.tpm_limit),
  createdAt: Number(row.created_at),
  updatedAt: Number(row.updated_at),
});

const LABEL = /^[\p{L}\p{N} ._:@#-]{1,64}$/u;

/** Audit entries show what an operator sees: label, masked key, weight, switch, limits. */
const auditView = (row: ProviderPoolKeysTable) => ({
  label: row.label,
  key: maskLast4(row.last4),
  weight: Number(row.weight),
  enabled: Number(row.enabled) === 1,
  rpmLimit: row.rpm_limit === null ? null : Number(row.rpm_limit),
  tpmLimit: row.tpm_limit === null ? null : Number(row.tpm_limit),
});

/**
 * The extra vendor keys of a provider's key pool, sealed at rest like the single
 * provider key. Changes bump the state version (every worker rebuilds its pools) and
 * are audited with masked values only.
 */
export class PoolKeyRepository {
  private readonly now: () => number;
  private readonly box: SecretBox;

  constructor(
    private readonly db: Kysely<DatabaseSchema>,
    options: RepositoryOptions & { box: SecretBox },
  ) {
    this.now = options.now ?? Date.now;
    this.box = options.box;
  }

  async list(provider?: string): Promise<PoolKeyRecord[]> {
    let query = this.db.selectFrom('provider_pool_keys').selectAll().orderBy('created_at').orderBy('id');
    if (provider !== undefined) query = query.where('provider', '=', provider.toLowerCase());
    return (await query.execute()).map(toRecord);
  }

  async add(provider: string, input: PoolKeyInput, actor = 'system'): Promise<PoolKeyRecord & { change: ChangeResult }> {
    const key = typeof input.apiKey === 'string' ? input.apiKey.trim() : '';
    if (!key || /[\r\n]/.test(key)) throw badRequest('apiKey must be a non-empty single line.', 'invalid_api_key_value', 'apiKey');
    const id = `pk_${randomBase62(16)}`;
    const now = this.now();
    const owner = provider.toLowerCase();
    const row: ProviderPoolKeysTable = {
      id,
      provider: owner,
      label: this.label(input.label ?? `key-${lastFour(key)}`),
      sealed: this.box.seal(key, aad(owner, id)),
      last4: lastFour(key),
      weight: this.weight(input.weight ?? 1),
      enabled: input.enabled === false ? 0 : 1,
      rpm_limit: this.limit(input.rpmLimit ?? null, 'rpmLimit'),
      tpm_limit: this.limit(input.tpmLimit ?? null, 'tpmLimit'),
      created_at: now,
      updated_at: now,
    };
    const change = await runConfigChange(this.db, { actor, action: 'pool_key.add', target: `${provider}/${row.label}` }, this.now, async (tx) => {
      const clash = await tx.selectFrom('provider_pool_keys').select('id').where('provider', '=', owner).where('label', '=', row.label).executeTakeFirst();
      if (clash) throw badRequest(`The provider already has a key labelled "${row.label}".`, 'duplicate_label', 'label');
      await tx.insertInto('provider_pool_keys').values(row).execute();
      return [{ kind: 'pool_key', key: `${provider}/${id}`, before: null, after: auditView(row) }];
    });
    return { ...toRecord(row), change };
  }

  async update(provider: string, id: string, input: PoolKeyInput, actor = 'system'): Promise<PoolKeyRecord> {
    const owner = provider.toLowerCase();
    let result: ProviderPoolKeysTable | null = null;
    await runConfigChange(this.db, { actor, action: 'pool_key.update', target: `${provider}/${id}` }, this.now, async (tx) => {
      const before = await tx.selectFrom('provider_pool_keys').selectAll().where('provider', '=', owner).where('id', '=', id).executeTakeFirst();
      if (!before) throw notFound(`Pool key ${id} does not exist for this provider.`, 'pool_key_not_found');
      const next: ProviderPoolKeysTable = { ...before, updated_at: this.now() };
      if (input.label !== undefined) next.label = this.label(input.label);
      if (input.weight !== undefined) next.weight = this.weight(input.weight);
      if (input.enabled !== undefined) next.enabled = input.enabled ? 1 : 0;
      if (input.rpmLimit !== undefined) next.rpm_limit = this.limit(input.rpmLimit, 'rpmLimit');
      if (input.tpmLimit !== undefined) next.tpm_limit = this.limit(input.tpmLimit, 'tpmLimit');
      if (input.apiKey !== undefined) {
        const key = String(input.apiKey).trim();
        if (!key || /[\r\n]/.test(key)) throw badRequest('apiKey must be a non-empty single line.', 'invalid_api_key_value', 'apiKey');
        next.sealed = this.box.seal(key, aad(owner, id));
        next.last4 = lastFour(key);
      }
      if (next.label !== before.label) {
        const clash = await tx.selectFrom('provider_pool_keys').select('id').where('provider', '=', owner).where('label', '=', next.label).executeTakeFirst();
        if (clash) throw badRequest(`The provider already has a key labelled "${next.label}".`, 'duplicate_label', 'label');
      }
      const { id: _id, provider: _p, created_at: _c, ...columns } = next;
      await tx.updateTable('provider_pool_keys').set(columns).where('id', '=', id).execute();
      result = next;
      return [{ kind: 'pool_key', key: `${provider}/${id}`, before: auditView(before), after: auditView(next) }];
    });
    return toRecord(result!);
  }

  async remove(provider: string, id: string, actor = 'system'): Promise<ChangeResult> {
    const owner = provider.toLowerCase();
    return runConfigChange(this.db, { actor, action: 'pool_key.delete', target: `${provider}/${id}` }, this.now, async (tx) => {
      const row = await tx.deleteFrom('provider_pool_keys').where('provider', '=', owner).where('id', '=', id).returningAll().executeTakeFirst();
      if (!row) throw notFound(`Pool key ${id} does not exist for this provider.`, 'pool_key_not_found');
      return [{ kind: 'pool_key', key: `${provider}/${id}`, before: auditView(row), after: null }];
    });
  }

  /** Decrypted keys by lower-case provider name; an undecryptable key is skipped and reported. */
  async openAll(onUndecryptable?: (provider: string, id: string, error: unknown) => void): Promise<Map<string, OpenPoolKey[]>> {
    const rows = await this.db.selectFrom('provider_pool_keys').selectAll().orderBy('created_at').orderBy('id').execute();
    const out = new Map<string, OpenPoolKey[]>();
    for (const row of rows) {
      let secret: string;
      try {
        secret = this.box.open(row.sealed, aad(row.provider, row.id));
      } catch (error) {
        onUndecryptable?.(row.provider, row.id, error);
        continue;
      }
      const { keyMasked: _m, createdAt: _c, updatedAt: _u, ...record } = toRecord(row);
      const list = out.get(row.provider) ?? [];
      list.push({ ...record, secret });
      out.set(row.provider, list);
    }
    return out;
  }

  private label(value: unknown): string {
    const label = typeof value === 'string' ? value.trim() : '';
    if (!LABEL.test(label)) throw badRequest('label must be 1–64 letters, digits, spaces or ._:@#-', 'invalid_label', 'label');
    return label;
  }

  private weight(value: unknown): number {
    if (typeof value !== 'number' || !Number.isFinite(value) || value < 0 || value > 1_000_000) {
      throw badRequest('weight must be a number from 0 to 1000000.', 'invalid_weight', 'weight');
    }
    return value;
  }

  private limit(value: unknown, field: string): number | null {
    if (value === null) return null;
    if (typeof value !== 'number' || !Number.isSafeInteger(value) || value <= 0) throw badRequest(`${field} must be a positive integer or null.`, 'invalid_request', field);
    return value;
  }
}
