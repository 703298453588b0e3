import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import { notFound } from '../../server/errors.js';
import { budgetPeriodStart, type TeamRecord } from '../../storage/index.js';
import { actorOf, adminRoute, idParams, iso, parseWith, type AdminServices } from './admin-http.js';

const limit = z.number().int().positive().max(1_000_000_000).nullable();
export const teamCreateSchema = z.object({
  name: z.string().trim().min(1, 'must not be empty').max(100),
  budget: z
    .object({
      amount: z.number().nonnegative(),
      period: z.enum(['day', 'month', 'total']),
      currency: z.string().regex(/^[A-Z]{3}$/, 'must be a 3-letter currency code').optional(),
    })
    .nullable()
    .optional(),
  rpmLimit: limit.optional(),
  tpmLimit: limit.optional(),
  allowedModels: z.array(z.string().trim().min(1).max(200)).max(500).nullable().optional(),
});
export const teamPatchSchema = teamCreateSchema.partial();

/**
 * Teams: a budget, RPM/TPM and allowed models shared by their member keys. Members are
 * assigned on the key (`teamId` in the key routes); the team view lists them with the
 * team's spend in its budget period.
 */
export const registerTeamRoutes = (app: FastifyInstance, services: AdminServices) => {
  const { repositories, state } = services;
  const teams = repositories.teams;

  const toViews = async (records: TeamRecord[]) => {
    const [members, keys] = await Promise.all([teams.members(), repositories.apiKeys.listApiKeys()]);
    const names = new Map(keys.map((k) => [k.id, k]));
    return Promise.all(
      records.map(async (team) => {
        const ids = members.get(team.id) ?? [];
        const since = budgetPeriodStart(team.budget?.period ?? 'total');
        const totals = ids.length > 0 ? await repositories.usage.spendTotalsForKeys({ since, keyIds: ids }) : {};
        return {
          id: team.id,
          name: team.name,
          budget: team.budget,
          rpmLimit: team.rpmLimit,
          tpmLimit: team.tpmLimit,
          allowedModels: team.allowedModels,
          spend: ids.reduce((sum, id) => sum + (totals[id] ?? 0), 0),
          members: ids.map((id) => ({ id, name: names.get(id)?.name ?? id, keyMasked: names.get(id)?.keyMasked ?? null, status: names.get(id)?.status ?? null })),
          createdAt: iso(team.createdAt),
          updatedAt: iso(team.updatedAt),
        };
      }),
    );
  };

  /** Every worker's guard reloads teams with the keys on a state change; this one at once. */
  const refresh = () => state.reload(true);

  app.get('/admin/api/teams', {
    ...adminRoute('Teams with members, limits, budget and spend', { role: 'viewer' }),
    handler: async () => ({ data: await toViews(await teams.list()) }),
  });

  app.post('/admin/api/teams', {
    ...adminRoute('Create a team', { body: teamCreateSchema, role: 'operator' }),
    handler: async (request, reply) => {
      const body = parseWith(teamCreateSchema, request.body);
      const team = await teams.create({ ...body, budget: body.budget ? { ...body.budget, currency: body.budget.currency ?? 'USD' } : body.budget });
      // Teams are not in the overlay audit; like key changes, the log line names the account.
      request.log.info({ actor: actorOf(request), action: 'team.create', target: team.id }, 'team changed');
      await refresh();
      return reply.code(201).send((await toViews([team]))[0]);
    },
  });

  app.get('/admin/api/teams/:id', {
    ...adminRoute('One team', { params: idParams, role: 'viewer' }),
    handler: async (request) => {
      const { id } = parseWith(idParams, request.params);
      const team = await teams.get(id);
      if (!team) throw notFound(`Team ${id} does not exist.`, 'team_not_found');
      return (await toViews([team]))[0];
    },
  });

  app.patch('/admin/api/teams/:id', {
    ...adminRoute('Change a team', { params: idParams, body: teamPatchSchema, role: 'operator' }),
    handler: async (request) => {
      const { id } = parseWith(idParams, request.params);
      const body = parseWith(teamPatchSchema, request.body);
      const team = await teams.update(id, { ...body, budget: body.budget ? { ...body.budget, currency: body.budget.currency ?? 'USD' } : body.budget });
      request.log.info({ actor: actorOf(request), action: 'team.update', target: id }, 'team changed');
      await refresh();
      return (await toViews([team]))[0];
    },
  });

  app.delete('/admin/api/teams/:id', {
    ...adminRoute('Delete a team (its keys stay, without a team)', { params: idParams, role: 'operator' }),
    handler: async (request) => {
      const { id } = parseWith(idParams, request.params);
      await teams.remove(id);
      request.log.info({ actor: actorOf(request), action: 'team.delete', target: id }, 'team changed');
      await refresh();
      return { ok: true };
    },
  });
};
