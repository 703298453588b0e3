import type { Redis } from 'ioredis';
import type { CachedResponse, CacheSetResult } from '../router/response-cache.js';

/**
 * Stores one entry and keeps the total bounded, atomically: expired entries are dropped
 * from the index first, then the entries closest to expiry until the new one fits. Sizes
 * are tracked in a hash so the total never needs a scan.
 */
const SET_SCRIPT = `
local index, sizes, total = KEYS[1], KEYS[2], KEYS[3]
local member, value, ttl, now, size, max, prefix = ARGV[1], ARGV[2], tonumber(ARGV[3]), tonumber(ARGV[4]), tonumber(ARGV[5]), tonumber(ARGV[6]), ARGV[7]
local bytes = tonumber(redis.call('GET', total) or '0') - tonumber(redis.call('HGET', sizes, member) or '0')
redis.call('HDEL', sizes, member)
redis.call('ZREM', index, member)
local function drop(m)
  bytes = bytes - tonumber(redis.call('HGET', sizes, m) or '0')
  redis.call('HDEL', sizes, m)
  redis.call('ZREM', index, m)
  redis.call('DEL', prefix .. m)
end
for _, m in ipairs(redis.call('ZRANGEBYSCORE', index, '-inf', now, 'LIMIT', 0, 200)) do drop(m) end
local evicted = 0
while bytes + size > max do
  local oldest = redis.call('ZRANGE', index, 0, 0)
  if #oldest == 0 then break end
  drop(oldest[1])
  evicted = evicted + 1
end
if bytes < 0 then bytes = 0 end
redis.call('SET', prefix .. member, value, 'PX', ttl)
redis.call('ZADD', index, now + ttl, member)
redis.call('HSET', sizes, member, size)
redis.call('SET', total, bytes + size)
return evicted
`;

export interface SharedResponseCacheStats {
  hits: number;
  misses: number;
  errors: number;
}

/**
 * The response cache shared by every instance (Redis), behind each instance's in-memory
 * one: a local miss asks Redis, a Redis hit is copied into the local cache for its
 * remaining lifetime. Keys are the same sha256 as locally, so a virtual key's private
 * scope stays private. The total is bounded by `maxBytes` (entries nearest expiry go
 * first). Redis trouble is a miss, never a failed request.
 */
export class SharedResponseCache {
  private readonly entryPrefix: string;
  private readonly index: string;
  private readonly sizes: string;
  private readonly total: string;
  private counters: SharedResponseCacheStats = { hits: 0, misses: 0, errors: 0 };

  constructor(
    private readonly redis: Redis,
    prefix: string,
    private readonly maxBytes: number,
    private readonly connected: () => boolean,
  ) {
    this.entryPrefix = `${prefix}cache:`;
    this.index = `${prefix}cache-index`;
    this.sizes = `${prefix}cache-sizes`;
    this.total = `${prefix}cache-bytes`;
    if (!('skgwCacheSet' in redis)) redis.defineCommand('skgwCacheSet', { numberOfKeys: 3, lua: SET_SCRIPT });
  }

  /** The entry and how long it has left (ms), or undefined. */
  async get(key: string): Promise<{ value: CachedResponse; ttlMs: number } | undefined> {
    if (!this.connected()) return undefined;
    try {
      const [[, raw], [, pttl]] = (await this.redis.multi().getBuffer(this.entryPrefix + key).pttl(this.entryPrefix + key).exec()) as [
        [Error | null, Buffer | null],
        [Error | null, number],
      ];
      if (!raw || !(pttl > 0)) {
        this.counters.misses += 1;
        return undefined;
      }
      const newline = raw.indexOf(10);
      const meta = JSON.parse(raw.subarray(0, newline).toString('utf8')) as { headers: Record<string, string>; status: number };
      this.counters.hits += 1;
      return { value: { body: raw.subarray(newline + 1).toString('utf8'), headers: meta.headers, status: meta.status }, ttlMs: pttl };
    } catch {
      this.counters.errors += 1;
      return undefined;
    }
  }

  /** Same rules as the local cache: only 200s, nothing over a quarter of the budget. Fire and forget. */
  set(key: string, value: CachedResponse, ttlMs: number): CacheSetResult {
    if (value.status !== 200 || !(ttlMs > 0)) return 'not-cacheable';
    const body = typeof value.body === 'string' ? Buffer.from(value.body) : value.body;
    const meta = Buffer.from(`${JSON.stringify({ headers: value.headers, status: value.status })}\n`);
    const size = body.byteLength + meta.byteLength + key.length;
    if (size > this.maxBytes / 4) return 'too-large';
    if (!this.connected()) return 'stored';
    const run = (this.redis as unknown as { skgwCacheSet: (...args: unknown[]) => Promise<number> }).skgwCacheSet;
    run
      .call(this.redis, this.index, this.sizes, this.total, key, Buffer.concat([meta, body]), Math.ceil(ttlMs), Date.now(), size, this.maxBytes, this.entryPrefix)
      .catch(() => {
        this.counters.errors += 1;
      });
    return 'stored';
  }

  /** Bytes the shared cache holds now (as tracked by the script). */
  async bytes(): Promise<number> {
    return Number((await this.redis.get(this.total)) ?? 0);
  }

  stats(): SharedResponseCacheStats {
    return { ...this.counters };
  }
}
