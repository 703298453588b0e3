import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import { createKeyEnvPolicy } from '../../config/key-env-policy.js';
import type { ProviderState } from '../../router/model-catalog.js';
import { badRequest, conflict, notFound } from '../../server/errors.js';
import { parseProviderEntry, providerToEntry } from '../../state/merge-overlay.js';
import type { JsonObject } from '../../storage/index.js';
import { actorOf, adminRoute, applyChange, catchUp, nameParams, parseWith, yamlFieldError, type AdminServices } from './admin-http.js';
import { checkIntervalFromEnv, ProviderChecks } from './provider-checks.js';
import {
  providerCreateSchema,
  providerFieldNames,
  providerPatchData,
  providerPatchSchema,
  toProviderView,
} from './provider-view.js';

const keyBody = z.object({ apiKey: z.string().trim().min(1, 'must not be empty').max(4096).regex(/^[^\r\n]*$/, 'must be a single line') });

export const registerProviderRoutes = (app: FastifyInstance, services: AdminServices) => {
  const { state, repositories, ctx, settings } = services;
  const checks = new ProviderChecks(ctx, state, ctx.logger);
  checks.start(checkIntervalFromEnv(process.env));
  app.addHook('onClose', () => checks.stop());

  /** A key variable must be one the config folder uses or the operator's allow-list permits. */
  const checkKeyEnv = (keyEnv: string | null | undefined) => {
    if (!keyEnv) return;
    const policy = createKeyEnvPolicy({ allow: settings.providerKeyEnvAllow, configNames: state.config.providers.map((p) => p.apiKeyEnv) });
    const refusal = policy.check(keyEnv);
    if (refusal) throw badRequest(`${refusal}.`, 'key_env_not_allowed', 'keyEnv');
  };

  const findProvider = (name: string): ProviderState => {
    const found = state.catalog.providers.get(name.toLowerCase());
    if (!found) throw notFound(`There is no provider named "${name}".`, 'provider_not_found');
    return found;
  };

  const view = async (name: string) => {
    const catalog = state.catalog;
    const provider = findProvider(name);
    return toProviderView(provider, catalog, await repositories.providerKeys.listMasked(), checks.get(provider.config.name));
  };

  /** Validates the merged definition exactly as the overlay merge will read it. */
  const validate = (entry: Record<string, unknown>) => {
    try {
      return parseProviderEntry(entry, 'admin');
    } catch (error) {
      throw yamlFieldError(error, providerFieldNames, 'provider: ');
    }
  };

  app.get('/admin/api/providers', {
    ...adminRoute('List providers with masked key and status', { role: 'viewer' }),
    handler: async () => {
      const catalog = state.catalog;
      const masked = await repositories.providerKeys.listMasked();
      return { data: [...catalog.providers.values()].map((p) => toProviderView(p, catalog, masked, checks.get(p.config.name))) };
    },
  });

  app.post('/admin/api/providers', {
    ...adminRoute('Add a provider', { body: providerCreateSchema, role: 'operator' }),
    handler: async (request, reply) => {
      const body = parseWith(providerCreateSchema, request.body);
      checkKeyEnv(body.keyEnv);
      if (state.catalog.providers.has(body.name.toLowerCase())) {
        throw conflict(`A provider named "${body.name}" already exists.`, 'provider_exists');
      }
      // A provider from the config folder that was deleted comes back under its own key.
      const base = state.config.providers.find((p) => p.name.toLowerCase() === body.name.toLowerCase());
      const name = base?.name ?? body.name;
      const data = { name, ...providerPatchData(body, null) } as Record<string, unknown>;
      for (const field of Object.keys(data)) if (data[field] === undefined) delete data[field];
      validate(data);
      await applyChange(state, { actor: actorOf(request), action: 'provider.create', target: name }, (draft) =>
        draft.create('provider', name, data as JsonObject, { inBase: Boolean(base) }),
      );
      return reply.code(201).send(await view(name));
    },
  });

  app.patch('/admin/api/providers/:name', {
    ...adminRoute('Change a provider', { body: providerPatchSchema, params: nameParams, role: 'operator' }),
    handler: async (request) => {
      const { name: param } = parseWith(nameParams, request.params);
      const current = findProvider(param).config;
      const body = parseWith(providerPatchSchema, request.body);
      checkKeyEnv(body.keyEnv);
      if (body.name !== undefined && body.name.toLowerCase() !== current.name.toLowerCase()) {
        throw badRequest('A provider cannot be renamed; add a new one instead.', 'invalid_request', 'name');
      }
      const patch = providerPatchData(body, current);
      const merged: Record<string, unknown> = { ...providerToEntry(current), ...patch, name: current.name };
      for (const field of Object.keys(merged)) if (merged[field] === undefined) delete merged[field];
      validate(merged);
      await applyChange(state, { actor: actorOf(request), action: 'provider.update', target: current.name }, (draft) =>
        draft.patch('provider', current.name, patch),
      );
      return view(current.name);
    },
  });

  app.delete('/admin/api/providers/:name', {
    ...adminRoute('Delete a provider (409 while it serves an active model)', { params: nameParams, role: 'operator' }),
    handler: async (request) => {
      const { name: param } = parseWith(nameParams, request.params);
      const current = findProvider(param).config;
      const { active } = state.catalog;
      const serving = [active.language, active.vision].find((m) => m && m.provider.toLowerCase() === current.name.toLowerCase());
      if (serving) {
        throw conflict(
          `${current.name} serves the active model ${serving.key}; switch the active model to another provider first.`,
          'provider_in_use',
        );
      }
      await applyChange(state, { actor: actorOf(request), action: 'provider.delete', target: current.name }, (draft) =>
        draft.remove('provider', current.name),
      );
      return { ok: true };
    },
  });

  app.put('/admin/api/providers/:name/key', {
    ...adminRoute('Set the provider API key (stored encrypted; answered masked)', { body: keyBody, params: nameParams, role: 'operator' }),
    handler: async (request) => {
      const { name: param } = parseWith(nameParams, request.params);
      const current = findProvider(param).config;
      const { apiKey } = parseWith(keyBody, request.body);
      const result = await repositories.providerKeys.setKey(current.name, apiKey, actorOf(request));
      await catchUp(state, result.version);
      return view(current.name);
    },
  });

  app.delete('/admin/api/providers/:name/key', {
    ...adminRoute('Remove the key set in the console (an env key applies again)', { params: nameParams, role: 'operator' }),
    handler: async (request) => {
      const { name: param } = parseWith(nameParams, request.params);
      const current = findProvider(param).config;
      const result = await repositories.providerKeys.deleteKey(current.name, actorOf(request));
      if (result.changed) await catchUp(state, result.version);
      return view(current.name);
    },
  });

  app.post('/admin/api/providers/:name/test', {
    ...adminRoute('Test the connection: GET <base_url>/models with the key (recorded as the provider\'s last check)', { params: nameParams, role: 'operator' }),
    handler: async (request) => {
      const { name: param } = parseWith(nameParams, request.params);
      const { check, ...result } = await checks.check(findProvider(param), 'console');
      return { ...result, checkedAt: check.checkedAt };
    },
  });
};
