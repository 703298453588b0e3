import { describe, expect, it } from 'vitest';
import { mulberry32 } from './random.js';
import { RetryBudgets, backoffDelay, createRetryBudget, retryDelay } from './retry-policy.js';
import { DEFAULT_RETRY_POLICY, type RetryPolicy } from './types.js';

const policy: RetryPolicy = { ...DEFAULT_RETRY_POLICY, baseDelayMs: 100, maxDelayMs: 1_000, retryAfterCapMs: 5_000 };

describe('backoffDelay', () => {
  it('has an exponential ceiling capped at maxDelayMs', () => {
    const top = () => 1;
    expect([1, 2, 3, 4, 5, 6].map((retry) => backoffDelay(retry, policy, top))).toEqual([100, 200, 400, 800, 1_000, 1_000]);
    expect(backoffDelay(1_000, policy, top)).toBe(1_000);
    expect(backoffDelay(3, policy, () => 0)).toBe(0);
  });

  it('full jitter: uniform over [0, ceiling]', () => {
    const random = mulberry32(5);
    const samples = Array.from({ length: 10_000 }, () => backoffDelay(3, policy, random));
    expect(Math.min(...samples)).toBeGreaterThanOrEqual(0);
    expect(Math.max(...samples)).toBeLessThanOrEqual(400);
    const mean = samples.reduce((a, b) => a + b, 0) / samples.length;
    expect(Math.abs(mean - 200)).toBeLessThan(10);
    expect(samples.filter((s) => s < 100).length / samples.length).toBeGreaterThan(0.22);
  });

  it('tolerates odd random values', () => {
    expect(backoffDelay(1, policy, () => Number.NaN)).toBe(0);
    expect(backoffDelay(1, policy, () => 7)).toBe(100);
  });
});

describe('retryDelay', () => {
  it('backs off without Retry-After', () => {
    expect(retryDelay(2, policy, () => 1)).toEqual({ action: 'wait', delayMs: 200 });
  });

  it('honours Retry-After up to the cap', () => {
    expect(retryDelay(1, policy, () => 1, 3_000)).toEqual({ action: 'wait', delayMs: 3_000 });
    expect(retryDelay(1, policy, () => 1, 5_000)).toEqual({ action: 'wait', delayMs: 5_000 });
    expect(retryDelay(1, policy, () => 1, 0)).toEqual({ action: 'wait', delayMs: 0 });
  });

  it('beyond the cap: does not wait, asks to switch', () => {
    expect(retryDelay(1, policy, () => 1, 5_001)).toEqual({ action: 'switch', retryAfterMs: 5_001 });
  });
});

describe('RetryBudget', () => {
  it('allows the floor even with no traffic, then refuses', () => {
    const budget = createRetryBudget({ budgetRatio: 0.2, minRetriesPerSecond: 1, windowMs: 10_000 });
    let allowed = 0;
    for (let i = 0; i < 100; i++) if (budget.tryWithdraw(0)) allowed += 1;
    expect(allowed).toBe(10);
  });

  it('earns budgetRatio retries per request', () => {
    const budget = createRetryBudget({ budgetRatio: 0.2, minRetriesPerSecond: 0 });
    for (let i = 0; i < 4; i++) budget.recordRequest(0);
    expect(budget.canRetry(0)).toBe(false);
    budget.recordRequest(0);
    expect(budget.tryWithdraw(0)).toBe(true);
    expect(budget.tryWithdraw(0)).toBe(false);
    for (let i = 0; i < 50; i++) budget.recordRequest(1);
    expect(budget.balance(1)).toBeCloseTo(10);
  });

  it('blocks a retry storm: retries stay near ratio × requests during an outage', () => {
    const budget = createRetryBudget({ budgetRatio: 0.2, minRetriesPerSecond: 1, windowMs: 10_000 });
    let requests = 0;
    let retries = 0;
    // 100 requests/s for 60 s, every attempt failing, each request wanting 2 retries.
    for (let ms = 0; ms < 60_000; ms += 10) {
      budget.recordRequest(ms);
      requests += 1;
      for (let r = 0; r < 2; r++) if (budget.tryWithdraw(ms)) retries += 1;
    }
    const naive = requests * 2;
    expect(retries / requests).toBeLessThan(0.2 + 10 / 1_000 + 0.02);
    expect(retries).toBeLessThan(naive / 8);
    expect(retries / requests).toBeGreaterThan(0.15);
  });

  it('forgets old requests once they leave the window', () => {
    const budget = createRetryBudget({ budgetRatio: 1, minRetriesPerSecond: 0, windowMs: 10_000 });
    for (let i = 0; i < 5; i++) budget.recordRequest(0);
    expect(budget.balance(9_999)).toBe(5);
    expect(budget.balance(10_000)).toBe(0);
    expect(budget.tryWithdraw(10_000)).toBe(false);
  });

  it('RetryBudgets keeps one budget per group and follows policy changes', () => {
    const budgets = new RetryBudgets(10_000);
    const a = budgets.for('a', { budgetRatio: 0, minRetriesPerSecond: 0 });
    expect(budgets.for('a', { budgetRatio: 0, minRetriesPerSecond: 0 })).toBe(a);
    expect(a.canRetry(0)).toBe(false);
    budgets.for('a', { budgetRatio: 0, minRetriesPerSecond: 1 });
    expect(a.canRetry(0)).toBe(true);
    const b = budgets.for('b', { budgetRatio: 0, minRetriesPerSecond: 1 });
    expect(b).not.toBe(a);
    budgets.retain(['b']);
    expect(budgets.for('a', { budgetRatio: 0, minRetriesPerSecond: 0 })).not.toBe(a);
  });
});
