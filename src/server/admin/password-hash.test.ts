import { describe, expect, it } from 'vitest';
import { hashPassword, parsePasswordHash, verifyPassword } from './password-hash.js';

describe('scrypt password hashes', () => {
  it('stores scrypt$N$r$p$salt$hash and verifies only the right password', async () => {
    const hash = await hashPassword('s3cret-password');
    expect(hash).toMatch(/^scrypt\$32768\$8\$1\$[A-Za-z0-9_-]{22}\$[A-Za-z0-9_-]{43}$/);
    expect(hash).not.toContain('s3cret');
    expect(await verifyPassword('s3cret-password', hash)).toBe(true);
    expect(await verifyPassword('s3cret-passworD', hash)).toBe(false);
    expect(await verifyPassword('', hash)).toBe(false);
  });

  it('salts every hash', async () => {
    const [a, b] = await Promise.all([hashPassword('same'), hashPassword('same')]);
    expect(a).not.toBe(b);
    expect(await verifyPassword('same', b)).toBe(true);
  });

  it('honours the parameters stored with the hash', async () => {
    const cheap = await hashPassword('pw', { N: 1024, r: 4, p: 2 });
    expect(cheap.startsWith('scrypt$1024$4$2$')).toBe(true);
    expect(await verifyPassword('pw', cheap)).toBe(true);
  });

  it('refuses malformed or unbounded hashes instead of throwing', async () => {
    for (const bad of ['', 'plain', 'bcrypt$1$2$3$4$5', 'scrypt$1000$8$1$c2FsdHNhbHQ$aGFzaGhhc2hoYXNoaGFzaA', `scrypt$${2 ** 30}$8$1$c2FsdHNhbHQ$aGFzaGhhc2hoYXNoaGFzaA`]) {
      expect(parsePasswordHash(bad)).toBeNull();
      expect(await verifyPassword('x', bad)).toBe(false);
    }
    expect(await verifyPassword('x'.repeat(2000), await hashPassword('x'.repeat(2000)))).toBe(false);
  });
});
