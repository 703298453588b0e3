import { accessSync, constants, mkdirSync } from 'node:fs';
import type { FastifyInstance } from 'fastify';
import type { GatewayContext } from '../../server/gateway-context.js';
import type { ClusterBusStatus } from '../../state/cluster-bus.js';

const dataDirWritable = (dir: string): boolean => {
  try {
    mkdirSync(dir, { recursive: true });
    accessSync(dir, constants.W_OK);
    return true;
  } catch {
    return false;
  }
};

/**
 * `/health/ready` stays 200 while Redis is away: the instance still serves, on its own
 * state (rate limits, breakers, cache per instance), so taking it out of rotation would only
 * make things worse. It says so with `degraded: true` and `redis.connected: false`.
 */
export const registerHealthRoutes = (
  app: FastifyInstance,
  ctx: GatewayContext,
  extraChecks: () => Promise<Record<string, boolean>> = async () => ({}),
  redisStatus: (() => ClusterBusStatus) | null = null,
) => {
  app.get('/health', { schema: { tags: ['System'], summary: 'Liveness' } }, async () => ({ status: 'ok' }));
  app.get('/health/ready', { schema: { tags: ['System'], summary: 'Readiness: config loaded, data dir writable, storage reachable' } }, async (_request, reply) => {
    const catalog = ctx.catalog();
    const checks: Record<string, boolean> = {
      config: catalog.providers.size > 0,
      data_dir_writable: dataDirWritable(ctx.settings.dataDir),
      ...(await extraChecks()),
    };
    const ready = Object.values(checks).every(Boolean);
    const redis = redisStatus?.() ?? null;
    return reply.code(ready ? 200 : 503).send({
      status: ready ? 'ready' : 'not_ready',
      degraded: redis !== null && !redis.connected,
      checks,
      ...(redis
        ? { redis: { connected: redis.connected, down_since: redis.downSince === null ? null : new Date(redis.downSince).toISOString(), outages: redis.outages } }
        : {}),
      providers: catalog.providers.size,
      usable_models: catalog.models.filter((m) => m.status === 'usable').length,
    });
  });
};
