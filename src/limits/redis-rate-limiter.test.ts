import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { RedisRateLimiter } from './redis-rate-limiter.js';

const url = process.env.REDIS_TEST_URL ?? 'redis://127.0.0.1:6379';
let redis: Redis;
let reachable = false;

beforeAll(async () => {
  redis = new Redis(url, { lazyConnect: true, maxRetriesPerRequest: 1, connectTimeout: 2000 });
  try {
    await redis.connect();
    reachable = (await redis.ping()) === 'PONG';
  } catch (error) {
    if (process.env.CI) throw new Error(`Redis at ${url} is required in CI: ${String(error)}`);
    console.warn(`*** SKIPPING Redis rate limiter tests: ${url} unreachable ***`);
  }
});
afterAll(async () => {
  if (reachable) redis.disconnect();
});

const prefix = `skgw:test:${process.pid}:${Date.now()}:`;

describe('RedisRateLimiter against a real Redis', () => {
  it('refuses request rpm+1 across two limiter instances (two workers) and says when to retry', async ({ skip }) => {
    if (!reachable) skip();
    const a = new RedisRateLimiter(redis, prefix);
    const second = redis.duplicate();
    const b = new RedisRateLimiter(second, prefix);
    const now = 1_700_000_000_500;
    expect((await a.checkAndConsume('k1', { rpm: 3, now })).allowed).toBe(true);
    expect((await b.checkAndConsume('k1', { rpm: 3, now })).allowed).toBe(true);
    const third = await a.checkAndConsume('k1', { rpm: 3, now: now + 1000 });
    expect(third).toMatchObject({ allowed: true, remainingRequests: 0, limitRequests: 3 });
    const fourth = await b.checkAndConsume('k1', { rpm: 3, now: now + 1500 });
    expect(fourth.allowed).toBe(false);
    expect(fourth.reason).toBe('requests');
    // The oldest bucket (second 1_700_000_000) frees at 1_700_000_060_000, 58 s after the refusal.
    expect(fourth.retryAfterMs).toBe(58_000);
    expect((await a.checkAndConsume('k1', { rpm: 3, now: now + 60_000 })).allowed).toBe(true);
    second.disconnect();
  });

  it('limits tokens, corrects estimates, and refuses requests that can never fit', async ({ skip }) => {
    if (!reachable) skip();
    const limiter = new RedisRateLimiter(redis, prefix);
    const now = 1_700_000_100_000;
    expect((await limiter.checkAndConsume('k2', { tpm: 100, estimatedTokens: 80, now })).allowed).toBe(true);
    expect((await limiter.checkAndConsume('k2', { tpm: 100, estimatedTokens: 30, now })).reason).toBe('tokens');
    await limiter.recordTokens('k2', 20, now, 80);
    const after = await limiter.checkAndConsume('k2', { tpm: 100, estimatedTokens: 30, now });
    expect(after.allowed).toBe(true);
    expect(after.remainingTokens).toBe(50);
    expect((await limiter.checkAndConsume('k2', { tpm: 100, estimatedTokens: 500, now })).reason).toBe('tokens-exceed-limit');
  });
});
