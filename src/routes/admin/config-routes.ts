import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import { badRequest } from '../../server/errors.js';
import { actorOf, adminRoute, applyChange, catchUp, idParams, iso, parseWith, type AdminServices } from './admin-http.js';
import { exportConfigYaml, isSensitiveHeader, REDACTED } from './config-export.js';
import { planImport } from './config-import.js';
import { createKeyEnvPolicy } from '../../config/key-env-policy.js';

const importBody = z.object({ yaml: z.string().min(1, 'must not be empty').max(5 * 1024 * 1024) });
const auditQuery = z.object({
  page: z.coerce.number().int().min(1).optional(),
  pageSize: z.coerce.number().int().min(1).max(200).optional(),
});

/** Audit entries hold overlay data; header values that may be credentials are masked there too. */
export const redactHeaders = (value: unknown): unknown => {
  if (Array.isArray(value)) return value.map(redactHeaders);
  if (!value || typeof value !== 'object') return value;
  return Object.fromEntries(
    Object.entries(value as Record<string, unknown>).map(([key, inner]) => {
      if (key === 'headers' && inner && typeof inner === 'object' && !Array.isArray(inner)) {
        return [key, Object.fromEntries(Object.entries(inner).map(([h, v]) => [h, isSensitiveHeader(h) ? REDACTED : v]))];
      }
      return [key, redactHeaders(inner)];
    }),
  );
};

export const registerConfigRoutes = (app: FastifyInstance, services: AdminServices) => {
  const { state, repositories, settings } = services;

  app.get('/admin/api/config/export', {
    ...adminRoute('The merged configuration as YAML (no secrets)', {
      role: 'operator',
      description: 'Providers in the config/models.yaml layout, each with its models in the providers/*.yaml layout, plus active_models.',
    }),
    handler: async (_request, reply) => {
      const catalog = state.catalog;
      const yaml = exportConfigYaml(state.mergedConfig, {
        platformName: await repositories.settings.getPlatformName(settings.platformName),
        version: catalog.version,
        activeKeys: { language: catalog.active.language?.key ?? null, vision: catalog.active.vision?.key ?? null },
      });
      return reply
        .type('text/yaml; charset=utf-8')
        .header('content-disposition', 'attachment; filename="sk-llm-gateway-config.yaml"')
        .send(yaml);
    },
  });

  app.post('/admin/api/config/import', {
    ...adminRoute('Replace the admin overlay with an exported YAML (validated first; all or nothing)', { body: importBody, role: 'admin' }),
    handler: async (request) => {
      const { yaml } = parseWith(importBody, request.body);
      const keyEnvPolicy = createKeyEnvPolicy({ allow: settings.providerKeyEnvAllow, configNames: state.config.providers.map((p) => p.apiKeyEnv) });
      const plan = planImport(yaml, state.config, state.mergedConfig, keyEnvPolicy);
      const result = await applyChange(state, { actor: actorOf(request), action: 'config.import', target: 'config' }, (draft) =>
        draft.replaceAll(plan.snapshot),
      );
      return { ok: true, version: result.changed ? result.version : state.catalog.version, changed: result.changed };
    },
  });

  app.get('/admin/api/audit', {
    ...adminRoute('Configuration changes, newest first', { querystring: auditQuery, role: 'viewer' }),
    handler: async (request) => {
      const query = parseWith(auditQuery, request.query, 'query');
      const page = await repositories.audit.listAudit(query.page, query.pageSize);
      return {
        data: page.data.map((entry) => ({
          id: entry.id,
          version: entry.version,
          time: iso(entry.time),
          actor: entry.actor,
          action: entry.action,
          target: entry.target,
          diff: redactHeaders(entry.diff),
        })),
        total: page.total,
        page: page.page,
        pageSize: page.pageSize,
      };
    },
  });

  app.post('/admin/api/audit/:id/rollback', {
    ...adminRoute('Restore the configuration recorded by an audit entry (as a new version)', { params: idParams, role: 'admin' }),
    handler: async (request) => {
      const { id } = parseWith(idParams, request.params);
      const auditId = Number(id);
      if (!Number.isSafeInteger(auditId) || auditId < 1) throw badRequest('`id` must be an audit entry id.', 'invalid_request', 'id');
      const result = await repositories.audit.rollbackTo(auditId, actorOf(request));
      if (result.changed) await catchUp(state, result.version);
      return { ok: true, version: result.changed ? result.version : state.catalog.version, changed: result.changed };
    },
  });
};
