import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import { currencySchema } from '../../config/config-schema.js';
import { badRequest, notFound } from '../../server/errors.js';
import { budgetPeriodStart, DEFAULT_BUDGET_CURRENCY, type ApiKeyRecord, type BudgetPeriod, type UpdateApiKeyInput } from '../../storage/index.js';
import { actorOf, adminRoute, catchUp, idParams, iso, parseWith, type AdminServices } from './admin-http.js';

const isoTime = z.string().refine((value) => Number.isFinite(Date.parse(value)), 'must be an ISO-8601 time');
const limit = z.number().int().positive().max(1_000_000_000).nullable();

export const keyCreateSchema = z.object({
  name: z.string().trim().min(1, 'must not be empty').max(200),
  expiresAt: isoTime.nullable().optional(),
  allowedModels: z.array(z.string().trim().min(1).max(300)).max(500).nullable().optional(),
  rpmLimit: limit.optional(),
  tpmLimit: limit.optional(),
  budget: z
    .object({
      amount: z.number().nonnegative(),
      period: z.enum(['day', 'month', 'total']),
      /** Only spend priced in this currency counts against the budget (default USD). */
      currency: z.string().max(10).pipe(currencySchema).optional(),
    })
    .nullable()
    .optional(),
  /** The team whose budget, limits and allowed models also cap this key. */
  teamId: z.string().max(100).nullable().optional(),
});
export const keyPatchSchema = keyCreateSchema.partial();

const toInput = (body: z.output<typeof keyPatchSchema>): UpdateApiKeyInput => ({
  ...body,
  expiresAt: body.expiresAt === undefined ? undefined : body.expiresAt === null ? null : Date.parse(body.expiresAt),
});

export const registerKeyRoutes = (app: FastifyInstance, services: AdminServices) => {
  const { repositories, state, ctx } = services;
  const keys = repositories.apiKeys;

  /**
   * Spend in each key's budget period and budget currency (all time, USD for keys
   * without a budget): what the budget is checked against.
   */
  const spendOf = async (records: ApiKeyRecord[]): Promise<Map<string, number>> => {
    const groups = new Map<string, string[]>();
    for (const record of records) {
      const group = `${record.budget?.period ?? 'total'}|${record.budget?.currency ?? DEFAULT_BUDGET_CURRENCY}`;
      groups.set(group, [...(groups.get(group) ?? []), record.id]);
    }
    const spend = new Map<string, number>();
    for (const [group, ids] of groups) {
      const [period, currency] = group.split('|') as [BudgetPeriod, string];
      const totals = await repositories.usage.spendTotalsForKeys({ since: budgetPeriodStart(period), keyIds: ids, currency });
      for (const id of ids) spend.set(id, totals[id] ?? 0);
    }
    return spend;
  };

  const toView = (record: ApiKeyRecord, spend: number) => ({
    id: record.id,
    name: record.name,
    keyMasked: record.keyMasked,
    createdAt: iso(record.createdAt),
    expiresAt: iso(record.expiresAt),
    revokedAt: iso(record.revokedAt),
    allowedModels: record.allowedModels,
    rpmLimit: record.rpmLimit,
    tpmLimit: record.tpmLimit,
    budget: record.budget,
    teamId: record.teamId,
    /** In the budget's currency (USD without a budget); spend in other currencies is in the usage views. */
    spend,
    spendCurrency: record.budget?.currency ?? DEFAULT_BUDGET_CURRENCY,
    lastUsedAt: iso(record.lastUsedAt),
    status: record.status,
  });

  const viewOne = async (record: ApiKeyRecord) => toView(record, (await spendOf([record])).get(record.id) ?? 0);

  /** Key changes are not overlay changes; they are logged with the actor instead of audited. */
  const changed = async (actor: string, action: string, record: ApiKeyRecord) => {
    ctx.logger.info({ actor, action, target: record.id, name: record.name }, 'api key changed');
    // This worker's key cache follows at once; others within their poll interval.
    await catchUp(state, await repositories.overlay.getStateVersion());
  };

  app.get('/admin/api/keys', {
    ...adminRoute('List virtual API keys (masked)', { role: 'viewer' }),
    handler: async () => {
      const records = await keys.listApiKeys();
      const spend = await spendOf(records);
      return { data: records.map((r) => toView(r, spend.get(r.id) ?? 0)) };
    },
  });

  app.post('/admin/api/keys', {
    ...adminRoute('Create a virtual key; the answer is the only time the secret is shown', { body: keyCreateSchema, role: 'operator' }),
    handler: async (request, reply) => {
      const body = parseWith(keyCreateSchema, request.body);
      const input = toInput(body);
      if (typeof input.expiresAt === 'number' && input.expiresAt <= Date.now()) {
        throw badRequest('`expiresAt` must be in the future.', 'invalid_request', 'expiresAt');
      }
      const { key, ...record } = await keys.createApiKey({ ...input, name: body.name });
      await changed(actorOf(request), 'api_key.create', record);
      return reply.code(201).send({ ...toView(record, 0), key });
    },
  });

  app.patch('/admin/api/keys/:id', {
    ...adminRoute('Change a virtual key', { body: keyPatchSchema, params: idParams, role: 'operator' }),
    handler: async (request) => {
      const { id } = parseWith(idParams, request.params);
      const body = parseWith(keyPatchSchema, request.body);
      if (!(await keys.getApiKey(id))) throw notFound(`API key ${id} does not exist.`, 'api_key_not_found');
      const record = await keys.updateApiKey(id, toInput(body));
      await changed(actorOf(request), 'api_key.update', record);
      return viewOne(record);
    },
  });

  app.post('/admin/api/keys/:id/revoke', {
    ...adminRoute('Revoke a virtual key (takes effect on every worker within the poll interval)', { params: idParams, role: 'operator' }),
    handler: async (request) => {
      const { id } = parseWith(idParams, request.params);
      const record = await keys.revokeApiKey(id);
      await changed(actorOf(request), 'api_key.revoke', record);
      return viewOne(record);
    },
  });
};
