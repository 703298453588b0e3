import { describe, expect, it } from 'vitest';
import { cacheKey, createResponseCache, normalizeForCacheKey, type CachedResponse } from './response-cache.js';

const ok = (body: string | Buffer): CachedResponse => ({ body, headers: { 'content-type': 'application/json' }, status: 200 });

const makeCache = (maxBytes = 1_000, defaultTtlMs = 10_000) => {
  let clock = 0;
  const cache = createResponseCache({ maxBytes, defaultTtlMs, now: () => clock });
  return { cache, advance: (ms: number) => (clock += ms) };
};

describe('createResponseCache', () => {
  it('stores and returns 200 responses, counting hits and misses', () => {
    const { cache } = makeCache();
    expect(cache.get('k')).toBeUndefined();
    expect(cache.set('k', ok('{"a":1}'))).toBe('stored');
    expect(cache.get('k')).toEqual(ok('{"a":1}'));
    expect(cache.stats()).toEqual({ entries: 1, bytes: 7 + 1, maxBytes: 1_000, hits: 1, misses: 1, evictions: 0, expirations: 0 });
  });

  it('never caches errors', () => {
    const { cache } = makeCache();
    for (const status of [201, 400, 429, 500, 503]) {
      expect(cache.set(`k${status}`, { ...ok('x'), status })).toBe('not-cacheable');
    }
    expect(cache.stats().entries).toBe(0);
  });

  it('refuses entries larger than a quarter of maxBytes', () => {
    const { cache } = makeCache(400);
    expect(cache.set('k', ok('x'.repeat(100)))).toBe('too-large'); // 100 + 1 > 400 / 4
    expect(cache.set('k', ok('x'.repeat(99)))).toBe('stored'); // 99 + 1 = 100 fits exactly
    expect(cache.set('big', ok(Buffer.alloc(200)))).toBe('too-large');
  });

  it('sizes bodies in bytes, not characters', () => {
    const { cache } = makeCache();
    cache.set('k', ok('你好')); // 6 bytes in UTF-8
    expect(cache.stats().bytes).toBe(7);
  });

  it('evicts least recently used entries by bytes', () => {
    const { cache } = makeCache(400);
    for (const key of ['a', 'b', 'c', 'd']) cache.set(key, ok('x'.repeat(99))); // 100 bytes each: full
    expect(cache.stats().bytes).toBe(400);
    cache.get('a'); // a becomes most recent; b is now the LRU
    cache.set('e', ok('x'.repeat(49))); // 50 bytes: one eviction is enough
    expect(cache.get('b')).toBeUndefined();
    expect(cache.get('a')).toBeDefined();
    expect(cache.get('c')).toBeDefined();
    cache.set('f', ok('x'.repeat(99))); // needs 50 more bytes: evicts d (LRU)
    expect(cache.get('d')).toBeUndefined();
    const stats = cache.stats();
    expect(stats.evictions).toBe(2);
    expect(stats.bytes).toBeLessThanOrEqual(400);
    expect(stats.bytes).toBe(100 + 100 + 50 + 100);
  });

  it('never exceeds maxBytes under random load', () => {
    const { cache } = makeCache(10_000);
    let seed = 1;
    const rand = () => ((seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31);
    for (let i = 0; i < 5_000; i++) {
      cache.set(`key-${Math.floor(rand() * 300)}`, ok('y'.repeat(Math.floor(rand() * 2_400))));
      expect(cache.stats().bytes).toBeLessThanOrEqual(10_000);
    }
  });

  it('replacing a key updates its size', () => {
    const { cache } = makeCache();
    cache.set('k', ok('x'.repeat(100)));
    cache.set('k', ok('x'.repeat(10)));
    expect(cache.stats()).toMatchObject({ entries: 1, bytes: 11 });
  });

  it('expires entries after their TTL (default or per entry)', () => {
    const { cache, advance } = makeCache(1_000, 1_000);
    cache.set('default', ok('a'));
    cache.set('short', ok('b'), 100);
    cache.set('long', ok('c'), 5_000);
    advance(99);
    expect(cache.get('short')).toBeDefined();
    advance(1);
    expect(cache.get('short')).toBeUndefined();
    advance(899);
    expect(cache.get('default')).toBeDefined();
    advance(1);
    expect(cache.get('default')).toBeUndefined();
    expect(cache.get('long')).toBeDefined();
    expect(cache.stats()).toMatchObject({ entries: 1, expirations: 2 });
    expect(cache.set('zero', ok('d'), 0)).toBe('not-cacheable');
  });

  it('prune() drops expired entries, delete() and clear() work', () => {
    const { cache, advance } = makeCache(1_000, 100);
    cache.set('a', ok('1'));
    cache.set('b', ok('2'), 1_000);
    advance(200);
    expect(cache.prune()).toBe(1);
    expect(cache.stats()).toMatchObject({ entries: 1, bytes: 2 });
    expect(cache.delete('b')).toBe(true);
    expect(cache.delete('b')).toBe(false);
    cache.set('c', ok('3'));
    cache.clear();
    expect(cache.stats()).toMatchObject({ entries: 0, bytes: 0 });
  });

  it('stored headers are a copy', () => {
    const { cache } = makeCache();
    const value = ok('x');
    cache.set('k', value);
    value.headers['x-late'] = 'changed';
    expect(cache.get('k')!.headers).toEqual({ 'content-type': 'application/json' });
  });

  it('validates its options', () => {
    expect(() => createResponseCache({ maxBytes: 0, defaultTtlMs: 1 })).toThrow(RangeError);
    expect(() => createResponseCache({ maxBytes: 1, defaultTtlMs: 0 })).toThrow(RangeError);
  });
});

describe('cacheKey', () => {
  const body = { model: 'gpt-4o', messages: [{ role: 'user', content: 'hi' }], temperature: 0 };

  it('ignores key order at every level', () => {
    const reordered = { temperature: 0, messages: [{ content: 'hi', role: 'user' }], model: 'gpt-4o' };
    expect(cacheKey(reordered, 'shared')).toBe(cacheKey(body, 'shared'));
    expect(cacheKey(body, 'shared')).toMatch(/^[0-9a-f]{64}$/);
  });

  it('ignores user, stream_options, stream:false and undefined fields', () => {
    const key = cacheKey(body, 'shared');
    expect(cacheKey({ ...body, user: 'alice', stream_options: { include_usage: true } }, 'shared')).toBe(key);
    expect(cacheKey({ ...body, stream: false, seed: undefined }, 'shared')).toBe(key);
  });

  it('keeps everything that changes the answer', () => {
    const key = cacheKey(body, 'shared');
    for (const changed of [
      { ...body, model: 'gpt-4o-mini' },
      { ...body, temperature: 0.1 },
      { ...body, seed: 1 },
      { ...body, stream: true },
      { ...body, messages: [{ role: 'user', content: 'hi!' }] },
      { ...body, messages: [{ role: 'system', content: 'hi' }] },
      { ...body, tools: [] },
      { ...body, messages: [{ role: 'user', content: 'hi', name: 'u' }] },
    ]) {
      expect(cacheKey(changed, 'shared')).not.toBe(key);
    }
    // Array order matters (message order is the conversation).
    const two = { model: 'm', messages: [{ role: 'user', content: 'a' }, { role: 'user', content: 'b' }] };
    const swapped = { model: 'm', messages: [{ role: 'user', content: 'b' }, { role: 'user', content: 'a' }] };
    expect(cacheKey(two, 'shared')).not.toBe(cacheKey(swapped, 'shared'));
  });

  it('only drops user at the top level', () => {
    const nested = { ...body, metadata: { user: 'a' } };
    expect(cacheKey(nested, 'shared')).not.toBe(cacheKey({ ...body, metadata: { user: 'b' } }, 'shared'));
  });

  it('separates scopes', () => {
    expect(cacheKey(body, 'key-1')).not.toBe(cacheKey(body, 'key-2'));
    expect(cacheKey(body, 'key-1')).not.toBe(cacheKey(body, 'shared'));
  });

  it('normalizeForCacheKey sorts keys recursively', () => {
    expect(JSON.stringify(normalizeForCacheKey({ b: 1, a: { d: [{ z: 1, y: 2 }], c: 3 }, user: 'x' }))).toBe(
      '{"a":{"c":3,"d":[{"y":2,"z":1}]},"b":1}',
    );
  });
});
