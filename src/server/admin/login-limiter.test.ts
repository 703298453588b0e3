import { describe, expect, it } from 'vitest';
import { LoginLimiter } from './login-limiter.js';

describe('login limiter', () => {
  it('allows 5 attempts per minute per client, then says when to retry', () => {
    const limiter = new LoginLimiter();
    const t0 = 1_000_000;
    for (let i = 0; i < 5; i++) expect(limiter.admit('a', t0 + i * 1000).allowed).toBe(true);
    const refused = limiter.admit('a', t0 + 10_000);
    expect(refused).toEqual({ allowed: false, retryAfterSeconds: 50 });
    expect(limiter.admit('b', t0 + 10_000).allowed).toBe(true);
    // The window slides: the first attempt expires after 60 s.
    expect(limiter.admit('a', t0 + 60_001).allowed).toBe(true);
    expect(limiter.admit('a', t0 + 60_002).allowed).toBe(false);
  });

  it('gives the slot back for a successful login', () => {
    const limiter = new LoginLimiter({ maxAttempts: 2 });
    const first = limiter.admit('a', 1);
    const second = limiter.admit('a', 2);
    expect(limiter.admit('a', 3).allowed).toBe(false);
    if (second.allowed) second.release();
    if (second.allowed) second.release();
    expect(limiter.admit('a', 4).allowed).toBe(true);
    expect(first.allowed).toBe(true);
    expect(limiter.admit('a', 5).allowed).toBe(false);
  });

  it('tracks a bounded number of clients', () => {
    const limiter = new LoginLimiter({ maxAttempts: 1, maxClients: 3 });
    for (const client of ['a', 'b', 'c', 'd']) limiter.admit(client, 1);
    // "a" was evicted (least recently seen), so it may try again; "d" may not.
    expect(limiter.admit('a', 2).allowed).toBe(true);
    expect(limiter.admit('d', 2).allowed).toBe(false);
  });
});
