import type { Range } from '../../api/endpoints';
import type { Bucket } from '../../api/types';

export type RangeId = '1h' | '24h' | '7d' | '30d';
export const RANGE_IDS: RangeId[] = ['1h', '24h', '7d', '30d'];

const SPANS: Record<RangeId, { ms: number; bucket: Bucket }> = {
  '1h': { ms: 3_600_000, bucket: 'minute' },
  '24h': { ms: 86_400_000, bucket: 'hour' },
  '7d': { ms: 7 * 86_400_000, bucket: 'hour' },
  '30d': { ms: 30 * 86_400_000, bucket: 'day' },
};

/** A fixed window ending at `now`, so the query key stays stable until the user refreshes. */
export function rangeFor(id: RangeId, now: number): { range: Range; bucket: Bucket } {
  const span = SPANS[id];
  return {
    range: { from: new Date(now - span.ms).toISOString(), to: new Date(now).toISOString() },
    bucket: span.bucket,
  };
}
