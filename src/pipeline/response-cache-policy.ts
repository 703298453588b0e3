import type { IncomingHttpHeaders } from 'node:http';
import type { ApiCaller } from '../server/api-auth.js';
import type { CatalogModel } from '../router/model-catalog.js';

export interface CachePolicy {
  ttlMs: number;
  scope: string;
}

/**
 * Caching is opt-in: per request with `x-gateway-cache: on|shared` (and optionally
 * `x-gateway-cache-ttl: <seconds>`), or per model with `cache_ttl_seconds`. Entries are
 * scoped to the caller's virtual key unless the request asks for a shared entry.
 */
export const cachePolicy = (
  request: { headers: IncomingHttpHeaders },
  model: CatalogModel,
  caller: ApiCaller,
  defaultTtlMs: number,
  stream: boolean,
): CachePolicy | null => {
  if (stream) return null;
  const header = String(request.headers['x-gateway-cache'] ?? '').toLowerCase();
  if (header === 'off' || header === 'no-store' || header === 'false') return null;
  const asked = header === 'on' || header === 'true' || header === '1' || header === 'shared';
  if (!asked && model.cacheTtlSeconds <= 0) return null;
  const ttlHeader = Number(request.headers['x-gateway-cache-ttl']);
  const ttlMs = Number.isFinite(ttlHeader) && ttlHeader > 0 ? ttlHeader * 1000 : model.cacheTtlSeconds > 0 ? model.cacheTtlSeconds * 1000 : defaultTtlMs;
  const scope = header === 'shared' ? 'shared' : `key:${caller.keyId ?? caller.kind}`;
  return { ttlMs, scope };
};
