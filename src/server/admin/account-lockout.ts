import { createHash } from 'node:crypto';
import { resolve } from 'node:path';
import type { Redis } from 'ioredis';
import type { RuntimeSettings } from '../../config/env.js';

/**
 * Redis key prefix for one deployment: every instance on the same database shares the
 * admin account, so they share its back-off; another deployment on the same Redis does not.
 */
export const lockoutKeyPrefix = (settings: Pick<RuntimeSettings, 'databaseUrl' | 'databaseSchema' | 'dataDir'>): string => {
  const identity = settings.databaseUrl ? `${settings.databaseUrl}#${settings.databaseSchema ?? ''}` : resolve(settings.dataDir);
  return `skgw:login-account:${createHash('sha256').update(identity).digest('hex').slice(0, 16)}:`;
};

/**
 * Per-account login back-off, on top of the per-address limit: an attacker spreading
 * guesses over many addresses (or forging them) still meets it, and a real admin behind a
 * shared address is slowed by failures on the account, not by a neighbour's.
 *
 * After `freeFailures` failures in a row, each further attempt locks the account for
 * base · 2^k (capped). The attempt is counted *before* the password is checked, so parallel
 * guesses cannot slip through while earlier ones are verified; a right password clears it.
 * With Redis the state is shared by every worker and instance (one Lua script, atomic);
 * without it, or while Redis is unreachable, it is per process.
 */
/** Failures in a row before the back-off starts (a person mistyping rarely gets near it). */
export const DEFAULT_FREE_FAILURES = 10;

export interface AccountLockoutOptions {
  freeFailures?: number;
  baseDelayMs?: number;
  maxDelayMs?: number;
  /** Failures are forgotten this long after the last one. */
  memoryMs?: number;
  redis?: Redis | null;
  keyPrefix?: string;
}

export type AccountAdmission = { allowed: true; succeeded: () => Promise<void> } | { allowed: false; retryAfterSeconds: number };

interface LocalState {
  failures: number;
  lockedUntil: number;
  lastAt: number;
}

const SCRIPT = `
local key = KEYS[1]
local now = tonumber(ARGV[1])
local free = tonumber(ARGV[2])
local base = tonumber(ARGV[3])
local max = tonumber(ARGV[4])
local memory = tonumber(ARGV[5])
local locked = tonumber(redis.call('HGET', key, 'until') or '0')
if locked > now then return {0, locked - now} end
local failures = redis.call('HINCRBY', key, 'failures', 1)
if failures > free then
  local delay = math.min(max, base * 2 ^ (failures - free - 1))
  redis.call('HSET', key, 'until', now + delay)
end
redis.call('PEXPIRE', key, memory)
return {1, failures}
`;

export class AccountLockout {
  private readonly local = new Map<string, LocalState>();
  private readonly freeFailures: number;
  private readonly baseDelayMs: number;
  private readonly maxDelayMs: number;
  private readonly memoryMs: number;
  private readonly redis: Redis | null;
  private readonly prefix: string;

  constructor(options: AccountLockoutOptions = {}) {
    this.freeFailures = options.freeFailures ?? DEFAULT_FREE_FAILURES;
    this.baseDelayMs = options.baseDelayMs ?? 1_000;
    this.maxDelayMs = options.maxDelayMs ?? 15 * 60_000;
    this.memoryMs = options.memoryMs ?? 24 * 60 * 60_000;
    this.redis = options.redis ?? null;
    this.prefix = options.keyPrefix ?? 'skgw:login-account:';
  }

  async admit(account: string, now = Date.now()): Promise<AccountAdmission> {
    if (this.redis) {
      try {
        const key = this.prefix + account;
        const [allowed, value] = (await this.redis.eval(
          SCRIPT,
          1,
          key,
          now,
          this.freeFailures,
          this.baseDelayMs,
          this.maxDelayMs,
          this.memoryMs,
        )) as [number, number];
        if (!allowed) return { allowed: false, retryAfterSeconds: Math.max(1, Math.ceil(value / 1000)) };
        return {
          allowed: true,
          succeeded: async () => {
            await this.redis!.del(key).catch(() => undefined);
            this.local.delete(account);
          },
        };
      } catch {
        // Redis unreachable: fall back to this process's own count rather than lock everyone out.
      }
    }
    return this.admitLocally(account, now);
  }

  private admitLocally(account: string, now: number): AccountAdmission {
    let state = this.local.get(account);
    if (!state || now - state.lastAt > this.memoryMs) state = { failures: 0, lockedUntil: 0, lastAt: now };
    if (state.lockedUntil > now) return { allowed: false, retryAfterSeconds: Math.max(1, Math.ceil((state.lockedUntil - now) / 1000)) };
    state.failures += 1;
    state.lastAt = now;
    if (state.failures > this.freeFailures) {
      state.lockedUntil = now + Math.min(this.maxDelayMs, this.baseDelayMs * 2 ** (state.failures - this.freeFailures - 1));
    }
    this.local.set(account, state);
    return {
      allowed: true,
      succeeded: async () => {
        this.local.delete(account);
      },
    };
  }
}
