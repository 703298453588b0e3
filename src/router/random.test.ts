import { describe, expect, it } from 'vitest';
import { mulberry32, uniformPick, weightedPick } from './random.js';

describe('mulberry32', () => {
  it('is deterministic per seed and stays in [0, 1)', () => {
    const a = mulberry32(42);
    const b = mulberry32(42);
    const c = mulberry32(43);
    const seqA = Array.from({ length: 1000 }, a);
    expect(Array.from({ length: 1000 }, b)).toEqual(seqA);
    expect(Array.from({ length: 5 }, c)).not.toEqual(seqA.slice(0, 5));
    expect(seqA.every((x) => x >= 0 && x < 1)).toBe(true);
  });

  it('is roughly uniform (mean and deciles)', () => {
    const random = mulberry32(7);
    const n = 100_000;
    const deciles = new Array(10).fill(0);
    let sum = 0;
    for (let i = 0; i < n; i++) {
      const x = random();
      sum += x;
      deciles[Math.floor(x * 10)] += 1;
    }
    expect(sum / n).toBeGreaterThan(0.49);
    expect(sum / n).toBeLessThan(0.51);
    for (const count of deciles) expect(Math.abs(count / n - 0.1)).toBeLessThan(0.01);
  });
});

describe('weightedPick', () => {
  it('follows the weights', () => {
    const random = mulberry32(1);
    const counts = { a: 0, b: 0, c: 0 };
    for (let i = 0; i < 20_000; i++) counts[weightedPick(['a', 'b', 'c'] as const, (x) => ({ a: 1, b: 2, c: 0 })[x], random)!] += 1;
    expect(counts.c).toBe(0);
    expect(Math.abs(counts.b / 20_000 - 2 / 3)).toBeLessThan(0.02);
  });

  it('is uniform when every weight is zero, null when empty, safe on edge randoms', () => {
    expect(weightedPick([], () => 1, Math.random)).toBeNull();
    expect(uniformPick([], Math.random)).toBeNull();
    expect(weightedPick(['a', 'b'], () => 0, () => 0.99)).toBe('b');
    expect(weightedPick(['a', 'b'], () => 1, () => 1)).toBe('b');
    expect(weightedPick(['a', 'b'], () => 1, () => Number.NaN)).toBe('a');
    expect(weightedPick(['a', 'b'], (x) => (x === 'a' ? Number.POSITIVE_INFINITY : 1), () => 0)).toBe('b');
  });
});
