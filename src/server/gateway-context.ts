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
  /**
   * Per-request admission checks for a caller and model (allowed models, rate limits,
   * budget). `maxOutputTokens`: the request's max_tokens, null when it sets none (the
   * budget then reserves the model's maximum or a default); 0 for no output (embeddings).
   */
  admit(caller: ApiCaller, model: CatalogModel, requestedName: string | undefined, promptTokens: number, maxOutputTokens?: number | null): Promise<Record<string, string>>;
  /** Called exactly once when an admitted request finishes: limits and budget holds are settled with real counts. */
  /** `currency`: the cost's ISO 4217 code (the model's pricing currency; default USD); only the budget's own currency counts. */
  settle(caller: ApiCaller, totalTokens: number, cost: number, currency?: string): void;
}
