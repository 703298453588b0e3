import type { KeyFailureReason } from '../providers/key-failure-rules.js';
import { RateLimiter } from '../limits/rate-limiter.js';

/** One vendor key of a provider's pool, as configured (YAML variable or admin entry). */
export interface PoolKeyConfig {
  /** Stable across reloads: `env:VAR` or the admin row id. */
  id: string;
  /** Shown in the admin and written to usage rows; never the secret. */
  label: string;
  secret: string;
  weight: number;
  enabled: boolean;
  rpmLimit: number | null;
  tpmLimit: number | null;
  source: 'env' | 'admin';
}

export type PoolKeyHealth = 'active' | 'disabled' | 'resting';

export interface PoolKey extends PoolKeyConfig {
  /** Smooth weighted round-robin counter. */
  current: number;
  health: PoolKeyHealth;
  reason: KeyFailureReason | null;
  lastError: string | null;
  lastErrorAt: number | null;
  lastUsedAt: number | null;
  /** When a taken-out key may be tried again. */
  retryAt: number;
  /** Consecutive failed re-checks: the backoff step. */
  strikes: number;
  requests: number;
  failures: number;
}

export interface PoolKeyView {
  id: string;
  label: string;
  last4: string;
  weight: number;
  enabled: boolean;
  rpmLimit: number | null;
  tpmLimit: number | null;
  source: 'env' | 'admin';
  state: 'active' | 'disabled' | 'resting' | 'off';
  reason: KeyFailureReason | null;
  lastError: string | null;
  lastErrorAt: number | null;
  lastUsedAt: number | null;
  retryAt: number | null;
  requests: number;
  failures: number;
}

export interface KeyPoolOptions {
  /** Re-check delays after a key is taken out, step by step; the last repeats. */
  recheckMs?: readonly number[];
  /** A key resting after a plain 429 comes back after this (or the vendor's Retry-After). */
  restMs?: number;
}

export const DEFAULT_RECHECK_MS: readonly number[] = [30_000, 60_000, 120_000, 300_000, 900_000, 1_800_000];

const last4Of = (secret: string) => `…${secret.slice(-4)}`;

/**
 * The keys of one provider and their health. Keys are chosen by smooth weighted
 * round-robin (nginx's algorithm: deterministic, spreads equal weights in turn and
 * never sends a burst to one key). A key that answers 401/403 or a quota/balance
 * error is taken out with its reason; after its backoff the next real request tries
 * it again (a re-check that costs no extra vendor call and is safe: if it fails, that
 * request is retried on another key). Pure except for the clock passed in.
 */
export class KeyPool {
  private keys: PoolKey[] = [];
  private readonly limiter = new RateLimiter();
  private readonly recheckMs: readonly number[];
  private readonly restMs: number;

  constructor(
    readonly provider: string,
    options: KeyPoolOptions = {},
  ) {
    this.recheckMs = options.recheckMs && options.recheckMs.length > 0 ? options.recheckMs : DEFAULT_RECHECK_MS;
    this.restMs = options.restMs ?? 10_000;
  }

  get size(): number {
    return this.keys.length;
  }

  /** Replace the configuration, keeping the health of keys that stay (same id and secret). */
  configure(configs: readonly PoolKeyConfig[]): void {
    const before = new Map(this.keys.map((k) => [k.id, k]));
    this.keys = configs.map((config) => {
      const old = before.get(config.id);
      if (old && old.secret === config.secret) return { ...old, ...config };
      return {
        ...config,
        current: 0,
        health: 'active',
        reason: null,
        lastError: null,
        lastErrorAt: null,
        lastUsedAt: null,
        retryAt: 0,
        strikes: 0,
        requests: 0,
        failures: 0,
      };
    });
  }

  /**
   * The key for the next attempt, or null when none can serve. A key whose backoff is
   * over is chosen first (it is the re-check); it is then pushed back by one backoff
   * step so that concurrent requests do not all re-check it at once.
   */
  pick(now: number, exclude: ReadonlySet<PoolKey> | null = null, estimatedTokens = 0): PoolKey | null {
    let best: PoolKey | null = null;
    let total = 0;
    for (const key of this.keys) {
      if (!key.enabled || key.weight <= 0 || exclude?.has(key)) continue;
      if (key.health !== 'active') {
        if (now < key.retryAt) continue;
        if (!this.allowedByLimits(key, now, estimatedTokens)) continue;
        key.retryAt = now + this.stepDelay(key.strikes);
        return this.use(key, now);
      }
      if ((key.rpmLimit || key.tpmLimit) && !this.peekLimits(key, now, estimatedTokens)) continue;
      key.current += key.weight;
      total += key.weight;
      if (best === null || key.current > best.current) best = key;
    }
    if (best === null) return null;
    best.current -= total;
    if (best.rpmLimit || best.tpmLimit) this.allowedByLimits(best, now, estimatedTokens);
    return this.use(best, now);
  }

