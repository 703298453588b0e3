import type { RandomSource } from './random.js';
import type { RetryPolicy } from './types.js';

/**
 * Exponential backoff with full jitter: uniform in [0, min(maxDelay, base·2^(retry-1))].
 * Full jitter spreads synchronized retries best (fewest collisions for the same total work).
 * `retry` is the retry number: 1 for the first retry.
 */
export const backoffDelay = (
  retry: number,
  policy: Pick<RetryPolicy, 'baseDelayMs' | 'maxDelayMs'>,
  random: RandomSource,
): number => {
  const exponent = Math.max(0, Math.floor(retry) - 1);
  // 2^exponent overflows to Infinity for huge attempts; min() then caps it.
  const ceiling = Math.min(policy.maxDelayMs, policy.baseDelayMs * 2 ** exponent);
  const r = random();
  const unit = Number.isFinite(r) ? Math.min(Math.max(r, 0), 1) : 0;
  return Math.round(unit * Math.max(0, ceiling));
};

export type RetryDelayDecision =
  | { action: 'wait'; delayMs: number }
  /** The upstream asked for a longer pause than we accept: use another deployment or a fallback. */
  | { action: 'switch'; retryAfterMs: number };

/** How long to wait before retrying the same deployment, honouring Retry-After up to the cap. */
export const retryDelay = (
  retry: number,
  policy: Pick<RetryPolicy, 'baseDelayMs' | 'maxDelayMs' | 'retryAfterCapMs'>,
  random: RandomSource,
  retryAfterMs?: number,
): RetryDelayDecision => {
  if (retryAfterMs === undefined || !Number.isFinite(retryAfterMs) || retryAfterMs < 0) {
    return { action: 'wait', delayMs: backoffDelay(retry, policy, random) };
  }
  if (retryAfterMs > policy.retryAfterCapMs) return { action: 'switch', retryAfterMs };
  return { action: 'wait', delayMs: Math.round(retryAfterMs) };
};

export interface RetryBudgetOptions {
  /** Retries earned per request, e.g. 0.2 = at most one retry per five requests. */
  budgetRatio: number;
  /** Retries always allowed per second of the window, so quiet groups can still retry. */
  minRetriesPerSecond: number;
  /** How far back "recent" reaches. Default 10 s. */
  windowMs?: number;
}

const BUCKETS = 10;

/**
 * Limits retries to a share of recent traffic, so an outage does not multiply load by
 * maxAttempts (a retry storm). Like a token bucket whose deposits expire: each request
 * deposits `budgetRatio`, each retry withdraws 1, and deposits older than the window are
 * gone; `minRetriesPerSecond × window` is always on top. O(1) time and memory.
 */
export class RetryBudget {
  private ratio: number;
  private minPerSecond: number;
  readonly windowMs: number;
  private readonly bucketMs: number;
  private readonly epochs = new Array<number>(BUCKETS).fill(Number.NEGATIVE_INFINITY);
  private readonly requests = new Array<number>(BUCKETS).fill(0);
  private readonly retries = new Array<number>(BUCKETS).fill(0);

  constructor(options: RetryBudgetOptions) {
    this.windowMs = options.windowMs ?? 10_000;
    if (!(this.windowMs > 0)) throw new RangeError('windowMs must be positive');
    this.bucketMs = this.windowMs / BUCKETS;
    this.ratio = Math.max(0, options.budgetRatio);
    this.minPerSecond = Math.max(0, options.minRetriesPerSecond);
  }

  /** Follow a policy change without losing the recent history. */
  configure(options: Pick<RetryBudgetOptions, 'budgetRatio' | 'minRetriesPerSecond'>): void {
    this.ratio = Math.max(0, options.budgetRatio);
    this.minPerSecond = Math.max(0, options.minRetriesPerSecond);
  }

  private slot(now: number): number {
    const epoch = Math.floor(now / this.bucketMs);
    const index = ((epoch % BUCKETS) + BUCKETS) % BUCKETS;
    if (this.epochs[index] !== epoch) {
      this.epochs[index] = epoch;
      this.requests[index] = 0;
      this.retries[index] = 0;
    }
    return index;
  }

  private sums(now: number): { requests: number; retries: number } {
    const epoch = Math.floor(now / this.bucketMs);
    let requests = 0;
    let retries = 0;
    for (let i = 0; i < BUCKETS; i++) {
      const e = this.epochs[i]!;
      if (e > epoch - BUCKETS && e <= epoch) {
        requests += this.requests[i]!;
        retries += this.retries[i]!;
      }
    }
    return { requests, retries };
  }

  /** One original (non-retry) request: deposits `budgetRatio`. */
  recordRequest(now: number): void {
    this.requests[this.slot(now)]! += 1;
  }

  /** Retries still allowed now (may be fractional). */
  balance(now: number): number {
    const { requests, retries } = this.sums(now);
    return this.ratio * requests + this.minPerSecond * (this.windowMs / 1000) - retries;
  }

  canRetry(now: number): boolean {
    // Tolerance: 5 × 0.2 must earn a whole retry despite floating point.
    return this.balance(now) >= 1 - 1e-9;
  }

  /** Spend one retry if the budget allows it. */
  tryWithdraw(now: number): boolean {
    if (!this.canRetry(now)) return false;
    this.retries[this.slot(now)]! += 1;
    return true;
  }
}

export const createRetryBudget = (options: RetryBudgetOptions) => new RetryBudget(options);

/** One budget per model group, created on first use. */
export class RetryBudgets {
  private readonly budgets = new Map<string, RetryBudget>();

  constructor(private readonly windowMs?: number) {}

  for(group: string, policy: Pick<RetryPolicy, 'budgetRatio' | 'minRetriesPerSecond'>): RetryBudget {
    let budget = this.budgets.get(group);
    if (!budget) {
      budget = new RetryBudget({ ...policy, ...(this.windowMs === undefined ? {} : { windowMs: this.windowMs }) });
      this.budgets.set(group, budget);
    } else budget.configure(policy);
    return budget;
  }

  /** Drop groups that left the configuration. */
  retain(groups: Iterable<string>): void {
    const keep = new Set(groups);
    for (const name of [...this.budgets.keys()]) if (!keep.has(name)) this.budgets.delete(name);
  }
}
