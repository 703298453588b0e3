import type { FastifyRequest } from 'fastify';
import type { Logger } from 'pino';
import type { RuntimeSettings } from '../config/env.js';
import type { GatewayConfig } from '../config/types.js';
import type { UsageSink } from '../observability/usage-record.js';
import type { Catalog, CatalogModel } from '../router/model-catalog.js';
import type { UpstreamClient } from '../upstream/upstream-client.js';
import type { RoutingRuntime } from '../upstream/routing-runtime.js';
import type { ApiCaller } from './api-auth.js';
import type { PendingWork } from './pending-work.js';

/** Everything a route needs, passed explicitly instead of hanging off globals. */
export interface GatewayContext {
  settings: RuntimeSettings;
  config: GatewayConfig;
  /** The current catalog snapshot; capture it once per request. */
  catalog(): Catalog;
  upstream: UpstreamClient;
  /** Live routing state: deployment stats, circuit breakers, retry budgets, response cache. */
  routing: RoutingRuntime;
  usage: UsageSink;
  /** Work finishing after responses (usage rows); shutdown waits for it. */
  pending: PendingWork;
  logger: Logger;
  /** Authenticate a `/v1` request; throws a 401/403 GatewayError. */
  authenticate(request: FastifyRequest): ApiCaller;
  /** Per-request admission checks for a caller and model (allowed models, rate limits, budget). */
  admit(caller: ApiCaller, model: CatalogModel, requestedName: string | undefined, estimatedTokens: number): Promise<Record<string, string>>;
  /** Called when a request finishes so limits can be corrected with real token counts. */
  /** `currency`: the cost's ISO 4217 code (the model's pricing currency; default USD). */
  settle(caller: ApiCaller, totalTokens: number, cost: number, currency?: string): void;
}
