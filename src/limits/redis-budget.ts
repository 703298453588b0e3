import type { Redis } from 'ioredis';

/**
 * Budget reservations shared by every instance through Redis: one hash per key and
 * budget period holds the spend settled through Redis and one field per request in
 * flight (`r<id>` = `estimate:deadline`). Check and reserve run in one Lua script, so
 * two instances cannot both take the last of a budget. A reservation whose instance
 * died expires at its deadline.
 */
const reserveScript = `
local key = KEYS[1]
local now = tonumber(ARGV[1])
local amount = tonumber(ARGV[2])
local localSpend = tonumber(ARGV[3])
local estimate = tonumber(ARGV[4])
local field = ARGV[5]
local deadline = ARGV[6]
local ttl = tonumber(ARGV[7])
local fields = redis.call('HGETALL', key)
local spent = 0
local reserved = 0
for i = 1, #fields, 2 do
  local f = fields[i]
  local v = fields[i + 1]
  if f == 'spent' then
    spent = tonumber(v)
  else
    local sep = string.find(v, ':', 1, true)
    if sep == nil or tonumber(string.sub(v, sep + 1)) < now then
      redis.call('HDEL', key, f)
    else
      reserved = reserved + tonumber(string.sub(v, 1, sep - 1))
    end
  end
end
local spend = spent
if localSpend > spend then spend = localSpend end
local allowed = 0
if spend + reserved < amount and (reserved <= 0 or spend + reserved + estimate <= amount) then
  allowed = 1
  redis.call('HSET', key, field, tostring(estimate) .. ':' .. deadline)
end
redis.call('PEXPIRE', key, ttl)
return {allowed, tostring(spend), tostring(reserved)}
`;

export interface SharedReservation {
  /** Redis hash of the key's budget period. */
  hash: string;
  field: string;
}

export interface SharedBudgetRequest {
  keyId: string;
  /** Start of the budget period (epoch ms); part of the hash name, so a new period starts at zero. */
  periodStart: number;
  /** How long the hash outlives its last use (ms). */
  ttlMs: number;
  amount: number;
  /** This instance's view of the spend (usage table plus what it settled since). */
  localSpend: number;
  estimate: number;
  now: number;
  /** A reservation not settled by then is dropped (its instance is gone). */
  deadline: number;
}

let sequence = 0;

export class RedisBudgetStore {
  private readonly instance = `${process.pid.toString(36)}${Math.random().toString(36).slice(2, 8)}`;

  constructor(
    private readonly redis: Redis,
    private readonly prefix = 'skgw:budget:',
  ) {
    redis.defineCommand('skgwBudgetReserve', { numberOfKeys: 1, lua: reserveScript });
  }

  /** Reserves when it fits; null when the budget (with what is in flight) would be passed. */
  async tryReserve(request: SharedBudgetRequest): Promise<SharedReservation | null> {
    const hash = `${this.prefix}${request.keyId}:${request.periodStart}`;
    const field = `r${this.instance}.${(sequence = (sequence + 1) % Number.MAX_SAFE_INTEGER)}`;
    const [allowed] = (await (this.redis as unknown as Record<string, (...args: unknown[]) => Promise<unknown>>).skgwBudgetReserve(
      hash,
      request.now,
      request.amount,
      request.localSpend,
      request.estimate,
      field,
      request.deadline,
      Math.max(60_000, Math.ceil(request.ttlMs)),
    )) as [number, string, string];
    return allowed === 1 ? { hash, field } : null;
  }

  /** Drops the reservation and adds the real cost to the shared spend. */
  async settle(reservation: SharedReservation, cost: number, ttlMs: number): Promise<void> {
    const multi = this.redis.multi().hdel(reservation.hash, reservation.field);
    if (cost > 0 && Number.isFinite(cost)) multi.hincrbyfloat(reservation.hash, 'spent', cost);
    await multi.pexpire(reservation.hash, Math.max(60_000, Math.ceil(ttlMs))).exec();
  }
}
