/**
 * In-memory per-key RPM/TPM limiting over a sliding 60 s window of one-second buckets.
 * Every call costs at most one pass over 60 buckets (constant), needs no timers, and the
 * number of keys is capped with idle keys evicted first.
 */

export const WINDOW_MS = 60_000;
const BUCKET_MS = 1_000;
const BUCKETS = WINDOW_MS / BUCKET_MS;

export interface RateLimitRequest {
  /** Requests per minute; null/undefined/0 = unlimited. */
  rpm?: number | null;
  /** Tokens per minute; null/undefined/0 = unlimited. */
  tpm?: number | null;
  /** Tokens this request is expected to use (prompt + max output); corrected by recordTokens. */
  estimatedTokens?: number;
  now: number;
}

export type RateLimitReason = 'requests' | 'tokens' | 'tokens-exceed-limit';

export interface RateLimitResult {
  allowed: boolean;
  /** Which limit refused the request; null when allowed. */
  reason: RateLimitReason | null;
  /** 0 when allowed; else how long until this request would fit. */
  retryAfterMs: number;
  limitRequests: number | null;
  remainingRequests: number | null;
  /** Until the request count is back to its full limit. */
  resetRequestsMs: number | null;
  limitTokens: number | null;
  remainingTokens: number | null;
  resetTokensMs: number | null;
}

export interface RateLimiterOptions {
  /** At most this many keys are tracked; the least recently used are evicted. Default 10,000. */
  maxKeys?: number;
}

interface Window {
  requests: Float64Array;
  tokens: Float64Array;
  /** Epoch (now / BUCKET_MS) of the newest bucket the arrays describe. */
  epoch: number;
  requestSum: number;
  tokenSum: number;
  lastSeen: number;
}

const limitOf = (value: number | null | undefined) =>
  value === null || value === undefined || !(value > 0) ? null : Math.floor(value);

const slot = (epoch: number) => ((epoch % BUCKETS) + BUCKETS) % BUCKETS;

/** Zero buckets that slid out of the window since the last call. */
const advance = (w: Window, epoch: number) => {
  if (epoch <= w.epoch) return;
  if (epoch - w.epoch >= BUCKETS) {
    w.requests.fill(0);
    w.tokens.fill(0);
    w.requestSum = 0;
    w.tokenSum = 0;
  } else {
    for (let e = w.epoch + 1; e <= epoch; e++) {
      const i = slot(e);
      w.requestSum -= w.requests[i]!;
      w.tokenSum -= w.tokens[i]!;
      w.requests[i] = 0;
      w.tokens[i] = 0;
    }
  }
  w.epoch = epoch;
};

/**
 * Milliseconds until at least `amount` of the window's content has slid out (oldest
 * buckets first), or until it is all gone when `amount` is Infinity.
 */
const timeUntilFreed = (buckets: Float64Array, epoch: number, now: number, amount: number): number => {
  if (amount <= 0) return 0;
  let freed = 0;
  let lastNonEmpty: number | null = null;
  for (let e = epoch - BUCKETS + 1; e <= epoch; e++) {
    const value = buckets[slot(e)]!;
    if (value <= 0) continue;
    freed += value;
    lastNonEmpty = e;
    // Bucket e leaves the window when the epoch reaches e + BUCKETS.
    if (freed >= amount) return Math.max(0, (e + BUCKETS) * BUCKET_MS - now);
  }
  return lastNonEmpty === null ? 0 : Math.max(0, (lastNonEmpty + BUCKETS) * BUCKET_MS - now);
};

export class RateLimiter {
  private readonly windows = new Map<string, Window>();
  readonly maxKeys: number;

  constructor(options: RateLimiterOptions = {}) {
    this.maxKeys = Math.max(1, options.maxKeys ?? 10_000);
  }

  get size(): number {
    return this.windows.size;
  }

  private window(keyId: string, now: number): Window {
    const epoch = Math.floor(now / BUCKET_MS);
    let w = this.windows.get(keyId);
    if (w) {
      this.windows.delete(keyId);
    } else {
      w = {
        requests: new Float64Array(BUCKETS),
        tokens: new Float64Array(BUCKETS),
        epoch,
        requestSum: 0,
        tokenSum: 0,
        lastSeen: now,
      };
    }
    advance(w, epoch);
    w.lastSeen = Math.max(w.lastSeen, now);
    this.windows.set(keyId, w);
    this.evict(now);
    return w;
  }

  /** Idle keys (nothing in their window) go first; over the cap the least recently used go. */
  private evict(now: number) {
    let checked = 0;
    for (const [key, w] of this.windows) {
      const idle = now - w.lastSeen >= WINDOW_MS;
      if (this.windows.size > this.maxKeys || (idle && checked < 2)) {
        this.windows.delete(key);
      } else break;
      checked += 1;
    }
  }

