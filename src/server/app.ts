import { randomUUID } from 'node:crypto';
import { join } from 'node:path';
import { boundText } from '../core/bounded-text.js';
import Fastify, { LogController, type FastifyBaseLogger, type FastifyInstance, type FastifyRequest } from 'fastify';
import type { Logger } from 'pino';
import type { RuntimeSettings } from '../config/env.js';
import { loadConfig } from '../config/load-config.js';
import type { GatewayConfig } from '../config/types.js';
import { createLogger } from '../observability/logger.js';
import type { UsageSink } from '../observability/usage-record.js';
import { GatewayMetrics } from '../observability/metrics.js';
import { registerAdminRoutes } from '../routes/admin/register-admin-routes.js';
import { registerAnthropicRoutes } from '../routes/anthropic/messages-route.js';
import { registerResponsesRoutes } from '../routes/responses/responses-route.js';
import { ResponseStore } from '../storage/response-store.js';
import { registerGeminiRoutes } from '../routes/gemini/gemini-routes.js';
import { registerChatCompletionsRoute } from '../routes/openai/chat-completions-route.js';
import { registerEmbeddingsRoute } from '../routes/openai/embeddings-route.js';
import { registerModelsRoute } from '../routes/openai/models-route.js';
import { registerDocs } from '../routes/system/docs-routes.js';
import { registerHealthRoutes } from '../routes/system/health-routes.js';
import { registerRootRoute } from '../routes/system/root-routes.js';
import { registerVisionRoutes } from '../routes/vision/vision-routes.js';
import { GatewayState } from '../state/gateway-state.js';
import { ClusterBus } from '../state/cluster-bus.js';
import { SharedBreakers } from '../state/shared-breakers.js';
import { SharedResponseCache } from '../state/shared-response-cache.js';
import { registerClusterMetrics } from '../state/cluster-metrics.js';
import { initTracing, shutdownTracing } from '../observability/tracing.js';
import {
  createRepositories,
  createSecretBox,
  createUsageWriter,
  startUsageRetention,
  loadSecretKey,
  openDatabase,
  type GatewayDatabase,
  type Repositories,
  type UsageWriter,
} from '../storage/index.js';
import { UpstreamClient } from '../upstream/upstream-client.js';
import { createRoutingRuntime } from '../upstream/routing-runtime.js';
import { SharedReasoning } from '../state/shared-reasoning.js';
import {
  anonymousCaller,
  constantTimeEqual,
  createKeyMatcher,
  installEarlyApiAuth,
  invalidKeyError,
  masterKeyCaller,
  missingKeyError,
  presentedKey,
  type ApiCaller,
} from './api-auth.js';
import { installConnectionGuard } from './connection-guard.js';
import { isLoopbackAddress, trustProxyOption } from './network-address.js';
import { registerErrorHandler } from './error-handler.js';
import type { GatewayContext } from './gateway-context.js';
import { KeyGuard } from './key-guard.js';
import { PendingWork } from './pending-work.js';
import { registerAdminUi } from './admin-ui-static.js';
import { RedisRateLimiter } from '../limits/redis-rate-limiter.js';
import { RedisBudgetStore } from '../limits/redis-budget.js';
import { version } from './version.js';
import { KeyPoolRegistry } from '../router/key-pool.js';

const SAFE_REQUEST_ID = /^[A-Za-z0-9._:/+=@-]{1,128}$/;

/** The client's request id when it is at most 128 characters of a safe set; otherwise none. */
export const clientRequestId = (value: string | string[] | undefined): string | null =>
  typeof value === 'string' && SAFE_REQUEST_ID.test(value) ? value : null;

export interface BuildAppOptions {
  settings: RuntimeSettings;
  config?: GatewayConfig;
  env?: NodeJS.ProcessEnv;
  logger?: Logger;
  /** Replaces the database usage writer (benchmarks of the bare proxy path). */
  usage?: UsageSink;
  /** How often workers look for changes made elsewhere (ms). */
  pollIntervalMs?: number;
  /** Per-account login back-off (defaults: 10 free failures, then 1 s doubling to 15 min). */
  loginBackoff?: { freeFailures?: number; baseDelayMs?: number; maxDelayMs?: number };
  /** How long stored responses wait to share a write (ms); default 100 on SQLite, 0 on PostgreSQL. */
  responsesFlushWindowMs?: number;
}

