import { describe, expect, it } from 'vitest';
import { createRateLimiter, formatResetDuration, rateLimitHeaders, RateLimiter } from './rate-limiter.js';

const T0 = 1_700_000_000_000; // a whole second

describe('RateLimiter: requests per minute', () => {
  it('allows rpm requests and refuses rpm+1 with a sensible Retry-After', () => {
    const limiter = createRateLimiter();
    for (let i = 0; i < 5; i++) {
      const result = limiter.checkAndConsume('k', { rpm: 5, now: T0 + i * 1_000 });
      expect(result).toMatchObject({ allowed: true, reason: null, retryAfterMs: 0, limitRequests: 5, remainingRequests: 4 - i });
    }
    const refused = limiter.checkAndConsume('k', { rpm: 5, now: T0 + 10_500 });
    expect(refused).toMatchObject({ allowed: false, reason: 'requests', limitRequests: 5, remainingRequests: 0 });
    // The oldest request (second 0) leaves the window at T0 + 60 s.
    expect(refused.retryAfterMs).toBe(60_000 - 10_500);
    // Everything is back once the newest request (second 4) has slid out.
    expect(refused.resetRequestsMs).toBe(64_000 - 10_500);
    // A refused request is not counted.
    expect(limiter.peek('k', { rpm: 5, now: T0 + 10_500 }).remainingRequests).toBe(0);
  });

  it('the window slides: capacity returns as old requests age out', () => {
    const limiter = createRateLimiter();
    for (let i = 0; i < 3; i++) limiter.checkAndConsume('k', { rpm: 3, now: T0 + i * 20_000 });
    expect(limiter.checkAndConsume('k', { rpm: 3, now: T0 + 59_999 }).allowed).toBe(false);
    const after = limiter.checkAndConsume('k', { rpm: 3, now: T0 + 60_000 });
    expect(after).toMatchObject({ allowed: true, remainingRequests: 0 });
    expect(limiter.checkAndConsume('k', { rpm: 3, now: T0 + 70_000 }).allowed).toBe(false);
    expect(limiter.checkAndConsume('k', { rpm: 3, now: T0 + 80_000 }).allowed).toBe(true);
  });

  it('retrying after retryAfterMs succeeds; just before does not', () => {
    const limiter = createRateLimiter();
    for (let i = 0; i < 10; i++) limiter.checkAndConsume('k', { rpm: 10, now: T0 + 300 + i * 100 });
    const refused = limiter.checkAndConsume('k', { rpm: 10, now: T0 + 5_000 });
    expect(refused.allowed).toBe(false);
    expect(limiter.checkAndConsume('k', { rpm: 10, now: T0 + 5_000 + refused.retryAfterMs - 1 }).allowed).toBe(false);
    expect(limiter.checkAndConsume('k', { rpm: 10, now: T0 + 5_000 + refused.retryAfterMs }).allowed).toBe(true);
  });

  it('never admits more than rpm in any 60 s span under steady pressure', () => {
    const limiter = createRateLimiter();
    const admitted: number[] = [];
    for (let t = 0; t < 300_000; t += 250) {
      if (limiter.checkAndConsume('k', { rpm: 30, now: T0 + t }).allowed) admitted.push(t);
    }
    for (let i = 0; i + 30 < admitted.length; i++) expect(admitted[i + 30]! - admitted[i]!).toBeGreaterThanOrEqual(59_000);
    // Sustained throughput is the limit itself.
    expect(admitted.length).toBeGreaterThanOrEqual(30 * 5 - 1);
    expect(admitted.length).toBeLessThanOrEqual(30 * 5);
  });

  it('keeps keys apart; no limit means unlimited', () => {
    const limiter = createRateLimiter();
    limiter.checkAndConsume('a', { rpm: 1, now: T0 });
    expect(limiter.checkAndConsume('a', { rpm: 1, now: T0 }).allowed).toBe(false);
    expect(limiter.checkAndConsume('b', { rpm: 1, now: T0 }).allowed).toBe(true);
    for (let i = 0; i < 1_000; i++) {
      const r = limiter.checkAndConsume('c', { rpm: null, tpm: 0, estimatedTokens: 10, now: T0 });
      expect(r).toMatchObject({ allowed: true, limitRequests: null, remainingRequests: null, limitTokens: null, resetTokensMs: null });
    }
  });
});

