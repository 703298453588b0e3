import { describe, expect, it } from 'vitest';
import { DeploymentStats, createDeploymentStats } from './deployment-stats.js';

describe('DeploymentStats', () => {
  it('counts in-flight requests and never goes negative', () => {
    const stats = createDeploymentStats();
    stats.inc('a');
    stats.inc('a');
    expect(stats.inFlight('a')).toBe(2);
    stats.dec('a');
    stats.dec('a');
    stats.dec('a');
    stats.dec('never-seen');
    expect(stats.inFlight('a')).toBe(0);
    expect(stats.inFlight('never-seen')).toBe(0);
  });

  it('begin() releases exactly once', () => {
    const stats = createDeploymentStats();
    const release = stats.begin('a');
    stats.inc('a');
    expect(stats.inFlight('a')).toBe(2);
    release();
    release();
    expect(stats.inFlight('a')).toBe(1);
  });

  it('keeps an EWMA of TTFT with the configured alpha', () => {
    const stats = createDeploymentStats({ alpha: 0.5 });
    expect(stats.ttft('a')).toBeNull();
    stats.recordTtft('a', 100);
    expect(stats.ttft('a')).toBe(100);
    stats.recordTtft('a', 200);
    expect(stats.ttft('a')).toBe(150);
    stats.recordTtft('a', 50);
    expect(stats.ttft('a')).toBe(100);
    stats.recordTtft('a', Number.NaN);
    stats.recordTtft('a', -5);
    expect(stats.ttft('a')).toBe(100);
    expect(stats.snapshot()[0]).toMatchObject({ id: 'a', ttftEwmaMs: 100, ttftSamples: 3 });
  });

  it('alpha 0.3 converges towards a new level', () => {
    const stats = new DeploymentStats({ alpha: 0.3 });
    stats.recordTtft('a', 1000);
    for (let i = 0; i < 20; i++) stats.recordTtft('a', 100);
    expect(stats.ttft('a')!).toBeGreaterThan(100);
    expect(stats.ttft('a')!).toBeLessThan(101);
  });

  it('treats an unknown deployment as the mean of the known ones', () => {
    const stats = createDeploymentStats();
    expect(stats.estimatedTtft('new')).toBeNull();
    stats.recordTtft('fast', 100);
    stats.recordTtft('slow', 300);
    stats.inc('idle-but-known'); // known for in-flight only: no TTFT, not in the mean
    expect(stats.meanTtft()).toBe(200);
    expect(stats.estimatedTtft('new')).toBe(200);
    expect(stats.estimatedTtft('fast')).toBe(100);
  });

  it('keeps a bounded ring of recent outcomes, oldest first', () => {
    const stats = createDeploymentStats({ outcomeCapacity: 3 });
    stats.recordOutcome('a', true, 1);
    stats.recordOutcome('a', false, 2, 'server');
    expect(stats.recentOutcomes('a')).toEqual([
      { ok: true, at: 1 },
      { ok: false, at: 2, failure: 'server' },
    ]);
    stats.recordOutcome('a', true, 3);
    stats.recordOutcome('a', false, 4, 'timeout');
    stats.recordOutcome('a', false, 5, 'connect');
    expect(stats.recentOutcomes('a').map((o) => o.at)).toEqual([3, 4, 5]);
    expect(stats.outcomeSummary('a')).toEqual({ total: 3, successes: 1, failures: 2, errorRate: 2 / 3, lastAt: 5 });
    expect(stats.outcomeSummary('none')).toEqual({ total: 0, successes: 0, failures: 0, errorRate: 0, lastAt: null });
    expect(stats.recentOutcomes('none')).toEqual([]);
  });

  it('retain() forgets removed idle deployments only', () => {
    const stats = createDeploymentStats();
    stats.recordTtft('gone', 10);
    stats.inc('busy-gone');
    stats.recordTtft('kept', 10);
    stats.retain(['kept']);
    expect(stats.snapshot().map((s) => s.id)).toEqual(['busy-gone', 'kept']);
  });

  it('validates its options', () => {
    expect(() => createDeploymentStats({ alpha: 0 })).toThrow(RangeError);
    expect(() => createDeploymentStats({ alpha: 1.5 })).toThrow(RangeError);
    expect(() => createDeploymentStats({ outcomeCapacity: 0 })).toThrow(RangeError);
  });
});
