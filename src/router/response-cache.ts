import { createHash } from 'node:crypto';

export interface CachedResponse {
  body: Buffer | string;
  headers: Record<string, string>;
  status: number;
}

export interface ResponseCacheOptions {
  maxBytes: number;
  defaultTtlMs: number;
  now?: () => number;
}

export interface ResponseCacheStats {
  entries: number;
  bytes: number;
  maxBytes: number;
  hits: number;
  misses: number;
  evictions: number;
  expirations: number;
}

export type CacheSetResult = 'stored' | 'too-large' | 'not-cacheable';

export interface ResponseCache {
  get(key: string): CachedResponse | undefined;
  /** Stores a copy of the headers; the body is kept as given and must not be mutated afterwards. */
  set(key: string, value: CachedResponse, ttlMs?: number): CacheSetResult;
  delete(key: string): boolean;
  clear(): void;
  /** Drop every expired entry (O(n)); `get` already drops them lazily. */
  prune(): number;
  stats(): ResponseCacheStats;
}

/** A cache shared by every instance (Redis, src/state/shared-response-cache.ts) behind the local one. */
export interface SharedCacheTier {
  get(key: string): Promise<{ value: CachedResponse; ttlMs: number } | undefined>;
  set(key: string, value: CachedResponse, ttlMs: number): CacheSetResult;
}

interface Entry {
  value: CachedResponse;
  size: number;
  expiresAt: number;
}

const bodyBytes = (body: Buffer | string) => (typeof body === 'string' ? Buffer.byteLength(body) : body.byteLength);

/**
 * Exact-match cache for non-stream responses: LRU bounded by total bytes (body + key),
 * TTL per entry. Only 200s are stored — an error is never replayed to another caller — and
 * no single entry may take more than a quarter of the budget, so one huge answer cannot
 * flush everything else.
 */
export const createResponseCache = (options: ResponseCacheOptions): ResponseCache => {
  const { maxBytes, defaultTtlMs } = options;
  if (!(Number.isFinite(maxBytes) && maxBytes > 0)) throw new RangeError('maxBytes must be positive');
  if (!(defaultTtlMs > 0)) throw new RangeError('defaultTtlMs must be positive');
  const now = options.now ?? Date.now;
  // Map iteration order is insertion order: re-inserting on use makes the first key the LRU.
  const entries = new Map<string, Entry>();
  let bytes = 0;
  let hits = 0;
  let misses = 0;
  let evictions = 0;
  let expirations = 0;

  const remove = (key: string, entry: Entry) => {
    entries.delete(key);
    bytes -= entry.size;
  };

  const get = (key: string): CachedResponse | undefined => {
    const entry = entries.get(key);
    if (!entry) {
      misses += 1;
      return undefined;
    }
    if (now() >= entry.expiresAt) {
      remove(key, entry);
      expirations += 1;
      misses += 1;
      return undefined;
    }
    entries.delete(key);
    entries.set(key, entry);
    hits += 1;
    return entry.value;
  };

  const set = (key: string, value: CachedResponse, ttlMs = defaultTtlMs): CacheSetResult => {
    if (value.status !== 200 || !(ttlMs > 0)) return 'not-cacheable';
    const size = bodyBytes(value.body) + Buffer.byteLength(key);
    if (size > maxBytes / 4) return 'too-large';
    const previous = entries.get(key);
    if (previous) remove(key, previous);
    const at = now();
    for (const [oldKey, oldEntry] of entries) {
      if (bytes + size <= maxBytes) break;
      remove(oldKey, oldEntry);
      if (at >= oldEntry.expiresAt) expirations += 1;
      else evictions += 1;
    }
    entries.set(key, { value: { ...value, headers: { ...value.headers } }, size, expiresAt: at + ttlMs });
    bytes += size;
    return 'stored';
  };

  const prune = () => {
    const at = now();
    let removed = 0;
    for (const [key, entry] of entries) {
      if (at < entry.expiresAt) continue;
      remove(key, entry);
      removed += 1;
    }
    expirations += removed;
    return removed;
  };

  return {
    get,
    set,
    delete: (key) => {
      const entry = entries.get(key);
      if (!entry) return false;
      remove(key, entry);
      return true;
    },
    clear: () => {
      entries.clear();
      bytes = 0;
    },
    prune,
    stats: () => ({ entries: entries.size, bytes, maxBytes, hits, misses, evictions, expirations }),
  };
};

/** Fields that do not change the answer: who asks (`user`) and how usage is streamed. */
const IGNORED_FIELDS = new Set(['user', 'stream_options']);

const canonical = (value: unknown): unknown => {
  if (Array.isArray(value)) return value.map((item) => (item === undefined ? null : canonical(item)));
  if (value !== null && typeof value === 'object') {
    const source = value as Record<string, unknown>;
    const sorted: Record<string, unknown> = {};
    for (const key of Object.keys(source).sort()) {
      if (source[key] !== undefined) sorted[key] = canonical(source[key]);
    }
    return sorted;
  }
  return value;
};

/**
 * The request body as the cache sees it: keys sorted at every level, `user` and
 * `stream_options` dropped at the top level, `stream: false` treated as absent (it is the
 * default); everything else — model, messages, temperature, seed, tools… — is kept.
 */
export const normalizeForCacheKey = (body: Record<string, unknown>): unknown => {
  const top: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(body)) {
    if (IGNORED_FIELDS.has(key)) continue;
    if (key === 'stream' && value === false) continue;
    top[key] = value;
  }
  return canonical(top);
};

/**
 * sha256 (hex) of the normalized body and the scope: a virtual key id keeps answers
 * private to that key, 'shared' shares them across keys. Put the endpoint in the scope if
 * two endpoints could receive identical bodies.
 */
/** The client protocol is part of the key: the same body means different answers in two protocols. */
export const cacheKey = (body: object, scope: string, protocol: string = 'openai'): string =>
  createHash('sha256')
    .update(JSON.stringify([protocol, scope, normalizeForCacheKey(body as Record<string, unknown>)]))
    .digest('hex');