describe('RateLimiter: tokens per minute', () => {
  it('refuses when the estimate would overflow the window', () => {
    const limiter = createRateLimiter();
    expect(limiter.checkAndConsume('k', { tpm: 1_000, estimatedTokens: 600, now: T0 })).toMatchObject({ allowed: true, remainingTokens: 400, limitTokens: 1_000 });
    const refused = limiter.checkAndConsume('k', { tpm: 1_000, estimatedTokens: 500, now: T0 + 2_000 });
    expect(refused).toMatchObject({ allowed: false, reason: 'tokens', remainingTokens: 400 });
    expect(refused.retryAfterMs).toBe(58_000);
    expect(limiter.checkAndConsume('k', { tpm: 1_000, estimatedTokens: 400, now: T0 + 2_000 })).toMatchObject({ allowed: true, remainingTokens: 0 });
    // Full: even a zero estimate waits.
    expect(limiter.checkAndConsume('k', { tpm: 1_000, estimatedTokens: 0, now: T0 + 3_000 }).allowed).toBe(false);
  });

  it('a request larger than tpm can never fit and says so', () => {
    const limiter = createRateLimiter();
    const result = limiter.checkAndConsume('k', { rpm: 10, tpm: 100, estimatedTokens: 101, now: T0 });
    expect(result).toMatchObject({ allowed: false, reason: 'tokens-exceed-limit', remainingRequests: 10 });
  });

  it('recordTokens corrects the estimate both ways', () => {
    const limiter = createRateLimiter();
    limiter.checkAndConsume('k', { tpm: 1_000, estimatedTokens: 800, now: T0 });
    limiter.recordTokens('k', 200, T0 + 500, 800);
    expect(limiter.peek('k', { tpm: 1_000, now: T0 + 500 }).remainingTokens).toBe(800);
    limiter.checkAndConsume('k', { tpm: 1_000, estimatedTokens: 100, now: T0 + 1_000 });
    limiter.recordTokens('k', 900, T0 + 1_000, 100);
    expect(limiter.peek('k', { tpm: 1_000, now: T0 + 1_000 }).remainingTokens).toBe(0);
    expect(limiter.checkAndConsume('k', { tpm: 1_000, estimatedTokens: 1, now: T0 + 1_000 }).allowed).toBe(false);
    // Without an estimate: plain addition.
    limiter.recordTokens('other', 50, T0);
    expect(limiter.peek('other', { tpm: 100, now: T0 }).remainingTokens).toBe(50);
  });

  it('a negative correction never drives the count below zero', () => {
    const limiter = createRateLimiter();
    limiter.checkAndConsume('k', { tpm: 1_000, estimatedTokens: 100, now: T0 });
    limiter.recordTokens('k', 0, T0 + 10, 5_000);
    expect(limiter.peek('k', { tpm: 1_000, now: T0 + 10 }).remainingTokens).toBe(1_000);
  });

  it('both limits apply; the longer wait wins', () => {
    const limiter = createRateLimiter();
    limiter.checkAndConsume('k', { rpm: 1, tpm: 100, estimatedTokens: 100, now: T0 });
    const result = limiter.checkAndConsume('k', { rpm: 1, tpm: 100, estimatedTokens: 10, now: T0 + 30_000 });
    expect(result).toMatchObject({ allowed: false, reason: 'requests', retryAfterMs: 30_000, resetTokensMs: 30_000 });
  });
});

describe('RateLimiter: memory', () => {
  it('evicts idle keys and caps the number of keys', () => {
    const limiter = new RateLimiter({ maxKeys: 100 });
    for (let i = 0; i < 1_000; i++) limiter.checkAndConsume(`key-${i}`, { rpm: 5, now: T0 + i });
    expect(limiter.size).toBe(100);
    // Much later every key is idle: a few calls sweep them out.
    for (let i = 0; i < 60; i++) limiter.checkAndConsume('fresh', { rpm: 5, now: T0 + 120_000 + i });
    expect(limiter.size).toBeLessThan(100);
    expect(limiter.peek('fresh', { rpm: 5, now: T0 + 120_100 }).remainingRequests).toBe(0);
  });

  it('keeps active keys over idle ones', () => {
    const limiter = new RateLimiter({ maxKeys: 2 });
    limiter.checkAndConsume('active', { rpm: 1, now: T0 });
    limiter.checkAndConsume('idle', { rpm: 1, now: T0 });
    limiter.checkAndConsume('active', { rpm: 1, now: T0 + 1 });
    limiter.checkAndConsume('new', { rpm: 1, now: T0 + 2 });
    expect(limiter.checkAndConsume('active', { rpm: 1, now: T0 + 3 }).allowed).toBe(false);
    limiter.delete('active');
    expect(limiter.checkAndConsume('active', { rpm: 1, now: T0 + 4 }).allowed).toBe(true);
  });
});

describe('rate limit headers', () => {
  it('formats durations like OpenAI', () => {
    expect(formatResetDuration(0)).toBe('0ms');
    expect(formatResetDuration(250)).toBe('250ms');
    expect(formatResetDuration(1_000)).toBe('1s');
    expect(formatResetDuration(1_500)).toBe('1.5s');
    expect(formatResetDuration(360_000)).toBe('6m0s');
    expect(formatResetDuration(61_250)).toBe('1m1.25s');
  });

  it('builds x-ratelimit-* and retry-after', () => {
    const limiter = createRateLimiter();
    limiter.checkAndConsume('k', { rpm: 1, tpm: 1_000, estimatedTokens: 10, now: T0 });
    const refused = limiter.checkAndConsume('k', { rpm: 1, tpm: 1_000, estimatedTokens: 10, now: T0 + 500 });
    expect(rateLimitHeaders(refused)).toEqual({
      'x-ratelimit-limit-requests': '1',
      'x-ratelimit-remaining-requests': '0',
      'x-ratelimit-reset-requests': '59.5s',
      'x-ratelimit-limit-tokens': '1000',
      'x-ratelimit-remaining-tokens': '990',
      'x-ratelimit-reset-tokens': '59.5s',
      'retry-after': '60',
      'retry-after-ms': '59500',
    });
    const unlimited = limiter.checkAndConsume('u', { now: T0 });
    expect(rateLimitHeaders(unlimited)).toEqual({});
  });
});