  /** Check both limits and, only if both allow, count the request and its estimated tokens. */
  checkAndConsume(keyId: string, request: RateLimitRequest): RateLimitResult {
    const rpm = limitOf(request.rpm);
    const tpm = limitOf(request.tpm);
    const estimated = Math.max(0, request.estimatedTokens ?? 0);
    const { now } = request;
    const w = this.window(keyId, now);
    const usedTokens = Math.max(0, w.tokenSum);

    let reason: RateLimitReason | null = null;
    let retryAfterMs = 0;
    if (rpm !== null && w.requestSum + 1 > rpm) {
      reason = 'requests';
      retryAfterMs = timeUntilFreed(w.requests, w.epoch, now, w.requestSum + 1 - rpm);
    }
    if (tpm !== null) {
      if (estimated > tpm) {
        // Can never fit: say so rather than have the client retry forever.
        reason = 'tokens-exceed-limit';
        retryAfterMs = Math.max(retryAfterMs, timeUntilFreed(w.tokens, w.epoch, now, Number.POSITIVE_INFINITY));
      } else if (usedTokens >= tpm || usedTokens + estimated > tpm) {
        reason ??= 'tokens';
        const needed = Math.max(usedTokens + estimated - tpm, usedTokens - tpm + 1);
        retryAfterMs = Math.max(retryAfterMs, timeUntilFreed(w.tokens, w.epoch, now, needed));
      }
    }
    const allowed = reason === null;
    if (allowed) {
      const i = slot(w.epoch);
      w.requests[i]! += 1;
      w.requestSum += 1;
      w.tokens[i]! += estimated;
      w.tokenSum += estimated;
    }
    return {
      allowed,
      reason,
      retryAfterMs: allowed ? 0 : Math.max(1, retryAfterMs),
      ...this.describe(w, now, rpm, tpm),
    };
  }

  /**
   * Correct the token count after the response: adds `actualTokens - estimatedTokens` now.
   * A negative correction removes tokens newest-first and never below zero.
   */
  recordTokens(keyId: string, actualTokens: number, now: number, estimatedTokens = 0): void {
    const delta = actualTokens - estimatedTokens;
    if (!Number.isFinite(delta) || delta === 0) return;
    const w = this.window(keyId, now);
    if (delta > 0) {
      w.tokens[slot(w.epoch)]! += delta;
      w.tokenSum += delta;
      return;
    }
    let remaining = -delta;
    for (let e = w.epoch; e > w.epoch - BUCKETS && remaining > 0; e--) {
      const i = slot(e);
      const take = Math.min(w.tokens[i]!, remaining);
      w.tokens[i]! -= take;
      w.tokenSum -= take;
      remaining -= take;
    }
  }

  /** Current numbers without consuming anything (for headers on non-limited paths). */
  peek(keyId: string, limits: Pick<RateLimitRequest, 'rpm' | 'tpm' | 'now'>) {
    const w = this.windows.get(keyId);
    const rpm = limitOf(limits.rpm);
    const tpm = limitOf(limits.tpm);
    if (!w) {
      return {
        limitRequests: rpm,
        remainingRequests: rpm,
        resetRequestsMs: rpm === null ? null : 0,
        limitTokens: tpm,
        remainingTokens: tpm,
        resetTokensMs: tpm === null ? null : 0,
      };
    }
    advance(w, Math.floor(limits.now / BUCKET_MS));
    return this.describe(w, limits.now, rpm, tpm);
  }

  private describe(w: Window, now: number, rpm: number | null, tpm: number | null) {
    const usedTokens = Math.max(0, w.tokenSum);
    return {
      limitRequests: rpm,
      remainingRequests: rpm === null ? null : Math.max(0, rpm - w.requestSum),
      resetRequestsMs: rpm === null ? null : timeUntilFreed(w.requests, w.epoch, now, Number.POSITIVE_INFINITY),
      limitTokens: tpm,
      remainingTokens: tpm === null ? null : Math.max(0, Math.floor(tpm - usedTokens)),
      resetTokensMs: tpm === null ? null : timeUntilFreed(w.tokens, w.epoch, now, Number.POSITIVE_INFINITY),
    };
  }

  /** Forget a key (e.g. revoked). */
  delete(keyId: string): void {
    this.windows.delete(keyId);
  }
}

export const createRateLimiter = (options: RateLimiterOptions = {}) => new RateLimiter(options);

/** OpenAI-style duration: `250ms`, `1s`, `1.5s`, `6m0s`. */
export const formatResetDuration = (ms: number): string => {
  const value = Math.max(0, Math.ceil(ms));
  if (value < 1000) return `${value}ms`;
  const totalSeconds = value / 1000;
  const minutes = Math.floor(totalSeconds / 60);
  const seconds = Math.round((totalSeconds - minutes * 60) * 1000) / 1000;
  return minutes > 0 ? `${minutes}m${seconds}s` : `${seconds}s`;
};

/**
 * `x-ratelimit-*` headers for the limits that apply, plus `retry-after` (whole seconds,
 * rounded up) and `retry-after-ms` when the request was refused.
 */
export const rateLimitHeaders = (result: RateLimitResult): Record<string, string> => {
  const headers: Record<string, string> = {};
  if (result.limitRequests !== null) {
    headers['x-ratelimit-limit-requests'] = String(result.limitRequests);
    headers['x-ratelimit-remaining-requests'] = String(result.remainingRequests ?? 0);
    headers['x-ratelimit-reset-requests'] = formatResetDuration(result.resetRequestsMs ?? 0);
  }
  if (result.limitTokens !== null) {
    headers['x-ratelimit-limit-tokens'] = String(result.limitTokens);
    headers['x-ratelimit-remaining-tokens'] = String(result.remainingTokens ?? 0);
    headers['x-ratelimit-reset-tokens'] = formatResetDuration(result.resetTokensMs ?? 0);
  }
  if (!result.allowed) {
    headers['retry-after'] = String(Math.max(1, Math.ceil(result.retryAfterMs / 1000)));
    headers['retry-after-ms'] = String(Math.ceil(result.retryAfterMs));
  }
  return headers;
};
