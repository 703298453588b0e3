import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import { GatewayError } from '../../server/errors.js';
import { modelGroupSchema, type ModelGroup } from '../../router/types.js';
import { actorOf, adminRoute, nameParams, parseWith, type AdminServices } from './admin-http.js';

const groupBody = z.object({}).passthrough();

const stored = async (services: AdminServices): Promise<unknown[]> => {
  const value = await services.repositories.settings.get('modelGroups');
  return Array.isArray(value) ? value : [];
};

const groupView = (group: ModelGroup, source: 'config' | 'admin') => ({ ...group, source });

/**
 * Model groups (one public name over several deployments) and the live health of every
 * deployment: circuit state, in-flight requests, time to first token, recent errors.
 * Groups from the YAML config are read-only here; groups added here override by name.
 */
export const registerRoutingRoutes = (app: FastifyInstance, services: AdminServices) => {
  const { ctx, state, repositories } = services;
  const configNames = new Set(state.config.modelGroups.map((g) => g.name));

  app.get('/admin/api/routing/groups', {
    ...adminRoute('Model groups (config and admin), as the router uses them', { role: 'viewer' }),
    handler: async () => {
      const adminNames = new Set((await stored(services)).map((g) => (g as { name?: string }).name));
      const groups = [...new Set(ctx.catalog().groups.values())];
      return { data: groups.map((g) => groupView(g, adminNames.has(g.name) ? 'admin' : 'config')) };
    },
  });

  app.put('/admin/api/routing/groups/:name', {
    ...adminRoute('Create or replace a model group', { params: nameParams, body: groupBody, role: 'operator' }),
    handler: async (request) => {
      const { name } = parseWith(nameParams, request.params, 'path');
      const input = { ...(request.body as object), name };
      const group = parseWith(modelGroupSchema, input, 'model group') as ModelGroup;
      for (const deployment of group.deployments) {
        if (!ctx.catalog().byKey.has(`${deployment.provider}/${deployment.model}`.toLowerCase())) {
          throw new GatewayError(`The deployment ${deployment.provider}/${deployment.model} names no configured model.`, {
            status: 400,
            code: 'unknown_model',
            param: 'deployments',
          });
        }
      }
      const others = (await stored(services)).filter((g) => (g as { name?: string }).name !== name);
      await repositories.settings.set('modelGroups', [...others, input] as never, actorOf(request));
      await state.reload(true);
      return groupView(ctx.catalog().groups.get(name)!, 'admin');
    },
  });

  app.delete('/admin/api/routing/groups/:name', {
    ...adminRoute('Delete a model group added in the admin', { params: nameParams, role: 'operator' }),
    handler: async (request) => {
      const { name } = parseWith(nameParams, request.params, 'path');
      const current = await stored(services);
      const remaining = current.filter((g) => (g as { name?: string }).name !== name);
      if (remaining.length === current.length) {
        throw configNames.has(name)
          ? new GatewayError(`The group \`${name}\` comes from the config folder; change it there.`, { status: 409, code: 'group_from_config' })
          : new GatewayError(`No model group \`${name}\`.`, { status: 404, code: 'group_not_found' });
      }
      await repositories.settings.set('modelGroups', remaining as never, actorOf(request));
      await state.reload(true);
      return { ok: true };
    },
  });

  app.get('/admin/api/routing/health', {
    ...adminRoute('Live health of every deployment (circuit breaker, in-flight, latency) and cache statistics', { role: 'viewer' }),
    handler: async () => {
      const now = Date.now();
      const breakers = new Map(ctx.routing.breaker.snapshot(now).map((b) => [b.id, b]));
      const stats = new Map(ctx.routing.stats.snapshot().map((s) => [s.id, s]));
      const ids = [...new Set([...breakers.keys(), ...stats.keys()])].sort();
      return {
        deployments: ids.map((id) => ({
          id,
          state: breakers.get(id)?.state ?? 'closed',
          ...(breakers.get(id) ?? {}),
          ...(stats.get(id) ?? {}),
        })),
        cache: ctx.routing.cache.stats(),
      };
    },
  });
};
