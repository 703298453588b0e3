import { describe, expect, it } from 'vitest';
import { selectDeployment, type SelectionContext } from './balancer.js';
import { createCircuitBreaker, type CircuitBreaker } from './circuit-breaker.js';
import { createDeploymentStats } from './deployment-stats.js';
import { mulberry32 } from './random.js';
import type { BalancingStrategy, Deployment, ModelGroup } from './types.js';

const dep = (id: string, weight = 1, priority = 0): Deployment => ({ id, provider: id.split('/')[0]!, model: 'm', weight, priority });
const group = (strategy: BalancingStrategy, deployments: Deployment[]): ModelGroup => ({ name: 'g', strategy, deployments });

const context = (overrides: Partial<SelectionContext> = {}): SelectionContext => ({
  stats: createDeploymentStats(),
  breaker: createCircuitBreaker({ failureThreshold: 1, cooldownMs: 1_000 }),
  random: mulberry32(12345),
  now: 0,
  ...overrides,
});

const trip = (breaker: CircuitBreaker, id: string, now = 0) => breaker.onFailure(id, 'server', now);

const countPicks = (g: ModelGroup, ctx: SelectionContext, n: number) => {
  const counts = new Map<string, number>();
  for (let i = 0; i < n; i++) {
    const chosen = selectDeployment(g, ctx);
    const key = chosen?.id ?? 'null';
    counts.set(key, (counts.get(key) ?? 0) + 1);
  }
  return counts;
};

describe('selectDeployment: weighted', () => {
  it('splits 3:1 within ±3% over 10,000 picks', () => {
    const counts = countPicks(group('weighted', [dep('a/x', 3), dep('b/x', 1)]), context(), 10_000);
    expect(Math.abs(counts.get('a/x')! / 10_000 - 0.75)).toBeLessThan(0.03);
    expect(Math.abs(counts.get('b/x')! / 10_000 - 0.25)).toBeLessThan(0.03);
  });

  it('holds for several seeds', () => {
    for (const seed of [1, 2, 3, 99, 2024]) {
      const counts = countPicks(group('weighted', [dep('a/x', 3), dep('b/x', 1)]), context({ random: mulberry32(seed) }), 10_000);
      expect(Math.abs(counts.get('a/x')! / 10_000 - 0.75)).toBeLessThan(0.03);
    }
  });

  it('uses priority tiers as failover, not as weights', () => {
    const g = group('weighted', [dep('a/x', 1, 0), dep('b/x', 1, 0), dep('c/x', 100, 1)]);
    const ctx = context();
    expect(countPicks(g, ctx, 2_000).get('c/x')).toBeUndefined();
    // One tier-0 deployment excluded: the other tier-0 takes everything.
    expect(countPicks(g, { ...ctx, exclude: new Set(['a/x']) }, 500)).toEqual(new Map([['b/x', 500]]));
    // Every tier-0 deployment unavailable: tier 1 serves.
    trip(ctx.breaker, 'a/x');
    expect(countPicks(g, { ...ctx, exclude: new Set(['b/x']) }, 500)).toEqual(new Map([['c/x', 500]]));
  });

  it('returns null when everything is excluded', () => {
    const g = group('weighted', [dep('a/x'), dep('b/x')]);
    expect(selectDeployment(g, context({ exclude: new Set(['a/x', 'b/x']) }))).toBeNull();
  });

  it('never picks a zero-weight deployment while a weighted one is available', () => {
    const g = group('weighted', [dep('a/x', 0), dep('b/x', 1)]);
    expect(countPicks(g, context(), 1_000)).toEqual(new Map([['b/x', 1_000]]));
    expect(selectDeployment(g, context({ exclude: new Set(['b/x']) }))?.id).toBe('a/x');
  });
});

describe('selectDeployment: circuit breaker interplay', () => {
  it('skips open deployments, returns null when all are open and no probe is due', () => {
    const ctx = context();
    const g = group('weighted', [dep('a/x'), dep('b/x')]);
    trip(ctx.breaker, 'a/x');
    expect(countPicks(g, { ...ctx, now: 10 }, 200)).toEqual(new Map([['b/x', 200]]));
    trip(ctx.breaker, 'b/x', 10);
    expect(selectDeployment(g, { ...ctx, now: 500 })).toBeNull();
  });

  it('allows exactly one half-open probe when all are open and one is due', () => {
    const ctx = context();
    const g = group('weighted', [dep('a/x'), dep('b/x')]);
    trip(ctx.breaker, 'a/x', 0);
    trip(ctx.breaker, 'b/x', 500);
    const picks = countPicks(g, { ...ctx, now: 1_000 }, 20);
    expect(picks).toEqual(new Map([['a/x', 1], ['null', 19]]));
  });

  it('re-probes a preferred tier while a lower tier carries the traffic', () => {
    const ctx = context();
    const g = group('weighted', [dep('primary/x', 1, 0), dep('backup/x', 1, 1)]);
    trip(ctx.breaker, 'primary/x', 0);
    expect(countPicks(g, { ...ctx, now: 500 }, 10)).toEqual(new Map([['backup/x', 10]]));
    // Cooldown over: one request probes the primary, the rest keep using the backup.
    expect(countPicks(g, { ...ctx, now: 1_000 }, 10)).toEqual(new Map([['primary/x', 1], ['backup/x', 9]]));
    ctx.breaker.onSuccess('primary/x', 1_100);
    expect(countPicks(g, { ...ctx, now: 1_200 }, 10)).toEqual(new Map([['primary/x', 10]]));
  });

  it('claim: false previews without taking the probe slot', () => {
    const ctx = context();
    const g = group('weighted', [dep('a/x')]);
    trip(ctx.breaker, 'a/x', 0);
    for (let i = 0; i < 3; i++) expect(selectDeployment(g, { ...ctx, now: 1_000, claim: false })?.id).toBe('a/x');
    expect(selectDeployment(g, { ...ctx, now: 1_000 })?.id).toBe('a/x');
    expect(selectDeployment(g, { ...ctx, now: 1_000 })).toBeNull();
  });
});

