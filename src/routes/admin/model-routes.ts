import type { FastifyInstance } from 'fastify';
import { modelKey, type ModelType } from '../../config/types.js';
import { modelSeesImages, servedTypes, type CatalogModel } from '../../router/model-catalog.js';
import { badRequest, conflict, GatewayError, notFound } from '../../server/errors.js';
import { modelToEntry, parseModelEntry, type ModelOverlayData } from '../../state/merge-overlay.js';
import type { JsonObject } from '../../storage/index.js';
import { actorOf, adminRoute, applyChange, keyParams, parseWith, yamlFieldError, type AdminServices } from './admin-http.js';
import {
  activeModelsBody,
  activeModelsView,
  canServe,
  modelCreateSchema,
  modelFieldNames,
  modelPatchData,
  modelPatchSchema,
  resolveTypes,
  toModelView,
} from './model-view.js';

const dropUndefined = (data: Record<string, unknown>) => {
  for (const field of Object.keys(data)) if (data[field] === undefined) delete data[field];
  return data;
};

/**
 * 409 model_not_usable: every default request would answer 503 (no key) or 403 (disabled), so
 * the switch needs `force: true`. The reason and the remedy are in the message and `details`.
 */
const notUsable = (model: CatalogModel, type: 'language' | 'vision') => {
  const { config } = model.providerState;
  const reason =
    model.status === 'key_missing'
      ? `its provider ${config.name} has no API key${config.apiKeyEnv ? ` (set ${config.apiKeyEnv} or enter one on the Providers page)` : ' (enter one on the Providers page)'}`
      : model.providerState.status === 'disabled'
        ? `its provider ${config.name} is disabled`
        : 'the model is disabled';
  return new GatewayError(
    `${model.key} cannot answer requests: ${reason}. Every request without \`model\` would fail; send "force": true to make it the active ${type} model anyway.`,
    { status: 409, code: 'model_not_usable', param: 'key', details: { key: model.key, status: model.status, provider: config.name, ...(config.apiKeyEnv ? { variable: config.apiKeyEnv } : {}) } },
  );
};

