import { describe, expect, it } from 'vitest';
import { countsTowardCircuit, createCircuitBreaker } from './circuit-breaker.js';
import type { FailureKind } from './types.js';

const breakerWith = (overrides = {}) =>
  createCircuitBreaker({ failureThreshold: 3, windowMs: 10_000, cooldownMs: 1_000, cooldownMultiplier: 2, maxCooldownMs: 5_000, ...overrides });

describe('countsTowardCircuit', () => {
  it('counts vendor-side failures only (never what one request can provoke, 429s included)', () => {
    const counted: FailureKind[] = ['connect', 'timeout-first-byte', 'timeout', 'server', 'malformed-response'];
    const ignored: FailureKind[] = ['bad-request', 'auth', 'context-window-exceeded', 'content-filter', 'rate-limit', 'any'];
    for (const kind of counted) expect(countsTowardCircuit(kind)).toBe(true);
    for (const kind of ignored) expect(countsTowardCircuit(kind)).toBe(false);
  });
});

describe('CircuitBreaker.release', () => {
  it('gives a claimed half-open probe back without a verdict', () => {
    const breaker = breakerWith();
    for (const at of [0, 1, 2]) breaker.onFailure('a', 'server', at);
    expect(breaker.acquire('a', 1_500)).toBe(true); // the probe
    expect(breaker.acquire('a', 1_500)).toBe(false); // held
    breaker.release('a', 1_600);
    expect(breaker.state('a', 1_600)).toBe('half-open'); // due again, still not closed
    expect(breaker.acquire('a', 1_600)).toBe(true);
    breaker.release('b', 0); // unknown ids are a no-op
    expect(breaker.state('b', 0)).toBe('closed');
  });
});

