import { createHash, randomBytes } from 'node:crypto';
import type { Kysely } from 'kysely';
import { badRequest, notFound } from '../server/errors.js';
import type { RepositoryOptions } from './config-overlay-repository.js';
import { parseJson } from './json.js';
import { lastFour, maskLast4 } from './mask.js';
import type { ApiKeyRow, DatabaseSchema } from './schema.js';
import { bumpStateVersion } from './state-version.js';

export type BudgetPeriod = 'day' | 'month' | 'total';
export interface Budget {
  amount: number;
  period: BudgetPeriod;
  /**
   * ISO 4217 code the amount is in (default USD). Only spend priced in this currency
   * counts against the budget: the gateway has no exchange rates, and counting a CNY
   * cost 1:1 as USD would be wrong either way.
   */
  currency?: string;
}

export const DEFAULT_BUDGET_CURRENCY = 'USD';
export type ApiKeyStatus = 'active' | 'revoked' | 'expired';

export interface ApiKeyRecord {
  id: string;
  name: string;
  keyMasked: string;
  /** Epoch milliseconds, like every other time below. */
  createdAt: number;
  expiresAt: number | null;
  revokedAt: number | null;
  allowedModels: string[] | null;
  rpmLimit: number | null;
  tpmLimit: number | null;
  budget: Budget | null;
  lastUsedAt: number | null;
  status: ApiKeyStatus;
  /** The team whose budget and limits also cap this key, or null. */
  teamId: string | null;
}

export interface CreateApiKeyInput {
  name: string;
  expiresAt?: number | null;
  allowedModels?: string[] | null;
  rpmLimit?: number | null;
  tpmLimit?: number | null;
  budget?: Budget | null;
  teamId?: string | null;
}
export type UpdateApiKeyInput = Partial<CreateApiKeyInput>;

export const API_KEY_PREFIX = 'sk-gw-';
const BASE62 = '0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz';

/** Uniform base62 (rejection sampling: bytes ≥ 248 would bias the modulo). */
export const randomBase62 = (length: number): string => {
  let out = '';
  while (out.length < length) {
    for (const byte of randomBytes(length * 2)) {
      if (byte < 248 && out.length < length) out += BASE62[byte % 62];
    }
  }
  return out;
};

export const hashApiKey = (secret: string): string => createHash('sha256').update(secret, 'utf8').digest('hex');
export const generateApiKeySecret = (): string => `${API_KEY_PREFIX}${randomBase62(40)}`;

const keyStatus = (row: ApiKeyRow, now: number): ApiKeyStatus => {
  if (row.revoked_at !== null) return 'revoked';
  if (row.expires_at !== null && Number(row.expires_at) <= now) return 'expired';
  return 'active';
};

const toRecord = (row: ApiKeyRow, now: number): ApiKeyRecord => ({
  id: row.id,
  name: row.name,
  keyMasked: maskLast4(row.last4),
  createdAt: Number(row.created_at),
  expiresAt: row.expires_at === null ? null : Number(row.expires_at),
  revokedAt: row.revoked_at === null ? null : Number(row.revoked_at),
  allowedModels: parseJson<string[] | null>(row.allowed_models, null),
  rpmLimit: row.rpm_limit === null ? null : Number(row.rpm_limit),
  tpmLimit: row.tpm_limit === null ? null : Number(row.tpm_limit),
  budget:
    row.budget_amount === null || row.budget_period === null
      ? null
      : {
          amount: Number(row.budget_amount),
          period: row.budget_period as BudgetPeriod,
          currency: row.budget_currency ?? DEFAULT_BUDGET_CURRENCY,
        },
  lastUsedAt: row.last_used_at === null ? null : Number(row.last_used_at),
  status: keyStatus(row, now),
  teamId: row.team_id ?? null,
});

const optionalInt = (value: number | null | undefined, field: string): number | null => {
  if (value === null || value === undefined) return null;
  if (!Number.isSafeInteger(value) || value <= 0) throw badRequest(`${field} must be a positive integer.`, 'invalid_request', field);
  return value;
};

