import { describe, expect, it } from 'vitest';
import { AccountLockout } from './account-lockout.js';

describe('account lockout (in process)', () => {
  it('allows the free failures, then backs off exponentially; success clears it', async () => {
    const lockout = new AccountLockout({ freeFailures: 2, baseDelayMs: 1_000, maxDelayMs: 4_000 });
    let t = 0;
    expect((await lockout.admit('admin', t)).allowed).toBe(true);
    expect((await lockout.admit('admin', t)).allowed).toBe(true);
    expect((await lockout.admit('admin', t)).allowed).toBe(true); // third: evaluated, locks 1 s
    expect(await lockout.admit('admin', t + 500)).toEqual({ allowed: false, retryAfterSeconds: 1 });
    t += 1_000;
    expect((await lockout.admit('admin', t)).allowed).toBe(true); // locks 2 s
    expect(await lockout.admit('admin', t + 1)).toEqual({ allowed: false, retryAfterSeconds: 2 });
    t += 2_000;
    expect((await lockout.admit('admin', t)).allowed).toBe(true); // 4 s
    t += 4_000;
    const capped = await lockout.admit('admin', t); // capped at 4 s
    expect(await lockout.admit('admin', t + 1)).toEqual({ allowed: false, retryAfterSeconds: 4 });
    expect(capped.allowed).toBe(true);
    t += 4_000;
    const right = await lockout.admit('admin', t);
    if (right.allowed) await right.succeeded();
    expect((await lockout.admit('admin', t)).allowed).toBe(true);
    expect((await lockout.admit('other', t)).allowed).toBe(true);
  });
});
