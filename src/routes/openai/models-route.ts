import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { ApiCaller } from '../../server/api-auth.js';
import { GatewayError } from '../../server/errors.js';
import type { GatewayContext } from '../../server/gateway-context.js';
import type { Catalog } from '../../router/model-catalog.js';
import { errorResponses } from './openapi-schemas.js';

const created = Math.floor(Date.now() / 1000);

const modelSchema = {
  type: 'object',
  properties: {
    id: { type: 'string' },
    object: { type: 'string' },
    created: { type: 'integer' },
    owned_by: { type: 'string' },
    provider: { type: 'string' },
    type: { type: 'string' },
    types: { type: 'array', items: { type: 'string' } },
    display_name: { type: 'string' },
    aliases: { type: 'array', items: { type: 'string' } },
  },
};

interface ListedModel {
  id: string;
  object: 'model';
  created: number;
  owned_by: string;
  provider: string;
  type: string | undefined;
  types: string[];
  display_name: string;
  aliases: string[];
  /** Every name that reaches this entry (id, Provider/name, name, aliases), lower-case; not sent. */
  names: string[];
}

/** Groups and usable models; a name served by several providers is listed as `Provider/name`, the form that resolves. */
export const listModels = (catalog: Catalog): ListedModel[] => {
  const usable = catalog.models.filter((m) => m.status === 'usable');
  const counts = new Map<string, number>();
  for (const m of usable) counts.set(m.name.toLowerCase(), (counts.get(m.name.toLowerCase()) ?? 0) + 1);
  const groups = [...new Set(catalog.groups.values())];
  return [
    ...groups.map((g) => ({
      id: g.name,
      object: 'model' as const,
      created,
      owned_by: 'gateway',
      provider: 'group',
      type: 'group',
      types: [] as string[],
      display_name: g.name,
      aliases: [] as string[],
      names: [g.name.toLowerCase()],
    })),
    ...usable.map((m) => ({
      id: (counts.get(m.name.toLowerCase()) ?? 0) > 1 ? m.key : m.name,
      object: 'model' as const,
      created,
      owned_by: m.provider.toLowerCase(),
      provider: m.provider,
      type: m.types[0],
      types: m.types,
      display_name: m.displayName,
      aliases: m.aliases,
      names: [m.key, m.name, ...m.aliases].map((n) => n.toLowerCase()),
    })),
  ];
};

/** A key restricted to some models sees only those (matched as admission matches them). */
export const visibleTo = (caller: ApiCaller) => {
  const allowed = caller.kind === 'virtual' ? (caller as ApiCaller & { record?: { allowedModels?: string[] | null } }).record?.allowedModels : null;
  if (!allowed || allowed.length === 0) return () => true;
  const set = new Set(allowed.map((m) => m.toLowerCase()));
  return (entry: ListedModel) => entry.names.some((name) => set.has(name));
};

const publicEntry = ({ names: _names, ...entry }: ListedModel) => entry;

/** `GET /v1/models/{id}`: ids may contain `/` (`Provider/name`), raw or percent-encoded. */
const requestedId = (request: FastifyRequest): string => {
  const raw = (request.params as { '*'?: string })['*'] ?? '';
  try {
    return decodeURIComponent(raw);
  } catch {
    return raw;
  }
};

/** OpenAI list/retrieve formats, only models whose provider is usable, with the gateway's extra fields. */
export const registerModelsRoute = (app: FastifyInstance, ctx: GatewayContext) => {
  for (const prefix of ['/v1', '/api/v1']) {
    app.get(`${prefix}/models`, {
      schema: {
        tags: ['OpenAI compatible'],
        summary: 'List usable models (only those a restricted key may use)',
        response: { 200: { type: 'object', properties: { object: { type: 'string' }, data: { type: 'array', items: modelSchema } } }, 401: errorResponses[401] },
        security: [{ bearerAuth: [] }],
      },
      handler: async (request) => {
        const visible = visibleTo(ctx.authenticate(request));
        return { object: 'list', data: listModels(ctx.catalog()).filter(visible).map(publicEntry) };
      },
    });
    app.get(`${prefix}/models/*`, {
      schema: {
        tags: ['OpenAI compatible'],
        summary: 'Retrieve one model (ids may be `Provider/name`)',
        response: { 200: modelSchema, 401: errorResponses[401] },
        security: [{ bearerAuth: [] }],
      },
      handler: async (request) => {
        const visible = visibleTo(ctx.authenticate(request));
        const id = requestedId(request);
        const lower = id.toLowerCase();
        const entries = listModels(ctx.catalog()).filter(visible);
        const found = entries.find((e) => e.id.toLowerCase() === lower) ?? entries.find((e) => e.names.includes(lower));
        if (!found) {
          throw new GatewayError(`The model \`${id.slice(0, 200)}\` does not exist or is not available to this key.`, {
            status: 404,
            code: 'model_not_found',
            param: 'model',
          });
        }
        return publicEntry(found);
      },
    });
  }
};
