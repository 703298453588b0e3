import { describe, expect, it } from 'vitest';
import { randomHex } from './random-hex.js';

describe('randomHex', () => {
  it('gives hex of the asked length, never repeating across pool refills', () => {
    const seen = new Set<string>();
    // 24 bytes × 1,000 crosses the 4 kB pool several times.
    for (let index = 0; index < 1000; index += 1) {
      const value = randomHex(24);
      expect(value).toMatch(/^[0-9a-f]{48}$/);
      seen.add(value);
    }
    expect(seen.size).toBe(1000);
    expect(randomHex(1)).toMatch(/^[0-9a-f]{2}$/);
  });

  it('refuses more than the pool holds', () => {
    expect(() => randomHex(5000)).toThrow(RangeError);
  });
});
