import type { Kysely } from 'kysely';
import { badRequest, notFound } from '../server/errors.js';
import { randomBase62, type BudgetPeriod } from './api-key-repository.js';
import type { RepositoryOptions } from './config-overlay-repository.js';
import { parseJson } from './json.js';
import type { DatabaseSchema, TeamsTable } from './schema.js';
import { bumpStateVersion } from './state-version.js';

export interface TeamBudget {
  amount: number;
  period: BudgetPeriod;
  /** The currency the models' prices are in (budgets compare costs, not conversions). */
  currency: string;
}

export interface TeamRecord {
  id: string;
  name: string;
  budget: TeamBudget | null;
  rpmLimit: number | null;
  tpmLimit: number | null;
  allowedModels: string[] | null;
  createdAt: number;
  updatedAt: number;
}

export interface TeamInput {
  name?: string;
  budget?: TeamBudget | null;
  rpmLimit?: number | null;
  tpmLimit?: number | null;
  allowedModels?: string[] | null;
}

const toRecord = (row: TeamsTable): TeamRecord => ({
  id: row.id,
  name: row.name,
  budget:
    row.budget_amount === null || row.budget_period === null
      ? null
      : { amount: Number(row.budget_amount), period: row.budget_period as BudgetPeriod, currency: row.budget_currency ?? 'USD' },
  rpmLimit: row.rpm_limit === null ? null : Number(row.rpm_limit),
  tpmLimit: row.tpm_limit === null ? null : Number(row.tpm_limit),
  allowedModels: parseJson<string[] | null>(row.allowed_models, null),
  createdAt: Number(row.created_at),
  updatedAt: Number(row.updated_at),
});

const positive = (value: unknown, field: string): number | null => {
  if (value === null) return null;
  if (typeof value !== 'number' || !Number.isSafeInteger(value) || value <= 0) throw badRequest(`${field} must be a positive integer or null.`, 'invalid_request', field);
  return value;
};

const toColumns = (input: TeamInput): Partial<TeamsTable> => {
  const columns: Partial<TeamsTable> = {};
  if (input.name !== undefined) {
    const name = typeof input.name === 'string' ? input.name.trim() : '';
    if (!name || name.length > 100) throw badRequest('name must be 1–100 characters.', 'invalid_request', 'name');
    columns.name = name;
  }
  if (input.budget !== undefined) {
    const budget = input.budget;
    if (budget === null) {
      columns.budget_amount = null;
      columns.budget_period = null;
      columns.budget_currency = null;
    } else {
      const currency = budget?.currency ?? 'USD';
      if (!budget || !Number.isFinite(budget.amount) || budget.amount < 0 || !['day', 'month', 'total'].includes(budget.period) || !/^[A-Z]{3}$/.test(currency)) {
        throw badRequest('budget must be {amount ≥ 0, period: "day"|"month"|"total", currency: "USD"|"CNY"|…}.', 'invalid_request', 'budget');
      }
      columns.budget_amount = budget.amount;
      columns.budget_period = budget.period;
      columns.budget_currency = currency;
    }
  }
  if (input.rpmLimit !== undefined) columns.rpm_limit = positive(input.rpmLimit, 'rpmLimit');
  if (input.tpmLimit !== undefined) columns.tpm_limit = positive(input.tpmLimit, 'tpmLimit');
  if (input.allowedModels !== undefined) {
    const models = input.allowedModels;
    if (models !== null && (!Array.isArray(models) || models.length > 500 || models.some((m) => typeof m !== 'string' || !m || m.length > 200))) {
      throw badRequest('allowedModels must be a list of model names.', 'invalid_request', 'allowedModels');
    }
    columns.allowed_models = models === null || models.length === 0 ? null : JSON.stringify([...new Set(models)]);
  }
  return columns;
};

/**
 * Teams: a budget, RPM/TPM and allowed models shared by their member keys (api_keys.team_id).
 * Changes bump the state version so every worker's guard reloads them.
 */
export class TeamRepository {
  private readonly now: () => number;

  constructor(
    private readonly db: Kysely<DatabaseSchema>,
    options: RepositoryOptions = {},
  ) {
    this.now = options.now ?? Date.now;
  }

  async list(): Promise<TeamRecord[]> {
    return (await this.db.selectFrom('teams').selectAll().orderBy('name').execute()).map(toRecord);
  }

  async get(id: string): Promise<TeamRecord | null> {
    const row = await this.db.selectFrom('teams').selectAll().where('id', '=', id).executeTakeFirst();
    return row ? toRecord(row) : null;
  }

  /** Member key ids by team id. */
  async members(): Promise<Map<string, string[]>> {
    const rows = await this.db.selectFrom('api_keys').select(['id', 'team_id']).where('team_id', 'is not', null).execute();
    const out = new Map<string, string[]>();
    for (const row of rows) {
      const list = out.get(row.team_id!) ?? [];
      list.push(row.id);
      out.set(row.team_id!, list);
    }
    return out;
  }

  async create(input: TeamInput): Promise<TeamRecord> {
    if (input.name === undefined) throw badRequest('name is required.', 'invalid_request', 'name');
    const columns = toColumns(input);
    const now = this.now();
    const row: TeamsTable = {
      id: `team_${randomBase62(16)}`,
      name: columns.name!,
      budget_amount: columns.budget_amount ?? null,
      budget_period: columns.budget_period ?? null,
      budget_currency: columns.budget_currency ?? null,
      rpm_limit: columns.rpm_limit ?? null,
      tpm_limit: columns.tpm_limit ?? null,
      allowed_models: columns.allowed_models ?? null,
      created_at: now,
      updated_at: now,
    };
    await this.db.transaction().execute(async (tx) => {
      const clash = await tx.selectFrom('teams').select('id').where('name', '=', row.name).executeTakeFirst();
      if (clash) throw badRequest(`A team named "${row.name}" exists already.`, 'duplicate_team', 'name');
      await bumpStateVersion(tx);
      await tx.insertInto('teams').values(row).execute();
    });
    return toRecord(row);
  }

  async update(id: string, input: TeamInput): Promise<TeamRecord> {
    const columns = toColumns(input);
    const row = await this.db.transaction().execute(async (tx) => {
      if (columns.name) {
        const clash = await tx.selectFrom('teams').select('id').where('name', '=', columns.name).where('id', '!=', id).executeTakeFirst();
        if (clash) throw badRequest(`A team named "${columns.name}" exists already.`, 'duplicate_team', 'name');
      }
      await bumpStateVersion(tx);
      const updated = await tx.updateTable('teams').set({ ...columns, updated_at: this.now() }).where('id', '=', id).returningAll().executeTakeFirst();
      if (!updated) throw notFound(`Team ${id} does not exist.`, 'team_not_found');
      return updated;
    });
    return toRecord(row);
  }

  /** Removes the team; its keys stay, without a team. */
  async remove(id: string): Promise<void> {
    await this.db.transaction().execute(async (tx) => {
      await bumpStateVersion(tx);
      const row = await tx.deleteFrom('teams').where('id', '=', id).returning('id').executeTakeFirst();
      if (!row) throw notFound(`Team ${id} does not exist.`, 'team_not_found');
      await tx.updateTable('api_keys').set({ team_id: null }).where('team_id', '=', id).execute();
    });
  }
}
