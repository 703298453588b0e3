import { accessSync, constants, mkdirSync } from 'node:fs';
import type { FastifyInstance } from 'fastify';
import type { GatewayContext } from '../../server/gateway-context.js';

const dataDirWritable = (dir: string): boolean => {
  try {
    mkdirSync(dir, { recursive: true });
    accessSync(dir, constants.W_OK);
    return true;
  } catch {
    return false;
  }
};

export const registerHealthRoutes = (app: FastifyInstance, ctx: GatewayContext, extraChecks: () => Promise<Record<string, boolean>> = async () => ({})) => {
  app.get('/health', { schema: { tags: ['System'], summary: 'Liveness' } }, async () => ({ status: 'ok' }));
  app.get('/health/ready', { schema: { tags: ['System'], summary: 'Readiness: config loaded, data dir writable, storage reachable' } }, async (_request, reply) => {
    const catalog = ctx.catalog();
    const checks: Record<string, boolean> = {
      config: catalog.providers.size > 0,
      data_dir_writable: dataDirWritable(ctx.settings.dataDir),
      ...(await extraChecks()),
    };
    const ready = Object.values(checks).every(Boolean);
    return reply.code(ready ? 200 : 503).send({
      status: ready ? 'ready' : 'not_ready',
      checks,
      providers: catalog.providers.size,
      usable_models: catalog.models.filter((m) => m.status === 'usable').length,
    });
  });
};
