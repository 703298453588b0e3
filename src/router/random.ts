/** A source of uniform numbers in [0, 1); injected everywhere so tests are deterministic. */
export type RandomSource = () => number;

/**
 * mulberry32: a tiny seeded PRNG with good enough statistics for load-balancing
 * tests (not for anything security-related).
 */
export const mulberry32 = (seed: number): RandomSource => {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
};

/**
 * Pick one item with probability proportional to its weight. Non-positive weights are
 * never picked unless every weight is non-positive, in which case the pick is uniform.
 */
export const weightedPick = <T>(items: readonly T[], weightOf: (item: T) => number, random: RandomSource): T | null => {
  if (items.length === 0) return null;
  const weights = items.map((item) => {
    const w = weightOf(item);
    return Number.isFinite(w) && w > 0 ? w : 0;
  });
  const total = weights.reduce((sum, w) => sum + w, 0);
  if (total <= 0) return uniformPick(items, random);
  let target = clampUnit(random()) * total;
  for (let i = 0; i < items.length; i++) {
    if (weights[i]! <= 0) continue;
    target -= weights[i]!;
    if (target < 0) return items[i]!;
  }
  // Floating-point leftovers: the last positive-weight item.
  for (let i = items.length - 1; i >= 0; i--) if (weights[i]! > 0) return items[i]!;
  return items[items.length - 1]!;
};

export const uniformPick = <T>(items: readonly T[], random: RandomSource): T | null => {
  if (items.length === 0) return null;
  const index = Math.min(items.length - 1, Math.floor(clampUnit(random()) * items.length));
  return items[index]!;
};

const clampUnit = (value: number) => (Number.isFinite(value) ? Math.min(Math.max(value, 0), 1 - Number.EPSILON) : 0);