describe('CircuitBreaker', () => {
  it('opens after N failures within the window, for the cooldown', () => {
    const breaker = breakerWith();
    breaker.onFailure('a', 'server', 0);
    breaker.onFailure('a', 'connect', 100);
    expect(breaker.isAvailable('a', 200)).toBe(true);
    breaker.onFailure('a', 'timeout', 200);
    expect(breaker.state('a', 200)).toBe('open');
    expect(breaker.isAvailable('a', 200)).toBe(false);
    expect(breaker.isAvailable('a', 1_199)).toBe(false);
    expect(breaker.snapshot(500)).toEqual([{ id: 'a', state: 'open', failures: 3, openedAt: 200, reopensAt: 1_200 }]);
    expect(breaker.isAvailable('b', 200)).toBe(true);
  });

  it('does not open when the failures are spread beyond the window', () => {
    const breaker = breakerWith();
    breaker.onFailure('a', 'server', 0);
    breaker.onFailure('a', 'server', 6_000);
    breaker.onFailure('a', 'server', 10_000); // the first one has aged out
    expect(breaker.state('a', 10_000)).toBe('closed');
    breaker.onFailure('a', 'server', 12_000);
    expect(breaker.state('a', 12_000)).toBe('open');
  });

  it('ignores request-level failures', () => {
    const breaker = breakerWith();
    for (let i = 0; i < 10; i++) {
      breaker.onFailure('a', 'bad-request', i);
      breaker.onFailure('a', 'auth', i);
      breaker.onFailure('a', 'context-window-exceeded', i);
      breaker.onFailure('a', 'content-filter', i);
    }
    expect(breaker.isAvailable('a', 10)).toBe(true);
    expect(breaker.snapshot(10)[0]!.failures).toBe(0);
  });

  it('does not trip a busy deployment whose failures are a small share of its traffic', () => {
    const breaker = breakerWith();
    for (let i = 0; i < 100; i++) breaker.onSuccess('busy', i);
    for (let i = 0; i < 5; i++) breaker.onFailure('busy', 'server', 200 + i);
    expect(breaker.state('busy', 300)).toBe('closed');

    const countOnly = breakerWith({ minFailureRatio: 0 });
    for (let i = 0; i < 100; i++) countOnly.onSuccess('busy', i);
    for (let i = 0; i < 3; i++) countOnly.onFailure('busy', 'server', 200 + i);
    expect(countOnly.state('busy', 300)).toBe('open');
  });

  it('half-open lets exactly one probe through; success closes', () => {
    const breaker = breakerWith();
    for (let i = 0; i < 3; i++) breaker.onFailure('a', 'server', 0);
    expect(breaker.acquire('a', 999)).toBe(false);
    // Cooldown over: the probe is due.
    expect(breaker.isAvailable('a', 1_000)).toBe(true);
    expect(breaker.isProbeDue('a', 1_000)).toBe(true);
    expect(breaker.state('a', 1_000)).toBe('half-open');
    expect(breaker.acquire('a', 1_000)).toBe(true);
    // Concurrent requests while the probe is out are refused.
    let admitted = 0;
    for (let i = 0; i < 50; i++) if (breaker.isAvailable('a', 1_001 + i) && breaker.acquire('a', 1_001 + i)) admitted += 1;
    expect(admitted).toBe(0);
    expect(breaker.snapshot(1_010)[0]!.state).toBe('half-open');
    breaker.onSuccess('a', 1_100);
    expect(breaker.state('a', 1_100)).toBe('closed');
    expect(breaker.snapshot(1_100)).toEqual([{ id: 'a', state: 'closed', failures: 0, openedAt: null, reopensAt: null }]);
    expect(breaker.acquire('a', 1_100)).toBe(true);
    expect(breaker.acquire('a', 1_100)).toBe(true);
  });

  it('a failed probe re-opens with a growing, capped cooldown; recovery resets it', () => {
    const breaker = breakerWith();
    for (let i = 0; i < 3; i++) breaker.onFailure('a', 'server', 0);
    const cooldowns: number[] = [];
    let t = 0;
    for (let round = 0; round < 5; round++) {
      const { openedAt, reopensAt } = breaker.snapshot(t)[0]!;
      cooldowns.push(reopensAt! - openedAt!);
      t = reopensAt!;
      expect(breaker.acquire('a', t)).toBe(true);
      breaker.onFailure('a', 'timeout-first-byte', t);
      expect(breaker.state('a', t)).toBe('open');
    }
    expect(cooldowns).toEqual([1_000, 2_000, 4_000, 5_000, 5_000]);
    t = breaker.snapshot(t)[0]!.reopensAt!;
    expect(breaker.acquire('a', t)).toBe(true);
    breaker.onSuccess('a', t);
    for (let i = 0; i < 3; i++) breaker.onFailure('a', 'server', t + 1);
    const again = breaker.snapshot(t + 1)[0]!;
    expect(again.reopensAt! - again.openedAt!).toBe(1_000);
  });

  it('a probe answered with a request-level error proves reachability and closes', () => {
    const breaker = breakerWith();
    for (let i = 0; i < 3; i++) breaker.onFailure('a', 'server', 0);
    breaker.acquire('a', 1_000);
    breaker.onFailure('a', 'bad-request', 1_050);
    expect(breaker.state('a', 1_050)).toBe('closed');
  });

  it('a lost probe frees the slot after probeTimeoutMs', () => {
    const breaker = breakerWith({ probeTimeoutMs: 5_000 });
    for (let i = 0; i < 3; i++) breaker.onFailure('a', 'server', 0);
    expect(breaker.acquire('a', 1_000)).toBe(true);
    expect(breaker.isAvailable('a', 5_999)).toBe(false);
    expect(breaker.isAvailable('a', 6_000)).toBe(true);
    expect(breaker.acquire('a', 6_000)).toBe(true);
    expect(breaker.acquire('a', 6_001)).toBe(false);
  });

  it('ignores late results while open', () => {
    const breaker = breakerWith();
    for (let i = 0; i < 3; i++) breaker.onFailure('a', 'server', 0);
    breaker.onSuccess('a', 10);
    breaker.onFailure('a', 'server', 20);
    expect(breaker.snapshot(30)[0]).toMatchObject({ state: 'open', openedAt: 0, reopensAt: 1_000 });
  });

  it('reset and retain forget state', () => {
    const breaker = breakerWith();
    for (let i = 0; i < 3; i++) {
      breaker.onFailure('a', 'server', 0);
      breaker.onFailure('b', 'server', 0);
    }
    breaker.reset('a');
    expect(breaker.isAvailable('a', 1)).toBe(true);
    expect(breaker.isAvailable('b', 1)).toBe(false);
    breaker.retain(['c']);
    expect(breaker.snapshot(1)).toEqual([]);
    breaker.onFailure('c', 'server', 0);
    breaker.reset();
    expect(breaker.snapshot(1)).toEqual([]);
  });

  it('validates its options', () => {
    expect(() => createCircuitBreaker({ failureThreshold: 0 })).toThrow(RangeError);
    expect(() => createCircuitBreaker({ windowMs: -1 })).toThrow(RangeError);
    expect(() => createCircuitBreaker({ cooldownMs: Number.NaN })).toThrow(RangeError);
  });
});
