import type { FullUsageRow } from './schema.js';

/** Latest request time per key among new rows, in id order (the lock order touchLastUsed uses too). */
export const lastUseByKey = (rows: FullUsageRow[]): Array<[string, number]> => {
  const latest = new Map<string, number>();
  for (const row of rows) {
    if (!row.key_id) continue;
    const at = Number(row.time);
    if (at > (latest.get(row.key_id) ?? -1)) latest.set(row.key_id, at);
  }
  return [...latest.entries()].sort((a, b) => (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0));
};
