import type { FastifyInstance } from 'fastify';
import { badRequest } from '../../server/errors.js';
import type { GatewayContext } from '../../server/gateway-context.js';
import type { ResponseStore } from '../../storage/response-store.js';
import { responseNotFound } from '../../storage/response-store.js';
import { MAX_RESPONSE_ID_LENGTH, ownerOf, RESPONSE_ID_SHAPE } from './create-response.js';

type Json = Record<string, unknown>;


/** Ids are client-chosen strings: anything not shaped like ours is simply not found. */
const responseId = (value: unknown): string => {
  const id = typeof value === 'string' ? value : '';
  if (id.length === 0 || id.length > MAX_RESPONSE_ID_LENGTH || !RESPONSE_ID_SHAPE.test(id)) throw responseNotFound(id);
  return id;
};

const listQuery = (query: unknown): { limit: number; order: 'asc' | 'desc'; after: string | null } => {
  const q = (query ?? {}) as Record<string, unknown>;
  const limit = q.limit === undefined ? 20 : Number(q.limit);
  if (!Number.isInteger(limit) || limit < 1 || limit > 100) throw badRequest('`limit` must be an integer from 1 to 100.', 'invalid_request', 'limit');
  if (q.order !== undefined && q.order !== 'asc' && q.order !== 'desc') throw badRequest('`order` must be asc or desc.', 'invalid_request', 'order');
  return { limit, order: q.order === 'asc' ? 'asc' : 'desc', after: typeof q.after === 'string' ? q.after : null };
};

/**
 * GET / DELETE `/v1/responses/{id}` and GET `/v1/responses/{id}/input_items`. A key only
 * ever sees its own responses; another key's id is a 404 like an unknown one.
 */
export const registerStoredResponseRoutes = (scope: FastifyInstance, ctx: GatewayContext, store: ResponseStore) => {
  scope.get('/v1/responses/:id', { schema: { tags: ['OpenAI compatible'], summary: 'Retrieve a stored response', security: [{ bearerAuth: [] }] } }, async (request, reply) => {
    const caller = ctx.authenticate(request);
    const id = responseId((request.params as { id?: unknown }).id);
    return reply.header('x-request-id', request.id).send(await store.get(id, ownerOf(caller)));
  });
  scope.delete('/v1/responses/:id', { schema: { tags: ['OpenAI compatible'], summary: 'Delete a stored response', security: [{ bearerAuth: [] }] } }, async (request, reply) => {
    const caller = ctx.authenticate(request);
    const id = responseId((request.params as { id?: unknown }).id);
    await store.delete(id, ownerOf(caller));
    return reply.header('x-request-id', request.id).send({ id, object: 'response', deleted: true });
  });
  scope.get('/v1/responses/:id/input_items', { schema: { tags: ['OpenAI compatible'], summary: 'List the input items of a stored response', security: [{ bearerAuth: [] }] } }, async (request, reply) => {
    const caller = ctx.authenticate(request);
    const id = responseId((request.params as { id?: unknown }).id);
    const { limit, order, after } = listQuery(request.query);
    let items = await store.inputItems(id, ownerOf(caller));
    if (order === 'desc') items = [...items].reverse();
    if (after !== null) {
      const at = items.findIndex((item) => item.id === after);
      items = at === -1 ? [] : items.slice(at + 1);
    }
    const page: Json[] = items.slice(0, limit);
    return reply.header('x-request-id', request.id).send({
      object: 'list',
      data: page,
      first_id: (page[0]?.id as string | undefined) ?? null,
      last_id: (page.at(-1)?.id as string | undefined) ?? null,
      has_more: items.length > limit,
    });
  });
};
