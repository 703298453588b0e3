import { createReasoningStore, type ReasoningStore, type ReasoningReplaySettings } from '../providers/rules/reasoning-store.js';
import { CircuitBreaker } from '../router/circuit-breaker.js';
import { DeploymentStats } from '../router/deployment-stats.js';
import { createResponseCache, type ResponseCache, type SharedCacheTier } from '../router/response-cache.js';
import { RetryBudgets } from '../router/retry-policy.js';
import type { RandomSource } from '../router/random.js';

/** Per-process routing state: live stats, breakers, retry budgets and the response cache. */
export interface RoutingRuntime {
  stats: DeploymentStats;
  breaker: CircuitBreaker;
  budgets: RetryBudgets;
  cache: ResponseCache;
  /** With REDIS_URL: the cache every instance shares, asked on a local miss. */
  sharedCache: SharedCacheTier | null;
  random: RandomSource;
  /** Reasoning of tool-calling turns, replayed to vendors that require it; null when turned off. */
  reasoning: ReasoningStore | null;
}

export interface RoutingRuntimeOptions {
  cacheMaxBytes?: number;
  cacheTtlMs?: number;
  breaker?: ConstructorParameters<typeof CircuitBreaker>[0];
  reasoningReplay?: ReasoningReplaySettings;
}

export const createRoutingRuntime = (options: RoutingRuntimeOptions = {}): RoutingRuntime => ({
  stats: new DeploymentStats(),
  breaker: new CircuitBreaker(options.breaker),
  budgets: new RetryBudgets(),
  cache: createResponseCache({ maxBytes: options.cacheMaxBytes ?? 64 * 1024 * 1024, defaultTtlMs: options.cacheTtlMs ?? 300_000 }),
  sharedCache: null,
  random: Math.random,
  reasoning: createReasoningStore(options.reasoningReplay),
});
