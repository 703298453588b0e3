import { GatewayError } from '../server/errors.js';

export type BudgetPeriod = 'day' | 'month' | 'total';

export interface Budget {
  amount: number;
  period: BudgetPeriod;
}

export interface BudgetCheck {
  allowed: boolean;
  spend: number;
  limit: number | null;
  /** null when there is no budget; never negative. */
  remaining: number | null;
}

const formatters = new Map<string, Intl.DateTimeFormat>();

const formatterFor = (timeZone: string): Intl.DateTimeFormat => {
  let formatter = formatters.get(timeZone);
  if (!formatter) {
    try {
      formatter = new Intl.DateTimeFormat('en-US', {
        timeZone,
        hourCycle: 'h23',
        year: 'numeric',
        month: 'numeric',
        day: 'numeric',
      });
    } catch {
      throw new GatewayError(`Unknown time zone \`${timeZone}\`; use an IANA name such as Asia/Shanghai.`, {
        status: 400,
        code: 'invalid_time_zone',
        param: 'timeZone',
      });
    }
    formatters.set(timeZone, formatter);
  }
  return formatter;
};

interface LocalDate {
  year: number;
  month: number;
  day: number;
}

const localDate = (instant: number, timeZone: string): LocalDate => {
  const parts = formatterFor(timeZone).formatToParts(new Date(instant));
  const get = (type: string) => Number(parts.find((p) => p.type === type)?.value);
  return { year: get('year'), month: get('month'), day: get('day') };
};

const ordinal = (d: LocalDate) => d.year * 10_000 + d.month * 100 + d.day;

const HOUR = 3_600_000;

/**
 * The first instant whose local date (in `timeZone`) is `target` or later. Local dates only
 * move forward with time, so a binary search is exact even across DST changes, including
 * zones where midnight itself is skipped (the day then starts at 01:00).
 */
const startCache = new Map<string, number>();

const startOfLocalDate = (target: LocalDate, timeZone: string): number => {
  const cacheKey = `${timeZone}|${ordinal(target)}`;
  const cached = startCache.get(cacheKey);
  if (cached !== undefined) return cached;
  const start = searchStartOfLocalDate(target, timeZone);
  // Budgets are checked on every request; the answer only changes once a day per zone.
  if (startCache.size >= 1_000) startCache.clear();
  startCache.set(cacheKey, start);
  return start;
};

const searchStartOfLocalDate = (target: LocalDate, timeZone: string): number => {
  const guess = Date.UTC(target.year, target.month - 1, target.day);
  // Offsets are within ±14 h (plus historical oddities); ±36 h brackets every zone.
  let low = guess - 36 * HOUR;
  let high = guess + 36 * HOUR;
  const goal = ordinal(target);
  // Minute precision is enough for every real offset; then settle the exact millisecond.
  while (high - low > 60_000) {
    const mid = Math.floor((low + high) / 2 / 60_000) * 60_000;
    if (ordinal(localDate(mid, timeZone)) >= goal) high = mid;
    else low = mid;
  }
  while (high - low > 1) {
    const mid = Math.floor((low + high) / 2);
    if (ordinal(localDate(mid, timeZone)) >= goal) high = mid;
    else low = mid;
  }
  return high;
};

const toMs = (now: number | Date) => (typeof now === 'number' ? now : now.getTime());

/**
 * Start of the budget period containing `now`: local midnight of the day, or of the first
 * of the month, in `timeZone`; the epoch for 'total'.
 */
export const budgetPeriodStart = (period: BudgetPeriod, now: number | Date, timeZone = 'UTC'): Date => {
  if (period === 'total') return new Date(0);
  const today = localDate(toMs(now), timeZone);
  const target = period === 'day' ? today : { ...today, day: 1 };
  return new Date(startOfLocalDate(target, timeZone));
};

/** When the current period ends and spend starts again from zero; null for 'total'. */
export const budgetPeriodEnd = (period: BudgetPeriod, now: number | Date, timeZone = 'UTC'): Date | null => {
  if (period === 'total') return null;
  const today = localDate(toMs(now), timeZone);
  // Date.UTC normalises day 32 / month 13, which gives the next calendar day or month.
  const next =
    period === 'day'
      ? new Date(Date.UTC(today.year, today.month - 1, today.day + 1))
      : new Date(Date.UTC(today.year, today.month, 1));
  return new Date(
    startOfLocalDate({ year: next.getUTCFullYear(), month: next.getUTCMonth() + 1, day: next.getUTCDate() }, timeZone),
  );
};

/**
 * Spend is checked before the request (its cost is unknown until the answer), so a key
 * may end slightly over its budget; once spend reaches the amount, every request is refused.
 */
export const checkBudget = (spend: number, budget: Budget | null | undefined): BudgetCheck => {
  const safeSpend = Number.isFinite(spend) && spend > 0 ? spend : 0;
  if (!budget) return { allowed: true, spend: safeSpend, limit: null, remaining: null };
  const remaining = Math.max(0, budget.amount - safeSpend);
  return { allowed: safeSpend < budget.amount, spend: safeSpend, limit: budget.amount, remaining };
};

/**
 * Admission against a budget with requests in flight: their estimated cost is reserved
 * until they settle. A request is admitted while spend plus reservations is under the
 * amount and its own estimate fits in what is left; with nothing in flight one request
 * is always admitted while any budget remains (so a request whose worst case is larger
 * than the whole budget still runs once, and the key ends at most one request over).
 */
export const fitsBudget = (spend: number, reserved: number, estimate: number, amount: number): boolean =>
  spend + reserved < amount && (reserved <= 0 || spend + reserved + estimate <= amount);

/** Output tokens reserved when the request sets no max_tokens and the model no max_output_tokens. */
export const DEFAULT_RESERVED_OUTPUT_TOKENS = 1024;

/** Reservations per key, in memory: O(1) per request, no await. */
export class LocalBudgetReservations {
  private readonly reserved = new Map<string, number>();

  /** Reserves `estimate` for `keyId` when it fits; false when it does not. */
  tryReserve(keyId: string, spend: number, estimate: number, amount: number): boolean {
    const reserved = this.reserved.get(keyId) ?? 0;
    if (!fitsBudget(spend, reserved, estimate, amount)) return false;
    this.reserved.set(keyId, reserved + estimate);
    return true;
  }

  release(keyId: string, estimate: number): void {
    const left = (this.reserved.get(keyId) ?? 0) - estimate;
    // Float sums drift: anything this close to zero is zero.
    if (left <= 1e-9) this.reserved.delete(keyId);
    else this.reserved.set(keyId, left);
  }

  reservedFor(keyId: string): number {
    return this.reserved.get(keyId) ?? 0;
  }
}
