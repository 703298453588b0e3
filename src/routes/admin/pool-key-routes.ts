import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import type { PoolKeyView } from '../../router/key-pool.js';
import type { ProviderState } from '../../router/model-catalog.js';
import { notFound } from '../../server/errors.js';
import { actorOf, adminRoute, catchUp, iso, parseWith, type AdminServices } from './admin-http.js';

const limit = z.number().int().positive().max(1_000_000_000).nullable();
const label = z.string().trim().min(1, 'must not be empty').max(64);
const apiKey = z.string().trim().min(1, 'must not be empty').max(4096).regex(/^[^\r\n]*$/, 'must be a single line');
export const poolKeyCreateSchema = z.object({
  label: label.optional(),
  apiKey,
  weight: z.number().min(0).max(1_000_000).optional(),
  enabled: z.boolean().optional(),
  rpmLimit: limit.optional(),
  tpmLimit: limit.optional(),
});
export const poolKeyPatchSchema = poolKeyCreateSchema.partial();
const poolParams = z.object({ name: z.string().min(1).max(200) });
const poolKeyParams = z.object({ name: z.string().min(1).max(200), id: z.string().min(1).max(100) });

const DAY_MS = 86_400_000;

/**
 * A provider's key pool in the admin: every key's state, reason, last error, last use
 * and usage (by label, from the usage rows), with add / edit / enable / remove for the
 * keys entered here. Keys from `api_key_env` are shown (masked) but edited in the YAML.
 * Health is this instance's view: each instance re-checks a key on its own schedule.
 */
export const registerPoolKeyRoutes = (app: FastifyInstance, services: AdminServices) => {
  const { state, repositories } = services;

  const findProvider = (name: string): ProviderState => {
    const found = state.catalog.providers.get(name.toLowerCase());
    if (!found) throw notFound(`There is no provider named "${name}".`, 'provider_not_found');
    return found;
  };

  const usageByLabel = async (provider: string, since: number) => {
    const rows = await repositories.usage.usageByKeyLabel(provider, since);
    return new Map(rows.map((r) => [r.label, r]));
  };

  const poolView = async (provider: ProviderState) => {
    const now = Date.now();
    const views: PoolKeyView[] = provider.pool
      ? provider.pool.view(now)
      : provider.keys.map((k) => ({
          id: k.id,
          label: k.label,
          last4: `\u2026${k.secret.slice(-4)}`,
          weight: k.weight,
          enabled: k.enabled,
          rpmLimit: k.rpmLimit,
          tpmLimit: k.tpmLimit,
          source: k.source,
          state: k.enabled ? 'active' : 'off',
          reason: null,
          lastError: null,
          lastErrorAt: null,
          lastUsedAt: null,
          retryAt: null,
          requests: 0,
          failures: 0,
        }));
    const usage = await usageByLabel(provider.config.name, now - 30 * DAY_MS);
    return {
      provider: provider.config.name,
      pooled: provider.pool !== null,
      keys: views.map((v) => {
        const used = usage.get(v.label);
        return {
          id: v.id,
          label: v.label,
          keyMasked: v.last4,
          weight: v.weight,
          enabled: v.enabled,
          rpmLimit: v.rpmLimit,
          tpmLimit: v.tpmLimit,
          source: v.source,
          editable: v.id.startsWith('pk_'),
          state: v.state,
          reason: v.reason,
          lastError: v.lastError,
          lastErrorAt: iso(v.lastErrorAt),
          lastUsedAt: iso(v.lastUsedAt ?? used?.lastTime ?? null),
          retryAt: iso(v.retryAt),
          // Since this instance started.
          attempts: v.requests,
          failures: v.failures,
          // Last 30 days, every instance (usage rows).
          usage: { requests: used?.requests ?? 0, totalTokens: used?.totalTokens ?? 0, cost: used?.cost ?? 0 },
        };
      }),
    };
  };

  app.get('/admin/api/providers/:name/pool', {
    ...adminRoute("The provider's keys with state, last error, last use and usage (masked)", { params: poolParams, role: 'viewer' }),
    handler: async (request) => poolView(findProvider(parseWith(poolParams, request.params).name)),
  });

  app.post('/admin/api/providers/:name/pool', {
    ...adminRoute('Add a key to the provider\'s pool (sealed at rest; answered masked)', { params: poolParams, body: poolKeyCreateSchema, role: 'operator' }),
    handler: async (request, reply) => {
      const provider = findProvider(parseWith(poolParams, request.params).name);
      const body = parseWith(poolKeyCreateSchema, request.body);
      const added = await repositories.poolKeys.add(provider.config.name, body, actorOf(request));
      await catchUp(state, added.change.version);
      return reply.code(201).send(await poolView(findProvider(provider.config.name)));
    },
  });

  app.patch('/admin/api/providers/:name/pool/:id', {
    ...adminRoute('Change a pool key: label, weight, enabled, limits or the key itself', { params: poolKeyParams, body: poolKeyPatchSchema, role: 'operator' }),
    handler: async (request) => {
      const { name, id } = parseWith(poolKeyParams, request.params);
      const provider = findProvider(name);
      const body = parseWith(poolKeyPatchSchema, request.body);
      await repositories.poolKeys.update(provider.config.name, id, body, actorOf(request));
      await state.reload(true);
      return poolView(findProvider(provider.config.name));
    },
  });

  app.delete('/admin/api/providers/:name/pool/:id', {
    ...adminRoute('Remove a key from the pool', { params: poolKeyParams, role: 'operator' }),
    handler: async (request) => {
      const { name, id } = parseWith(poolKeyParams, request.params);
      const provider = findProvider(name);
      const result = await repositories.poolKeys.remove(provider.config.name, id, actorOf(request));
      await catchUp(state, result.version);
      return poolView(findProvider(provider.config.name));
    },
  });

  app.post('/admin/api/providers/:name/pool/:id/recheck', {
    ...adminRoute('Let the next request re-check a key taken out of rotation now', { params: poolKeyParams, role: 'operator' }),
    handler: async (request) => {
      const { name, id } = parseWith(poolKeyParams, request.params);
      const provider = findProvider(name);
      if (!provider.pool?.recheckNow(id)) throw notFound(`The pool has no key ${id}.`, 'pool_key_not_found');
      return poolView(provider);
    },
  });
};
