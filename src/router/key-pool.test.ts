import { describe, expect, it } from 'vitest';
import { classifyKeyFailure } from '../providers/key-failure-rules.js';
import { KeyPool, KeyPoolRegistry, type PoolKeyConfig } from './key-pool.js';

const key = (id: string, weight = 1, extra: Partial<PoolKeyConfig> = {}): PoolKeyConfig => ({
  id,
  label: id,
  secret: `secret-${id}`,
  weight,
  enabled: true,
  rpmLimit: null,
  tpmLimit: null,
  source: 'admin',
  ...extra,
});

describe('KeyPool', () => {
  it('spreads by weight with smooth round-robin (no bursts to one key)', () => {
    const pool = new KeyPool('p');
    pool.configure([key('a', 3), key('b', 1)]);
    const seq = Array.from({ length: 8 }, () => pool.pick(0)!.id).join('');
    expect(seq).toBe('aabaaaba');
    const equal = new KeyPool('q');
    equal.configure([key('a'), key('b'), key('c')]);
    expect(Array.from({ length: 6 }, () => equal.pick(0)!.id).join('')).toBe('abcabc');
  });

  it('takes a failed key out, re-checks it after its backoff and brings it back on success', () => {
    const pool = new KeyPool('p', { recheckMs: [1_000, 5_000] });
    pool.configure([key('a'), key('b')]);
    const a = pool.pick(0)!;
    expect(a.id).toBe('a');
    pool.reportFailure(a, 'auth', 'bad key', 0);
    expect(Array.from({ length: 4 }, () => pool.pick(10)!.id)).toEqual(['b', 'b', 'b', 'b']);
    expect(pool.view(10)[0]).toMatchObject({ state: 'disabled', reason: 'auth', lastError: 'bad key' });
    // After the backoff the next request re-checks it; a second failure doubles the wait.
    expect(pool.pick(1_000)!.id).toBe('a');
    pool.reportFailure(a, 'auth', 'still bad', 1_000);
    expect(pool.pick(2_000)!.id).toBe('b');
    expect(pool.pick(6_000)!.id).toBe('a');
    pool.reportSuccess(a);
    expect(pool.view(6_000)[0]).toMatchObject({ state: 'active', reason: null });
  });

  it('skips keys over their own RPM and returns null when none can serve', () => {
    const pool = new KeyPool('p');
    pool.configure([key('a', 1, { rpmLimit: 1 }), key('b', 1, { rpmLimit: 1 })]);
    expect(pool.pick(0)).not.toBeNull();
    expect(pool.pick(0)).not.toBeNull();
    expect(pool.pick(0)).toBeNull();
  });

  it('keeps health across reloads unless the secret changed; a single plain key needs no pool', () => {
    const registry = new KeyPoolRegistry();
    const pool = registry.sync('P', [key('a'), key('b')])!;
    pool.reportFailure(pool.pick(0)!, 'quota', '余额不足', 0);
    registry.sync('P', [key('a'), key('b')]);
    expect(pool.view(0)[0]!.state).toBe('disabled');
    registry.sync('P', [key('a', 1, { secret: 'new' }), key('b')]);
    expect(pool.view(0)[0]!.state).toBe('active');
    expect(registry.sync('P', [key('a')])).toBeNull();
  });
});

describe('classifyKeyFailure', () => {
  it.each([
    ['openai', 401, '{"error":{"code":"invalid_api_key"}}', 'auth'],
    ['openai', 429, '{"error":{"type":"insufficient_quota","code":"insufficient_quota"}}', 'quota'],
    ['openai', 429, '{"error":{"code":"rate_limit_exceeded"}}', 'rate-limit'],
    ['deepseek', 402, '{"error":{"message":"Insufficient Balance"}}', 'quota'],
    ['alibaba', 400, '{"error":{"message":"账户余额不足","code":"Arrearage"}}', 'quota'],
    ['openai', 400, '{"error":{"message":"账户余额不足","code":"Arrearage"}}', 'quota'],
    ['zhipu', 429, '{"error":{"code":"1113","message":"您的账户已欠费"}}', 'quota'],
    ['openai', 400, '{"error":{"message":"max_tokens is too large"}}', null],
    ['openai', 500, 'upstream exploded', null],
  ])('%s %i %s → %s', (vendor, status, body, reason) => {
    expect(classifyKeyFailure(vendor, status, body)).toBe(reason);
  });
});