export const registerModelRoutes = (app: FastifyInstance, services: AdminServices) => {
  const { state } = services;

  const findModel = (key: string): CatalogModel => {
    const found = state.catalog.byKey.get(key.toLowerCase());
    if (!found) throw notFound(`There is no model with the key "${key}" (keys are provider/name).`, 'model_not_found');
    return found;
  };

  const view = (key: string) => {
    const catalog = state.catalog;
    const model = catalog.byKey.get(key.toLowerCase());
    if (!model) throw new GatewayError('The model disappeared while it was being saved.', { status: 409, code: 'conflict' });
    return toModelView(model, catalog);
  };

  const validate = (entry: Record<string, unknown>) => {
    try {
      return parseModelEntry(entry as ModelOverlayData, 'admin');
    } catch (error) {
      throw yamlFieldError(error, modelFieldNames, 'model: ');
    }
  };

  app.get('/admin/api/models', {
    ...adminRoute('List models with status and active flags', { role: 'viewer' }),
    handler: async () => {
      const catalog = state.catalog;
      return { data: catalog.models.map((m) => toModelView(m, catalog)) };
    },
  });

  app.post('/admin/api/models', {
    ...adminRoute('Add a model to a provider', { body: modelCreateSchema, role: 'operator' }),
    handler: async (request, reply) => {
      const body = parseWith(modelCreateSchema, request.body);
      const provider = state.catalog.providers.get(body.provider.toLowerCase());
      if (!provider) throw badRequest(`There is no provider named "${body.provider}".`, 'unknown_provider', 'provider');
      const key = modelKey(provider.config.name, body.name);
      if (state.catalog.byKey.has(key.toLowerCase())) throw conflict(`The model ${key} already exists.`, 'model_exists');
      const data = dropUndefined({
        name: body.name,
        provider: provider.config.name,
        ...modelPatchData(body, [body.type]),
        types: resolveTypes(body, [body.type]),
      });
      validate(data);
      const inBase = state.config.models.some((m) => modelKey(m.provider, m.name) === key);
      await applyChange(state, { actor: actorOf(request), action: 'model.create', target: key }, (draft) =>
        draft.create('model', key, data as JsonObject, { inBase }),
      );
      return reply.code(201).send(view(key));
    },
  });

  app.patch('/admin/api/models/:key', {
    ...adminRoute('Change a model (key = provider/name, URL-encoded)', { body: modelPatchSchema, params: keyParams, role: 'operator' }),
    handler: async (request) => {
      const { key: param } = parseWith(keyParams, request.params);
      const current = findModel(param);
      const body = parseWith(modelPatchSchema, request.body);
      if (body.provider !== undefined && body.provider.toLowerCase() !== current.provider.toLowerCase()) {
        throw badRequest('A model cannot move to another provider; add it there instead.', 'invalid_request', 'provider');
      }
      if (body.name !== undefined && body.name !== current.name) {
        throw badRequest('A model cannot be renamed; add it under the new name instead.', 'invalid_request', 'name');
      }
      const patch = modelPatchData(body, current.types);
      validate(dropUndefined({ ...modelToEntry(current), ...patch, provider: current.provider, name: current.name }));
      // An active model must keep the type it is active for.
      const types = (patch.types as ModelType[] | undefined) ?? current.types;
      const capabilities = (patch.capabilities as string[] | undefined) ?? current.capabilities;
      const probe = { ...current, types: servedTypes({ types, capabilities }), seesImages: modelSeesImages({ types, capabilities }) };
      for (const role of ['language', 'vision'] as const) {
        if (state.catalog.active[role]?.key === current.key && !canServe(probe, role)) {
          throw conflict(`${current.key} is the active ${role} model; switch the active ${role} model first.`, 'model_is_active');
        }
      }
      await applyChange(state, { actor: actorOf(request), action: 'model.update', target: current.key }, (draft) =>
        draft.patch('model', current.key, patch),
      );
      return view(current.key);
    },
  });

  app.delete('/admin/api/models/:key', {
    ...adminRoute('Delete a model (409 model_is_active while it is an active model)', { params: keyParams, role: 'operator' }),
    handler: async (request) => {
      const { key: param } = parseWith(keyParams, request.params);
      const current = findModel(param);
      const { active } = state.catalog;
      const roles = (['language', 'vision'] as const).filter((type) => active[type]?.key === current.key);
      if (roles.length > 0) {
        throw conflict(
          `${current.key} is the active ${roles.join(' and ')} model; switch the active model to another one first, then delete it.`,
          'model_is_active',
        );
      }
      await applyChange(state, { actor: actorOf(request), action: 'model.delete', target: current.key }, (draft) =>
        draft.remove('model', current.key),
      );
      return { ok: true };
    },
  });

  app.get('/admin/api/active-models', {
    ...adminRoute('The active language and vision models', { role: 'viewer' }),
    handler: async () => activeModelsView(state.catalog),
  });

  app.put('/admin/api/active-models', {
    ...adminRoute('Switch the active model of a type (takes effect with the next request)', { body: activeModelsBody, role: 'operator' }),
    handler: async (request) => {
      const body = parseWith(activeModelsBody, request.body);
      const model = state.catalog.byKey.get(body.key.toLowerCase());
      if (!model) throw badRequest(`There is no model with the key "${body.key}".`, 'model_not_found', 'key');
      if (!canServe(model, body.type)) {
        throw badRequest(`${model.key} cannot serve as the active ${body.type} model (types: ${model.types.join(', ')}).`, 'model_type_mismatch', 'key');
      }
      if (model.status !== 'usable' && !body.force) throw notUsable(model, body.type);
      await applyChange(state, { actor: actorOf(request), action: 'active_model.set', target: body.type }, (draft) =>
        draft.setActiveModel(body.type, model.key),
      );
      return activeModelsView(state.catalog);
    },
  });
};