/** Validates and converts the writable fields that are present in `input`. */
const toColumns = (input: UpdateApiKeyInput) => {
  const columns: Partial<ApiKeyRow> = {};
  if (input.name !== undefined) {
    if (typeof input.name !== 'string' || !input.name.trim()) throw badRequest('name must be a non-empty string.', 'invalid_request', 'name');
    columns.name = input.name.trim();
  }
  if (input.expiresAt !== undefined) {
    if (input.expiresAt !== null && !Number.isFinite(input.expiresAt)) throw badRequest('expiresAt must be a time.', 'invalid_request', 'expiresAt');
    columns.expires_at = input.expiresAt === null ? null : Math.floor(input.expiresAt);
  }
  if (input.allowedModels !== undefined) {
    const models = input.allowedModels;
    if (models !== null && (!Array.isArray(models) || models.some((m) => typeof m !== 'string' || !m))) {
      throw badRequest('allowedModels must be a list of model names.', 'invalid_request', 'allowedModels');
    }
    columns.allowed_models = models === null ? null : JSON.stringify([...new Set(models)]);
  }
  if (input.teamId !== undefined) {
    if (input.teamId !== null && (typeof input.teamId !== 'string' || !/^team_[A-Za-z0-9]{1,40}$/.test(input.teamId))) {
      throw badRequest('teamId must be a team id or null.', 'invalid_request', 'teamId');
    }
    columns.team_id = input.teamId;
  }
  if (input.rpmLimit !== undefined) columns.rpm_limit = optionalInt(input.rpmLimit, 'rpmLimit');
  if (input.tpmLimit !== undefined) columns.tpm_limit = optionalInt(input.tpmLimit, 'tpmLimit');
  if (input.budget !== undefined) {
    const budget = input.budget;
    if (budget === null) {
      columns.budget_amount = null;
      columns.budget_period = null;
      columns.budget_currency = null;
    } else {
      if (!budget || !Number.isFinite(budget.amount) || budget.amount < 0 || !['day', 'month', 'total'].includes(budget.period)) {
        throw badRequest('budget must be {amount ≥ 0, period: "day"|"month"|"total"}.', 'invalid_request', 'budget');
      }
      const currency = (budget.currency ?? DEFAULT_BUDGET_CURRENCY).trim().toUpperCase();
      if (!/^[A-Z]{3}$/.test(currency)) {
        throw badRequest('budget.currency must be a three-letter ISO 4217 code such as USD or CNY.', 'invalid_request', 'budget.currency');
      }
      columns.budget_amount = budget.amount;
      columns.budget_period = budget.period;
      columns.budget_currency = currency;
    }
  }
  return columns;
};

const assertTeam = async (db: Kysely<DatabaseSchema>, teamId: string | null) => {
  if (!teamId) return;
  const team = await db.selectFrom('teams').select('id').where('id', '=', teamId).executeTakeFirst();
  if (!team) throw badRequest(`Team ${teamId} does not exist.`, 'team_not_found', 'teamId');
};

/**
 * Virtual API keys. Only the sha256 of a secret and its last 4 characters are stored;
 * the secret is returned once, by `createApiKey`. Changes bump the state version so
 * every worker's key cache reloads (a revocation takes effect everywhere).
 */
export class ApiKeyRepository {
  private readonly now: () => number;

  constructor(
    private readonly db: Kysely<DatabaseSchema>,
    options: RepositoryOptions = {},
  ) {
    this.now = options.now ?? Date.now;
  }

  async createApiKey(input: CreateApiKeyInput): Promise<ApiKeyRecord & { key: string }> {
    if (input.name === undefined) throw badRequest('name is required.', 'invalid_request', 'name');
    const columns = toColumns(input);
    const secret = generateApiKeySecret();
    const now = this.now();
    const row: ApiKeyRow = {
      id: `key_${randomBase62(20)}`,
      name: columns.name!,
      key_hash: hashApiKey(secret),
      last4: lastFour(secret),
      created_at: now,
      updated_at: now,
      expires_at: columns.expires_at ?? null,
      revoked_at: null,
      allowed_models: columns.allowed_models ?? null,
      rpm_limit: columns.rpm_limit ?? null,
      tpm_limit: columns.tpm_limit ?? null,
      budget_amount: columns.budget_amount ?? null,
      budget_period: columns.budget_period ?? null,
      budget_currency: columns.budget_currency ?? null,
      last_used_at: null,
      team_id: columns.team_id ?? null,
    };
    await this.db.transaction().execute(async (tx) => {
      await bumpStateVersion(tx);
      await assertTeam(tx, row.team_id);
      await tx.insertInto('api_keys').values(row).execute();
    });
    return { ...toRecord(row, now), key: secret };
  }

