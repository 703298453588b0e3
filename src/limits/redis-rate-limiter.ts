import type { Redis } from 'ioredis';
import { WINDOW_MS, type RateLimitReason, type RateLimitRequest, type RateLimitResult } from './rate-limiter.js';

const BUCKET_MS = 1_000;
const BUCKETS = WINDOW_MS / BUCKET_MS;

/**
 * The same sliding window as the in-memory limiter (60 one-second buckets), kept in a
 * Redis hash per key so every worker and instance shares it. Check and consume run in
 * one Lua script, so two gateways cannot both take the last slot.
 */
const script = `
local key = KEYS[1]
local epoch = tonumber(ARGV[1])
local rpm = tonumber(ARGV[2])
local tpm = tonumber(ARGV[3])
local estimated = tonumber(ARGV[4])
local consume = tonumber(ARGV[5])
local fields = redis.call('HGETALL', key)
local reqSum, tokSum = 0, 0
local out = {}
for i = 1, #fields, 2 do
  local f = fields[i]
  local kind = string.sub(f, 1, 1)
  local e = tonumber(string.sub(f, 2))
  if e <= epoch - ${BUCKETS} then
    redis.call('HDEL', key, f)
  else
    local v = tonumber(fields[i + 1])
    if kind == 'r' then reqSum = reqSum + v else tokSum = tokSum + v end
    table.insert(out, f)
    table.insert(out, fields[i + 1])
  end
end
if tokSum < 0 then tokSum = 0 end
local allowed = 1
if rpm > 0 and reqSum + 1 > rpm then allowed = 0 end
if tpm > 0 and (estimated > tpm or tokSum >= tpm or tokSum + estimated > tpm) then allowed = 0 end
if allowed == 1 and consume == 1 then
  redis.call('HINCRBY', key, 'r' .. epoch, 1)
  if estimated > 0 then redis.call('HINCRBYFLOAT', key, 't' .. epoch, estimated) end
  reqSum = reqSum + 1
  tokSum = tokSum + estimated
  table.insert(out, 'r' .. epoch)
  table.insert(out, '1')
  if estimated > 0 then
    table.insert(out, 't' .. epoch)
    table.insert(out, tostring(estimated))
  end
end
redis.call('PEXPIRE', key, ${WINDOW_MS + BUCKET_MS})
return {allowed, tostring(reqSum), tostring(tokSum), out}
`;

const limitOf = (value: number | null | undefined) => (value === null || value === undefined || !(value > 0) ? null : Math.floor(value));

/** How long until the oldest buckets free `needed` units (Infinity: until all are free). */
const timeUntilFreed = (buckets: Map<number, number>, now: number, needed: number): number => {
  const epochs = [...buckets.keys()].sort((a, b) => a - b);
  let freed = 0;
  let last = 0;
  for (const e of epochs) {
    freed += buckets.get(e)!;
    last = Math.max(0, (e + BUCKETS) * BUCKET_MS - now);
    if (freed >= needed) return last;
  }
  return last;
};

export class RedisRateLimiter {
  constructor(
    private readonly redis: Redis,
    private readonly prefix = 'skgw:rl:',
  ) {
    redis.defineCommand('skgwRateLimit', { numberOfKeys: 1, lua: script });
  }

  async checkAndConsume(keyId: string, request: RateLimitRequest): Promise<RateLimitResult> {
    const rpm = limitOf(request.rpm);
    const tpm = limitOf(request.tpm);
    const estimated = Math.max(0, Math.ceil(request.estimatedTokens ?? 0));
    const epoch = Math.floor(request.now / BUCKET_MS);
    const [allowedFlag, reqText, tokText, flat] = (await (this.redis as unknown as Record<string, (...args: unknown[]) => Promise<unknown>>).skgwRateLimit(
      this.prefix + keyId,
      epoch,
      rpm ?? 0,
      tpm ?? 0,
      estimated,
      1,
    )) as [number, string, string, string[]];
    const requests = new Map<number, number>();
    const tokens = new Map<number, number>();
    for (let i = 0; i < flat.length; i += 2) {
      const field = flat[i]!;
      const target = field[0] === 'r' ? requests : tokens;
      const e = Number(field.slice(1));
      target.set(e, (target.get(e) ?? 0) + Number(flat[i + 1]));
    }
    const reqSum = Number(reqText);
    const tokSum = Math.max(0, Number(tokText));
    const allowed = allowedFlag === 1;
    let reason: RateLimitReason | null = null;
    let retryAfterMs = 0;
    if (!allowed) {
      if (rpm !== null && reqSum + 1 > rpm) {
        reason = 'requests';
        retryAfterMs = timeUntilFreed(requests, request.now, reqSum + 1 - rpm);
      }
      if (tpm !== null && (estimated > tpm || tokSum >= tpm || tokSum + estimated > tpm)) {
        reason = estimated > tpm ? 'tokens-exceed-limit' : (reason ?? 'tokens');
        retryAfterMs = Math.max(retryAfterMs, timeUntilFreed(tokens, request.now, estimated > tpm ? Infinity : Math.max(tokSum + estimated - tpm, 1)));
      }
    }
    return {
      allowed,
      reason,
      retryAfterMs: allowed ? 0 : Math.max(1, retryAfterMs),
      limitRequests: rpm,
      remainingRequests: rpm === null ? null : Math.max(0, rpm - reqSum),
      resetRequestsMs: rpm === null ? null : timeUntilFreed(requests, request.now, Infinity),
      limitTokens: tpm,
      remainingTokens: tpm === null ? null : Math.max(0, Math.floor(tpm - tokSum)),
      resetTokensMs: tpm === null ? null : timeUntilFreed(tokens, request.now, Infinity),
    };
  }

  /** Correct the estimate with the real count (may be negative). */
  async recordTokens(keyId: string, actualTokens: number, now: number, estimatedTokens = 0): Promise<void> {
    const delta = actualTokens - estimatedTokens;
    if (!Number.isFinite(delta) || delta === 0) return;
    const key = this.prefix + keyId;
    await this.redis.multi().hincrbyfloat(key, `t${Math.floor(now / BUCKET_MS)}`, delta).pexpire(key, WINDOW_MS + BUCKET_MS).exec();
  }
}
