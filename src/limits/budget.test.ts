import { describe, expect, it } from 'vitest';
import { GatewayError } from '../server/errors.js';
import { budgetPeriodEnd, budgetPeriodStart, checkBudget } from './budget.js';

const at = (iso: string) => Date.parse(iso);
const iso = (d: Date | null) => d?.toISOString() ?? null;

describe('budgetPeriodStart', () => {
  it('UTC day and month', () => {
    expect(iso(budgetPeriodStart('day', at('2025-03-15T13:45:00Z')))).toBe('2025-03-15T00:00:00.000Z');
    expect(iso(budgetPeriodStart('month', at('2025-03-15T13:45:00Z')))).toBe('2025-03-01T00:00:00.000Z');
    expect(iso(budgetPeriodStart('day', new Date('2025-03-15T00:00:00Z')))).toBe('2025-03-15T00:00:00.000Z');
    expect(iso(budgetPeriodStart('total', at('2025-03-15T13:45:00Z')))).toBe('1970-01-01T00:00:00.000Z');
  });

  it('uses the local calendar of the time zone', () => {
    // 2025-03-31 20:00 UTC is already April 1st 04:00 in Shanghai.
    expect(iso(budgetPeriodStart('day', at('2025-03-31T20:00:00Z'), 'Asia/Shanghai'))).toBe('2025-03-31T16:00:00.000Z');
    expect(iso(budgetPeriodStart('month', at('2025-03-31T20:00:00Z'), 'Asia/Shanghai'))).toBe('2025-03-31T16:00:00.000Z');
    expect(iso(budgetPeriodStart('month', at('2025-03-31T15:59:59Z'), 'Asia/Shanghai'))).toBe('2025-02-28T16:00:00.000Z');
    expect(iso(budgetPeriodStart('day', at('2025-01-01T03:00:00Z'), 'America/New_York'))).toBe('2024-12-31T05:00:00.000Z');
    expect(iso(budgetPeriodStart('day', at('2025-06-01T12:00:00Z'), 'Asia/Kolkata'))).toBe('2025-05-31T18:30:00.000Z');
  });

  it('handles DST days and zones where midnight is skipped', () => {
    // New York springs forward on 2024-03-10: midnight is still EST (-5).
    expect(iso(budgetPeriodStart('day', at('2024-03-10T15:00:00Z'), 'America/New_York'))).toBe('2024-03-10T05:00:00.000Z');
    expect(iso(budgetPeriodStart('day', at('2024-03-11T15:00:00Z'), 'America/New_York'))).toBe('2024-03-11T04:00:00.000Z');
    // Santiago skips 00:00-01:00 on 2024-09-08: the day starts at 01:00 (-03).
    expect(iso(budgetPeriodStart('day', at('2024-09-08T12:00:00Z'), 'America/Santiago'))).toBe('2024-09-08T04:00:00.000Z');
  });

  it('the start is never after now and the period contains now', () => {
    for (const zone of ['UTC', 'Asia/Shanghai', 'America/Los_Angeles', 'Pacific/Kiritimati', 'Pacific/Pago_Pago', 'Australia/Lord_Howe']) {
      for (let t = at('2024-01-01T00:00:00Z'); t < at('2025-01-01T00:00:00Z'); t += 7 * 3_600_000 + 13 * 60_000) {
        for (const period of ['day', 'month'] as const) {
          const start = budgetPeriodStart(period, t, zone).getTime();
          const end = budgetPeriodEnd(period, t, zone)!.getTime();
          expect(start).toBeLessThanOrEqual(t);
          expect(end).toBeGreaterThan(t);
          if (period === 'day') expect(end - start).toBeLessThanOrEqual(25 * 3_600_000);
        }
      }
    }
  });

  it('rejects an unknown time zone with a GatewayError', () => {
    expect(() => budgetPeriodStart('day', 0, 'Mars/Olympus')).toThrow(GatewayError);
    try {
      budgetPeriodStart('day', 0, 'Mars/Olympus');
    } catch (error) {
      expect((error as GatewayError).code).toBe('invalid_time_zone');
      expect((error as GatewayError).status).toBe(400);
    }
  });
});

describe('budgetPeriodEnd', () => {
  it('next day, next month (across the year), none for total', () => {
    expect(iso(budgetPeriodEnd('day', at('2025-03-15T13:45:00Z')))).toBe('2025-03-16T00:00:00.000Z');
    expect(iso(budgetPeriodEnd('month', at('2025-12-15T13:45:00Z')))).toBe('2026-01-01T00:00:00.000Z');
    expect(iso(budgetPeriodEnd('month', at('2024-12-31T20:00:00Z'), 'Asia/Shanghai'))).toBe('2025-01-31T16:00:00.000Z');
    expect(budgetPeriodEnd('total', 0)).toBeNull();
  });
});

describe('checkBudget', () => {
  it('allows while spend is below the amount', () => {
    expect(checkBudget(3, { amount: 10, period: 'day' })).toEqual({ allowed: true, spend: 3, limit: 10, remaining: 7 });
    expect(checkBudget(9.999, { amount: 10, period: 'month' }).allowed).toBe(true);
  });

  it('refuses at and over the amount', () => {
    expect(checkBudget(10, { amount: 10, period: 'day' })).toEqual({ allowed: false, spend: 10, limit: 10, remaining: 0 });
    expect(checkBudget(12, { amount: 10, period: 'total' })).toEqual({ allowed: false, spend: 12, limit: 10, remaining: 0 });
    expect(checkBudget(0, { amount: 0, period: 'day' }).allowed).toBe(false);
  });

  it('no budget means unlimited; bad spend values count as zero', () => {
    expect(checkBudget(1e9, null)).toEqual({ allowed: true, spend: 1e9, limit: null, remaining: null });
    expect(checkBudget(Number.NaN, { amount: 1, period: 'day' })).toEqual({ allowed: true, spend: 0, limit: 1, remaining: 1 });
  });
});