  async listApiKeys(): Promise<ApiKeyRecord[]> {
    const rows = await this.db.selectFrom('api_keys').selectAll().orderBy('created_at', 'desc').orderBy('id').execute();
    const now = this.now();
    return rows.map((row) => toRecord(row, now));
  }

  async getApiKey(id: string): Promise<ApiKeyRecord | null> {
    const row = await this.db.selectFrom('api_keys').selectAll().where('id', '=', id).executeTakeFirst();
    return row ? toRecord(row, this.now()) : null;
  }

  /** Looks a presented secret up by its hash (any status; check `status`). */
  async findBySecret(secret: string): Promise<ApiKeyRecord | null> {
    return this.findByHash(hashApiKey(secret));
  }

  async findByHash(hash: string): Promise<ApiKeyRecord | null> {
    const row = await this.db.selectFrom('api_keys').selectAll().where('key_hash', '=', hash).executeTakeFirst();
    return row ? toRecord(row, this.now()) : null;
  }

  async updateApiKey(id: string, patch: UpdateApiKeyInput): Promise<ApiKeyRecord> {
    const columns = toColumns(patch);
    return this.mutate(id, { ...columns, updated_at: this.now() });
  }

  /** Idempotent: revoking twice keeps the first revocation time. */
  async revokeApiKey(id: string): Promise<ApiKeyRecord> {
    const existing = await this.getApiKey(id);
    if (existing?.revokedAt) return existing;
    const now = this.now();
    return this.mutate(id, { revoked_at: now, updated_at: now });
  }

  private async mutate(id: string, columns: Partial<ApiKeyRow>): Promise<ApiKeyRecord> {
    const row = await this.db.transaction().execute(async (tx) => {
      await bumpStateVersion(tx);
      if (columns.team_id) await assertTeam(tx, columns.team_id);
      const updated = await tx.updateTable('api_keys').set(columns).where('id', '=', id).returningAll().executeTakeFirst();
      if (!updated) throw notFound(`API key ${id} does not exist.`, 'api_key_not_found');
      return updated;
    });
    return toRecord(row, this.now());
  }

  /** hash → record for every key that is neither revoked nor expired, for an in-memory cache. */
  async loadAllActiveForCache(): Promise<Map<string, ApiKeyRecord>> {
    const now = this.now();
    const rows = await this.db
      .selectFrom('api_keys')
      .selectAll()
      .where('revoked_at', 'is', null)
      .where((eb) => eb.or([eb('expires_at', 'is', null), eb('expires_at', '>', now)]))
      .execute();
    return new Map(rows.map((row) => [row.key_hash, toRecord(row, now)]));
  }

  /**
   * Records last use for many keys in one transaction (callers batch, e.g. the usage
   * writer). Never moves `last_used_at` backwards and does not bump the state version.
   */
  async touchLastUsed(updates: Map<string, number> | Record<string, number>): Promise<void> {
    const entries = updates instanceof Map ? [...updates.entries()] : Object.entries(updates);
    if (entries.length === 0) return;
    // Rows locked in id order by every instance, so concurrent batches cannot deadlock.
    entries.sort((a, b) => (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0));
    await this.db.transaction().execute(async (tx) => {
      for (const [id, at] of entries) {
        await tx
          .updateTable('api_keys')
          .set({ last_used_at: at })
          .where('id', '=', id)
          .where((eb) => eb.or([eb('last_used_at', 'is', null), eb('last_used_at', '<', at)]))
          .execute();
      }
    });
  }
}

/** Start of the budget window containing `now` (UTC); 0 for `total`. */
export const budgetPeriodStart = (period: BudgetPeriod, now: number = Date.now()): number => {
  const date = new Date(now);
  if (period === 'day') return Date.UTC(date.getUTCFullYear(), date.getUTCMonth(), date.getUTCDate());
  if (period === 'month') return Date.UTC(date.getUTCFullYear(), date.getUTCMonth(), 1);
  return 0;
};