describe('selectDeployment: priority', () => {
  it('prefers the lowest priority and splits ties by weight', () => {
    const ctx = context();
    const g = group('priority', [dep('c/x', 1, 2), dep('a/x', 1, 1), dep('b/x', 3, 1)]);
    const counts = countPicks(g, ctx, 10_000);
    expect(counts.get('c/x')).toBeUndefined();
    expect(Math.abs(counts.get('b/x')! / 10_000 - 0.75)).toBeLessThan(0.03);
    trip(ctx.breaker, 'a/x');
    trip(ctx.breaker, 'b/x');
    expect(selectDeployment(g, { ...ctx, now: 10 })?.id).toBe('c/x');
  });
});

describe('selectDeployment: least-latency', () => {
  it('picks the lowest EWMA TTFT', () => {
    const ctx = context();
    ctx.stats.recordTtft('a/x', 300);
    ctx.stats.recordTtft('b/x', 100);
    ctx.stats.recordTtft('c/x', 200);
    const g = group('least-latency', [dep('a/x'), dep('b/x'), dep('c/x')]);
    expect(countPicks(g, ctx, 100)).toEqual(new Map([['b/x', 100]]));
    expect(selectDeployment(g, { ...ctx, exclude: new Set(['b/x']) })?.id).toBe('c/x');
  });

  it('breaks ties at random, and treats unknown as the mean of the known', () => {
    const ctx = context();
    ctx.stats.recordTtft('a/x', 100);
    ctx.stats.recordTtft('b/x', 100);
    const tie = countPicks(group('least-latency', [dep('a/x'), dep('b/x')]), ctx, 4_000);
    expect(Math.abs(tie.get('a/x')! / 4_000 - 0.5)).toBeLessThan(0.03);

    const withUnknown = context();
    withUnknown.stats.recordTtft('fast/x', 100);
    withUnknown.stats.recordTtft('slow/x', 500);
    const g = group('least-latency', [dep('slow/x'), dep('new/x')]);
    // new/x ranks at the mean (300): better than slow, worse than fast.
    expect(selectDeployment(g, withUnknown)?.id).toBe('new/x');
    expect(selectDeployment(group('least-latency', [dep('fast/x'), dep('new/x')]), withUnknown)?.id).toBe('fast/x');
  });

  it('spreads traffic when nothing is measured yet', () => {
    const counts = countPicks(group('least-latency', [dep('a/x'), dep('b/x')]), context(), 2_000);
    expect(counts.get('a/x')! / 2_000).toBeGreaterThan(0.45);
  });
});

describe('selectDeployment: least-busy', () => {
  it('picks the fewest in flight', () => {
    const ctx = context();
    ctx.stats.inc('a/x');
    ctx.stats.inc('a/x');
    ctx.stats.inc('b/x');
    const g = group('least-busy', [dep('a/x'), dep('b/x'), dep('c/x')]);
    expect(selectDeployment(g, ctx)?.id).toBe('c/x');
    ctx.stats.inc('c/x');
    ctx.stats.inc('c/x');
    expect(selectDeployment(g, ctx)?.id).toBe('b/x');
  });

  it('breaks ties by weight', () => {
    const counts = countPicks(group('least-busy', [dep('a/x', 3), dep('b/x', 1)]), context(), 10_000);
    expect(Math.abs(counts.get('a/x')! / 10_000 - 0.75)).toBeLessThan(0.03);
  });

  it('balances concurrent load when callers track in-flight', () => {
    const ctx = context();
    const g = group('least-busy', [dep('a/x'), dep('b/x'), dep('c/x')]);
    for (let i = 0; i < 30; i++) ctx.stats.inc(selectDeployment(g, ctx)!.id);
    expect([ctx.stats.inFlight('a/x'), ctx.stats.inFlight('b/x'), ctx.stats.inFlight('c/x')]).toEqual([10, 10, 10]);
  });
});
