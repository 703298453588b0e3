import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import { badRequest, notFound } from '../../server/errors.js';
import { CLIENT_PROTOCOLS, type LogEntry, type Timeseries, type TopEntry, type UsageSummary } from '../../core/usage-wire.js';
import type { UsageRecord } from '../../storage/index.js';
import { adminRoute, idParams, iso, parseWith, type AdminServices } from './admin-http.js';

const DAY_MS = 24 * 60 * 60 * 1000;
const isoTime = z.string().refine((value) => Number.isFinite(Date.parse(value)), 'must be an ISO-8601 time');
const rangeFields = { from: isoTime.optional(), to: isoTime.optional(), teamId: z.string().max(100).optional() };
const rangeQuery = z.object(rangeFields);
const timeseriesQuery = z.object({ ...rangeFields, bucket: z.enum(['minute', 'hour', 'day']).optional() });
const topQuery = z.object({
  ...rangeFields,
  by: z.enum(['model', 'provider', 'key']).optional(),
  limit: z.coerce.number().int().min(1).max(100).optional(),
});
const logsQuery = z.object({
  ...rangeFields,
  page: z.coerce.number().int().min(1).optional(),
  pageSize: z.coerce.number().int().min(1).max(500).optional(),
  model: z.string().max(300).optional(),
  provider: z.string().max(100).optional(),
  keyId: z.string().max(100).optional(),
  protocol: z.enum(CLIENT_PROTOCOLS).optional(),
  status: z
    .string()
    .regex(/^(success|error|[1-5][0-9][0-9])$/, 'must be "success", "error" or an HTTP status')
    .optional(),
});

/** `teamId` narrows every view to the team's member keys. */
const teamFilter = (query: { teamId?: string }) => (query.teamId ? { teamId: query.teamId } : {});

/** `from`/`to` default to the last 24 hours; `to` is exclusive. */
const range = (query: { from?: string; to?: string }) => {
  const to = query.to ? Date.parse(query.to) : Date.now() + 1;
  const from = query.from ? Date.parse(query.from) : to - DAY_MS;
  if (from > to) throw badRequest('`from` must not be after `to`.', 'invalid_request', 'from');
  return { from, to };
};

/** What the playground's caller is stored as (src/routes/admin/playground-routes.ts). */
const PLAYGROUND_KEY_NAME = 'admin';

/**
 * Who made the request. The record keeps only the key id and name: a virtual key has an id,
 * the master key and the console playground are named callers without one, and a request
 * that presented no key at all has neither.
 */
export const callerOf = (r: Pick<UsageRecord, 'keyId' | 'keyName'>): 'key' | 'master' | 'playground' | 'anonymous' =>
  r.keyId ? 'key' : r.keyName === 'master' ? 'master' : r.keyName === PLAYGROUND_KEY_NAME ? 'playground' : r.keyName ? 'key' : 'anonymous';

export const toLogEntry = (r: UsageRecord): LogEntry => ({
  id: r.id,
  requestId: r.requestId,
  time: iso(r.time)!,
  keyId: r.keyId,
  keyName: r.keyName,
  caller: callerOf(r),
  model: r.model,
  provider: r.provider,
  status: r.status,
  promptTokens: r.promptTokens,
  completionTokens: r.completionTokens,
  cacheReadTokens: r.cacheReadTokens,
  cacheWriteTokens: r.cacheWriteTokens,
  reasoningTokens: r.reasoningTokens,
  totalTokens: r.totalTokens,
  tokensEstimated: r.tokensEstimated,
  cost: r.cost,
  currency: r.currency,
  protocol: r.protocol,
  providerKeyLabel: r.providerKeyLabel,
  latencyMs: r.latencyMs,
  ttftMs: r.ttftMs,
  stream: r.stream,
  errorCode: r.errorCode,
  attempts: r.attempts,
  cached: r.cached,
});

export const registerUsageRoutes = (app: FastifyInstance, services: AdminServices) => {
  const usage = services.repositories.usage;

  app.get('/admin/api/usage/summary', {
    ...adminRoute('Requests, errors, tokens, cost and latency percentiles for a time range', { querystring: rangeQuery, role: 'viewer' }),
    handler: async (request) => {
      const query = parseWith(rangeQuery, request.query, 'query');
      const { from, to } = range(query);
      const summary = await usage.summary(from, to, teamFilter(query));
      const body: UsageSummary = { ...summary, from: iso(summary.from)!, to: iso(summary.to)! };
      return body;
    },
  });

  app.get('/admin/api/usage/timeseries', {
    ...adminRoute('Usage per minute, hour or day', { querystring: timeseriesQuery, role: 'viewer' }),
    handler: async (request) => {
      const query = parseWith(timeseriesQuery, request.query, 'query');
      const { from, to } = range(query);
      const bucket = query.bucket ?? 'hour';
      const { source, points } = await usage.timeseries(from, to, bucket, teamFilter(query));
      const body: Timeseries = { bucket, source, data: points.map((p) => ({ ...p, time: iso(p.time)! })) };
      return body;
    },
  });

  app.get('/admin/api/usage/top', {
    ...adminRoute('Top models, providers or keys by requests', { querystring: topQuery, role: 'viewer' }),
    handler: async (request) => {
      const query = parseWith(topQuery, request.query, 'query');
      const { from, to } = range(query);
      const rows = await usage.top(query.by ?? 'model', from, to, query.limit ?? 10, teamFilter(query));
      const data: TopEntry[] = rows.map((r) => ({ name: r.name, id: r.id, requests: r.requests, totalTokens: r.totalTokens, costByCurrency: r.costByCurrency }));
      return { data };
    },
  });

  app.get('/admin/api/logs', {
    ...adminRoute('Request log, newest first', { querystring: logsQuery, role: 'viewer' }),
    handler: async (request) => {
      const query = parseWith(logsQuery, request.query, 'query');
      const { from, to } = range(query);
      const status = query.status === undefined ? undefined : /^\d+$/.test(query.status) ? Number(query.status) : (query.status as 'success' | 'error');
      const page = await usage.listLogs({
        from,
        to,
        page: query.page,
        pageSize: query.pageSize,
        model: query.model || undefined,
        provider: query.provider || undefined,
        keyId: query.keyId || undefined,
        teamId: query.teamId || undefined,
        protocol: query.protocol,
        status,
      });
      return { data: page.data.map(toLogEntry), total: page.total, page: page.page, pageSize: page.pageSize };
    },
  });

  app.get('/admin/api/logs/:id', {
    ...adminRoute('One request log entry', { params: idParams, role: 'viewer' }),
    handler: async (request) => {
      const { id } = parseWith(idParams, request.params);
      const record = await usage.getLog(id);
      if (!record) throw notFound(`Log entry ${id} does not exist.`, 'log_not_found');
      return toLogEntry(record);
    },
  });
};
