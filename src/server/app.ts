import { randomUUID } from 'node:crypto';
import Fastify, { type FastifyBaseLogger, type FastifyInstance } from 'fastify';
import type { Logger } from 'pino';
import type { RuntimeSettings } from '../config/env.js';
import { loadConfig } from '../config/load-config.js';
import type { GatewayConfig } from '../config/types.js';
import { createLogger } from '../observability/logger.js';
import type { UsageSink } from '../observability/usage-record.js';
import { registerChatCompletionsRoute } from '../routes/openai/chat-completions-route.js';
import { registerEmbeddingsRoute } from '../routes/openai/embeddings-route.js';
import { registerModelsRoute } from '../routes/openai/models-route.js';
import { registerDocs } from '../routes/system/docs-routes.js';
import { registerHealthRoutes } from '../routes/system/health-routes.js';
import { createActiveModelsFile } from '../state/active-models-file.js';
import { GatewayState } from '../state/gateway-state.js';
import { UpstreamClient } from '../upstream/upstream-client.js';
import { anonymousCaller, constantTimeEqual, invalidKeyError, masterKeyCaller, missingKeyError, presentedKey } from './api-auth.js';
import { registerErrorHandler } from './error-handler.js';
import type { GatewayContext } from './gateway-context.js';
import { version } from './version.js';

export interface BuildAppOptions {
  settings: RuntimeSettings;
  config?: GatewayConfig;
  env?: NodeJS.ProcessEnv;
  logger?: Logger;
  usage?: UsageSink;
}

export interface GatewayApp {
  app: FastifyInstance;
  ctx: GatewayContext;
  state: GatewayState;
  close(): Promise<void>;
}

export const buildApp = async (options: BuildAppOptions): Promise<GatewayApp> => {
  const { settings } = options;
  const env = options.env ?? process.env;
  const config = options.config ?? loadConfig(settings.configDir);
  const logger = options.logger ?? createLogger(settings.logLevel);
  const state = new GatewayState(config, createActiveModelsFile(settings.dataDir), env);
  const upstream = new UpstreamClient();

  const ctx: GatewayContext = {
    settings,
    config,
    catalog: () => state.catalog,
    upstream,
    usage: options.usage ?? { record: () => undefined },
    logger,
    authenticate: (request) => {
      if (!settings.masterKey) return anonymousCaller;
      const key = presentedKey(request);
      if (!key) throw missingKeyError();
      if (constantTimeEqual(key, settings.masterKey)) return masterKeyCaller;
      throw invalidKeyError();
    },
    admit: () => ({}),
    settle: () => undefined,
  };

  const app: FastifyInstance = Fastify({
    loggerInstance: logger as unknown as FastifyBaseLogger,
    disableRequestLogging: true,
    bodyLimit: settings.bodyLimitBytes,
    requestIdHeader: 'x-request-id',
    requestIdLogLabel: 'request_id',
    genReqId: () => randomUUID(),
    trustProxy: settings.trustProxy,
    keepAliveTimeout: 65_000,
    return503OnClosing: true,
  });
  registerErrorHandler(app);
  await registerDocs(app, { title: settings.platformName, version });
  registerHealthRoutes(app, ctx);
  registerChatCompletionsRoute(app, ctx);
  registerModelsRoute(app, ctx);
  registerEmbeddingsRoute(app, ctx);
  app.addHook('onClose', async () => {
    await upstream.close();
  });

  return {
    app,
    ctx,
    state,
    close: async () => {
      await app.close();
    },
  };
};