  private use(key: PoolKey, now: number): PoolKey {
    key.lastUsedAt = now;
    key.requests += 1;
    return key;
  }

  private peekLimits(key: PoolKey, now: number, estimatedTokens: number): boolean {
    const numbers = this.limiter.peek(key.id, { rpm: key.rpmLimit, tpm: key.tpmLimit, now });
    if (numbers.remainingRequests !== null && numbers.remainingRequests <= 0) return false;
    return numbers.remainingTokens === null || numbers.remainingTokens > estimatedTokens;
  }

  private allowedByLimits(key: PoolKey, now: number, estimatedTokens: number): boolean {
    if (!key.rpmLimit && !key.tpmLimit) return true;
    return this.limiter.checkAndConsume(key.id, { rpm: key.rpmLimit, tpm: key.tpmLimit, estimatedTokens, now }).allowed;
  }

  private stepDelay(strikes: number): number {
    return this.recheckMs[Math.min(strikes, this.recheckMs.length - 1)]!;
  }

  /** The key served: a re-checked key is back in rotation. */
  reportSuccess(key: PoolKey): void {
    if (key.health === 'active') return;
    key.health = 'active';
    key.reason = null;
    key.strikes = 0;
    key.retryAt = 0;
    key.current = 0;
  }

  /** Tokens the answer really used, for per-key TPM. */
  recordTokens(key: PoolKey, tokens: number, now: number): void {
    if (key.tpmLimit) this.limiter.recordTokens(key.id, tokens, now, 0);
  }

  /** The key is the problem: take it out (or rest it, for a plain 429) with its reason. */
  reportFailure(key: PoolKey, reason: KeyFailureReason, message: string, now: number, retryAfterMs?: number): void {
    key.failures += 1;
    key.lastError = message.slice(0, 500);
    key.lastErrorAt = now;
    key.reason = reason;
    if (reason === 'rate-limit') {
      key.health = key.health === 'disabled' ? 'disabled' : 'resting';
      key.retryAt = now + Math.min(Math.max(retryAfterMs ?? this.restMs, 1_000), 300_000);
      return;
    }
    const wasOut = key.health === 'disabled';
    key.health = 'disabled';
    key.retryAt = now + this.stepDelay(wasOut ? key.strikes + 1 : 0);
    key.strikes = wasOut ? key.strikes + 1 : 0;
  }

  /** An operator asks for a re-check now: the next request tries the key. */
  recheckNow(id: string): boolean {
    const key = this.keys.find((k) => k.id === id);
    if (!key) return false;
    if (key.health !== 'active') key.retryAt = 0;
    return true;
  }

  view(now: number): PoolKeyView[] {
    return this.keys.map((key) => ({
      id: key.id,
      label: key.label,
      last4: last4Of(key.secret),
      weight: key.weight,
      enabled: key.enabled,
      rpmLimit: key.rpmLimit,
      tpmLimit: key.tpmLimit,
      source: key.source,
      state: !key.enabled ? 'off' : key.health,
      reason: key.reason,
      lastError: key.lastError,
      lastErrorAt: key.lastErrorAt,
      lastUsedAt: key.lastUsedAt,
      retryAt: key.health === 'active' ? null : Math.max(key.retryAt, now),
      requests: key.requests,
      failures: key.failures,
    }));
  }
}

/** Pools by provider name, kept across catalog rebuilds so key health survives reloads. */
export class KeyPoolRegistry {
  private readonly pools = new Map<string, KeyPool>();

  constructor(private readonly options: KeyPoolOptions = {}) {}

  /** The provider's pool with these keys, or null when it has at most one plain key (fast path). */
  sync(provider: string, configs: readonly PoolKeyConfig[]): KeyPool | null {
    const name = provider.toLowerCase();
    const needsPool = configs.length > 1 || configs.some((c) => c.rpmLimit || c.tpmLimit || !c.enabled);
    if (!needsPool) {
      this.pools.delete(name);
      return null;
    }
    let pool = this.pools.get(name);
    if (!pool) {
      pool = new KeyPool(provider, this.options);
      this.pools.set(name, pool);
    }
    pool.configure(configs);
    return pool;
  }

  get(provider: string): KeyPool | null {
    return this.pools.get(provider.toLowerCase()) ?? null;
  }
}
