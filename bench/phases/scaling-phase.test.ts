import { describe, expect, it } from 'vitest';
import type { ScalingEntry } from '../report/results-types.js';
import { busyPctBetween } from '../system/idle.js';
import { scalingLabel, scalingRatios } from './scaling-phase.js';

const entry = (target: ScalingEntry['target'], workers: number | null, nonStream: number | null, stream: number | null, status: ScalingEntry['status'] = 'ok'): ScalingEntry => {
  const measured = (requestsPerSec: number | null) =>
    requestsPerSec === null ? null : { requestsPerSec, latencyP50Ms: 1, latencyP99Ms: 2, errors: 0, cpuMsPerRequest: 0.1, rounds: [] };
  return { target, workers, status, processes: workers === null ? null : workers + 1, nonStream: measured(nonStream), stream: measured(stream) };
};

describe('scaling ratios', () => {
  it('divides the 2-worker req/s by the 1-worker req/s per proxy and mode', () => {
    const ratios = scalingRatios([
      entry('direct', null, 30000, 28000),
      entry('nginx', 1, 10000, 8000),
      entry('nginx', 2, 19000, 12000),
      entry('gateway', 1, 4000, 3000),
      entry('gateway', 2, 7300, 5100),
    ]);
    expect(ratios).toEqual({ nginx: { nonStream: 1.9, stream: 1.5 }, gateway: { nonStream: 1.825, stream: 1.7 } });
  });

  it('gives null where a side is missing or skipped, and leaves out a proxy that was not started', () => {
    const ratios = scalingRatios([
      entry('gateway', 1, 4000, 0),
      entry('gateway', 2, null, null, 'skipped'),
    ]);
    expect(ratios).toEqual({ gateway: { nonStream: null, stream: null } });
    // A zero baseline (every request failed) has no meaningful ratio.
    expect(scalingRatios([entry('gateway', 1, 4000, 0), entry('gateway', 2, 8000, 100)]).gateway).toEqual({ nonStream: 2, stream: null });
  });

  it('reads the machine busy share between two /proc/stat readings', () => {
    expect(busyPctBetween({ idle: 100, total: 1000 }, { idle: 150, total: 1200 })).toBe(75);
    expect(busyPctBetween({ idle: 100, total: 1000 }, { idle: 100, total: 1000 })).toBeNull();
  });

  it('labels runs by worker count', () => {
    expect(scalingLabel('gateway', 1)).toBe('gateway ×1 worker');
    expect(scalingLabel('nginx', 2)).toBe('nginx ×2 workers');
    expect(scalingLabel('direct', null)).toBe('direct (simulator alone)');
  });
});
