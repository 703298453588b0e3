import type { CircuitBreaker } from './circuit-breaker.js';
import type { DeploymentStats } from './deployment-stats.js';
import { uniformPick, weightedPick, type RandomSource } from './random.js';
import type { Deployment, ModelGroup } from './types.js';

export interface SelectionContext {
  stats: DeploymentStats;
  breaker: CircuitBreaker;
  /** Deployments this request must not use (e.g. they just failed it). */
  exclude?: ReadonlySet<string>;
  random: RandomSource;
  now: number;
  /**
   * Claim the breaker's probe slot for the chosen deployment (default true). Pass false
   * to preview a choice without side effects.
   */
  claim?: boolean;
}

/** Deployments this request may use now: not excluded, breaker closed or a probe due. */
export const availableDeployments = (
  group: Pick<ModelGroup, 'deployments'>,
  ctx: Pick<SelectionContext, 'breaker' | 'exclude' | 'now'>,
): Deployment[] =>
  group.deployments.filter((d) => !ctx.exclude?.has(d.id) && ctx.breaker.isAvailable(d.id, ctx.now));

/** Priority tiers are failover: only the best tier with anything available serves. */
const bestTier = (candidates: Deployment[]): Deployment[] => {
  const best = Math.min(...candidates.map((d) => d.priority));
  return candidates.filter((d) => d.priority === best);
};

const minBy = (items: Deployment[], score: (d: Deployment) => number): Deployment[] => {
  let best = Number.POSITIVE_INFINITY;
  let winners: Deployment[] = [];
  for (const item of items) {
    const value = score(item);
    if (value < best) {
      best = value;
      winners = [item];
    } else if (value === best) winners.push(item);
  }
  return winners.length > 0 ? winners : items;
};

const pickInTier = (group: ModelGroup, tier: Deployment[], ctx: SelectionContext): Deployment | null => {
  switch (group.strategy) {
    case 'least-latency': {
      const mean = ctx.stats.meanTtft();
      // Nothing measured yet ranks everyone equal (0), so the tie-break spreads traffic.
      const fastest = minBy(tier, (d) => ctx.stats.estimatedTtft(d.id, mean) ?? 0);
      return uniformPick(fastest, ctx.random);
    }
    case 'least-busy': {
      const idlest = minBy(tier, (d) => ctx.stats.inFlight(d.id));
      return weightedPick(idlest, (d) => d.weight, ctx.random);
    }
    case 'priority':
    case 'weighted':
    default:
      return weightedPick(tier, (d) => d.weight, ctx.random);
  }
};

/**
 * Choose the deployment for the next attempt, or null when none can serve now.
 *
 * Every strategy respects priority tiers; within the best available tier:
 * weighted/priority = weighted random, least-latency = lowest EWMA TTFT (random tie),
 * least-busy = fewest in-flight (weighted tie). A deployment whose open circuit is due for
 * its half-open probe counts as available, so a preferred tier is re-probed and recovers
 * even while a lower tier carries the traffic; when everything is open and no probe is
 * due, the answer is null.
 */
export const selectDeployment = (group: ModelGroup, ctx: SelectionContext): Deployment | null => {
  let candidates = availableDeployments(group, ctx);
  // A probe slot can be taken between the filter and the claim only by our own caller, but
  // loop anyway: each failed claim removes one candidate, so this ends.
  while (candidates.length > 0) {
    const chosen = pickInTier(group, bestTier(candidates), ctx);
    if (!chosen) return null;
    if (ctx.claim === false || ctx.breaker.acquire(chosen.id, ctx.now)) return chosen;
    candidates = candidates.filter((d) => d !== chosen);
  }
  return null;
};
