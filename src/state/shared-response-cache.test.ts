import { randomBytes } from 'node:crypto';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SharedResponseCache } from './shared-response-cache.js';

const redisUrl = process.env.REDIS_TEST_URL ?? 'redis://127.0.0.1:6379';
let redis: Redis | null = null;
const prefix = `src-test:${randomBytes(6).toString('hex')}:`;

beforeAll(async () => {
  const client = new Redis(redisUrl, { lazyConnect: true, maxRetriesPerRequest: 1, connectTimeout: 2000 });
  try {
    await client.connect();
    redis = client;
  } catch (error) {
    client.disconnect();
    if (process.env.CI) throw new Error(`Redis at ${redisUrl} is required in CI: ${String(error)}`);
    console.warn('*** SKIPPING shared response cache tests: Redis unreachable ***');
  }
});
afterAll(async () => {
  if (!redis) return;
  const keys = await redis.keys(`${prefix}*`);
  if (keys.length > 0) await redis.del(...keys);
  await redis.quit();
});

const entry = (text: string) => ({ body: text, headers: { 'x-gateway-model': 'm' }, status: 200 });
const settle = () => new Promise((r) => setTimeout(r, 50));

describe('the shared response cache (real Redis)', () => {
  it('round-trips an entry with its headers and remaining lifetime', async ({ skip }) => {
    if (!redis) skip();
    const cache = new SharedResponseCache(redis!, `${prefix}a:`, 100_000, () => true);
    expect(cache.set('k1', entry('{"answer":"é"}'), 60_000)).toBe('stored');
    await settle();
    const hit = await cache.get('k1');
    expect(hit?.value).toEqual(entry('{"answer":"é"}'));
    expect(hit!.ttlMs).toBeGreaterThan(55_000);
    expect(await cache.get('missing')).toBeUndefined();
  });

  it('stays within its byte budget, dropping the entries nearest expiry, and refuses what cannot be shared', async ({ skip }) => {
    if (!redis) skip();
    const cache = new SharedResponseCache(redis!, `${prefix}b:`, 10_000, () => true);
    const body = 'x'.repeat(900);
    for (let i = 0; i < 40; i++) cache.set(`k${i}`, entry(body), 10_000 + i * 1000);
    await settle();
    expect(await cache.bytes()).toBeLessThanOrEqual(10_000);
    expect(await cache.get('k0')).toBeUndefined();
    expect(await cache.get('k39')).toBeDefined();
    expect(cache.set('big', entry('y'.repeat(3_000)), 60_000)).toBe('too-large');
    expect(cache.set('error', { ...entry('e'), status: 500 }, 60_000)).toBe('not-cacheable');
  });

  it('is a miss, not an error, while Redis is away', async ({ skip }) => {
    if (!redis) skip();
    const cache = new SharedResponseCache(redis!, `${prefix}c:`, 10_000, () => false);
    cache.set('k', entry('z'), 60_000);
    await settle();
    expect(await cache.get('k')).toBeUndefined();
  });
});