export interface GatewayApp {
  app: FastifyInstance;
  ctx: GatewayContext;
  state: GatewayState;
  database: GatewayDatabase;
  repositories: Repositories;
  keyGuard: KeyGuard;
  metrics: GatewayMetrics;
  usageWriter: UsageWriter;
  /** Null when stored responses are turned off (retention 0). */
  responseStore: ResponseStore | null;
  close(): Promise<void>;
}

/**
 * Node checks header/request deadlines every `connectionsCheckingInterval` (30 s by
 * default), which would let a slow client overstay a short timeout by that much.
 */
const slowClientServerOptions = (settings: RuntimeSettings) => {
  const shortest = Math.min(...[settings.headersTimeoutMs, settings.bodyTimeoutMs].filter((ms) => ms > 0), 20_000);
  return {
    requestTimeout: settings.bodyTimeoutMs,
    http: { connectionsCheckingInterval: Math.max(100, Math.min(5_000, Math.floor(shortest / 4))) },
  };
};

export const buildApp = async (options: BuildAppOptions): Promise<GatewayApp> => {
  const { settings } = options;
  const env = options.env ?? process.env;
  const config = options.config ?? loadConfig(settings.configDir);
  const logger = options.logger ?? createLogger(settings.logLevel);
  // Off unless OTEL_EXPORTER_OTLP_ENDPOINT is set; the SDK is loaded only then.
  const traced = await initTracing(env, version, logger);

  const database = await openDatabase({
    databaseUrl: settings.databaseUrl ?? undefined,
    dataDir: settings.dataDir,
    postgres: { max: settings.databasePoolMax, ...(settings.databaseSchema ? { searchPath: settings.databaseSchema } : {}) },
  });
  const box = createSecretBox(await loadSecretKey({ env: env.GATEWAY_SECRET_KEY, dataDir: settings.dataDir }));
  const repositories = createRepositories(database.db, { box, sqlite: database.sqlite });
  // ioredis is loaded only when REDIS_URL is set.
  const redis = settings.redisUrl
    ? new (await import('ioredis')).Redis(settings.redisUrl, {
        maxRetriesPerRequest: 1,
        enableOfflineQueue: false,
        lazyConnect: false,
        // A Redis that hangs instead of closing must not hang requests: after 2 s the
        // callers fall back to per-instance state, as when it is down.
        commandTimeout: 2_000,
      })
    : null;
  redis?.on('error', (error) => logger.warn({ err: String(error) }, 'redis error'));
  const keyGuard = new KeyGuard(
    repositories,
    logger,
    redis ? new RedisRateLimiter(redis, `${settings.redisPrefix}rl:`) : null,
    redis ? new RedisBudgetStore(redis, `${settings.redisPrefix}budget:`) : null,
  );
  // Many instances (issue 16): config pushes, breaker openings and the response cache go through Redis.
  const bus = redis ? new ClusterBus(redis, settings.redisPrefix, logger) : null;
  const pools = new KeyPoolRegistry({ recheckMs: settings.keyRecheckMs });
  const state = await GatewayState.create({ config, repositories, env, logger, pollIntervalMs: options.pollIntervalMs, bus, pools });
  await keyGuard.reloadKeys();
  state.onReload(() => keyGuard.reloadKeys());
  state.startPolling();
  keyGuard.startRefreshing();
  // Small, frequent batches: the same total work, but no event-loop pause long enough to
  // show in tail latency.
  const usageWriter = createUsageWriter(repositories.usage, {
    flushIntervalMs: 100,
    maxBatch: 200,
    // On SQLite the batch's own transaction records last use (one commit per batch, not two).
    apiKeys: repositories.usage.recordsLastUse ? undefined : repositories.apiKeys,
    onError: (error) => logger.error({ err: error }, 'usage writer error (rows stay queued and are retried)'),
    deadLetterPath: join(settings.dataDir, 'usage-dead-letter.jsonl'),
    onDeadLetter: (row, reason) =>
      logger.error({ request_id: boundText(row.requestId, 128), reason }, 'usage row refused by the database; kept in usage-dead-letter.jsonl'),
  });
  // Old usage rows go in small batches on a timer, never on the request path.
  const retention = startUsageRetention(repositories.usage, database, {
    retentionDays: settings.usageRetentionDays ?? 30,
    onError: (error) => logger.error({ err: error }, 'usage retention pass failed (retried on the next pass)'),
    onPass: (result) => {
      if (result.deletedRows + result.deletedRollups > 0) logger.info(result, 'usage retention pass');
    },
  });
  const upstream = new UpstreamClient();
  const metrics = new GatewayMetrics({
    // Asked only when a label set is first seen (children are cached).
    knownModel: (provider, model) => state.catalog.byKey.has(`${provider}/${model}`.toLowerCase()),
    knownProvider: (provider) => state.catalog.providers.has(provider.toLowerCase()),
  });
  const routing = createRoutingRuntime({ cacheMaxBytes: config.cache.maxBytes, cacheTtlMs: config.cache.defaultTtlMs, breaker: config.routing, reasoningReplay: settings.reasoningReplay });
  const sharedBreakers = bus ? new SharedBreakers(routing.breaker, bus) : null;
  if (bus && redis) {
    routing.sharedCache = new SharedResponseCache(redis, settings.redisPrefix, config.cache.maxBytes, () => bus.connected());
    if (routing.reasoning) routing.reasoning.shared = new SharedReasoning(redis, settings.redisPrefix, () => bus.connected());
    registerClusterMetrics(metrics.registry, bus);
  }

  const matchKey = createKeyMatcher(settings.masterKey);
  /**
   * A request that presents a key is judged by that key, master key or not: unknown,
   * revoked or expired is 401. Only a request with no key at all is anonymous, and only
   * without a master key and from a loopback address (the listener refuses other
   * addresses without one; behind a trusted proxy request.ip is the real client).
   */
  const authenticateApiRequest = (request: FastifyRequest): ApiCaller => {
    const key = presentedKey(request);
    if (key) {
      const match = matchKey(key);
      if (match.isMaster) return masterKeyCaller;
      const virtual = keyGuard.authenticate(key, Date.now(), match.hash);
      if (virtual) return virtual;
      throw invalidKeyError();
    }
    if (!settings.masterKey && isLoopbackAddress(request.ip)) return anonymousCaller;
    throw missingKeyError();
  };
  const ctx: GatewayContext = {
    settings,
    config,
    catalog: () => state.catalog,
    upstream,
    routing,
    usage: metrics.wrap(options.usage ?? usageWriter),
    pending: new PendingWork(),
    logger,
    // Cached on the request: the onRequest hook authenticates every /v1 request before its
    // body is read, and the route's own call reuses the answer (one key hash per request).
    authenticate: (request) => request.apiCaller ?? (request.apiCaller = authenticateApiRequest(request)),
    admit: (caller, model, requestedName, promptTokens, maxOutputTokens) => keyGuard.admit(caller, model, requestedName, promptTokens, maxOutputTokens),
    settle: (caller, totalTokens, cost, currency) => keyGuard.settle(caller, totalTokens, cost, currency),
  };

  const app: FastifyInstance = Fastify({
    loggerInstance: logger as unknown as FastifyBaseLogger,
    // No per-request log lines: they would cost more than the proxying itself; usage rows
    // and metrics record every request instead.
    logController: new LogController({ disableRequestLogging: true, requestIdLogLabel: 'request_id' }),
    // A pino child per request costs an allocation graph on every request; the few
    // per-request log lines add the request id themselves.
    childLoggerFactory: (parent) => parent,
    bodyLimit: settings.bodyLimitBytes,
    // A client's x-request-id is kept only when it is short and plain: it goes into
    // usage rows, logs, response headers and upstream requests.
    requestIdHeader: false,
    genReqId: (raw) => clientRequestId(raw.headers['x-request-id']) ?? randomUUID(),
    trustProxy: trustProxyOption(settings.trustProxy),
    keepAliveTimeout: 65_000,
    return503OnClosing: true,
    ...slowClientServerOptions(settings),
  });
  // --- Slow clients and connection floods (before any authentication) ---
  app.server.headersTimeout = Math.min(settings.headersTimeoutMs, settings.bodyTimeoutMs || Infinity);
  // Trusted proxies carry many clients on one address: they are not capped as one client.
  const trustedProxies = typeof settings.trustProxy === 'string' ? settings.trustProxy.split(',') : [];
  installConnectionGuard(app.server, { maxPerClient: settings.maxConnectionsPerClient, exempt: [...settings.connectionLimitExempt, ...trustedProxies] });
  installEarlyApiAuth(app, ctx);
  for (const warning of settings.settingWarnings) logger.warn(warning);
  registerErrorHandler(app);
  await registerDocs(app, { title: settings.platformName, version });
  registerRootRoute(app, { name: settings.platformName, version });
  registerHealthRoutes(
    app,
    ctx,
    async () => ({ database: await repositories.overlay.getStateVersion().then(() => true, () => false) }),
    bus ? () => bus.status() : null,
  );
  registerChatCompletionsRoute(app, ctx);
  await registerAnthropicRoutes(app, ctx);
  const responseStore =
    settings.responsesRetentionDays > 0
      ? new ResponseStore(database, {
          retentionMs: settings.responsesRetentionDays * 86_400_000,
          // SQLite: one commit per 100 ms instead of one per response. PostgreSQL may be
          // shared by several instances, and a client's next turn can reach another one,
          // which cannot see this queue: rows go out at once, batched only while a write
          // is in flight, so the window stays as short as a single insert's.
          flushWindowMs: options.responsesFlushWindowMs ?? (database.dialect === 'sqlite' ? 100 : 0),
          onError: (error) => logger.warn({ err: String(error) }, 'stored response write failed'),
        })
      : null;
  const stopRetention = responseStore?.startRetention(3_600_000);
  await registerResponsesRoutes(app, ctx, responseStore);
  await registerGeminiRoutes(app, ctx);
  registerModelsRoute(app, ctx);
  registerEmbeddingsRoute(app, ctx);
  registerVisionRoutes(app, ctx);
  await registerAdminRoutes(app, { ctx, state, repositories, settings, redis, loginBackoff: options.loginBackoff });
  await registerAdminUi(app);
  app.get('/metrics', { schema: { tags: ['System'], summary: 'Prometheus metrics (needs the master key when one is set)' } }, async (request, reply) => {
    if (settings.masterKey) {
      const key = presentedKey(request);
      if (!key || !constantTimeEqual(key, settings.masterKey)) throw key ? invalidKeyError() : missingKeyError();
    }
    metrics.breakerState.reset();
    for (const entry of ctx.routing.breaker.snapshot(Date.now())) {
      metrics.breakerState.set({ deployment: entry.id }, entry.state === 'open' ? 1 : entry.state === 'half-open' ? 0.5 : 0);
    }
    return reply.type(metrics.registry.contentType).send(await metrics.registry.metrics());
  });

  let closed = false;
  const close = async () => {
    if (closed) return;
    closed = true;
    await app.close();
    await ctx.pending.drain();
    stopRetention?.();
    // Queued responses go in before the database closes; if they cannot, shutdown still
    // goes on to write the usage rows.
    await responseStore?.close().catch((error: unknown) => logger.error({ err: String(error) }, 'stored responses lost at shutdown'));
    state.stopPolling();
    keyGuard.stop();
    await retention.stop();
    await usageWriter.close();
    await upstream.close();
    await database.close();
    sharedBreakers?.stop();
    await bus?.close();
    redis?.disconnect();
    if (traced) await shutdownTracing();
  };

  return { app, ctx, state, database, repositories, keyGuard, metrics, usageWriter, responseStore, close };
};
