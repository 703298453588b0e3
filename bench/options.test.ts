import { describe, expect, it } from 'vitest';
import { parseBenchArgs } from './options.js';

describe('bench options', () => {
  it('measures the baseline build only when a directory is given', () => {
    const plain = parseBenchArgs(['--quick']);
    expect(plain).not.toBe('help');
    if (plain === 'help') return;
    expect(plain.targets).not.toContain('baseline');
    expect(plain.baselineRoot).toBeNull();

    const paired = parseBenchArgs(['--quick', '--targets', 'nginx,gateway', '--baseline', '/tmp/old-checkout']);
    if (paired === 'help') throw new Error('unexpected help');
    expect(paired.targets).toEqual(['direct', 'nginx', 'gateway', 'baseline']);
    expect(paired.baselineRoot).toBe('/tmp/old-checkout');
  });

  it('refuses --baseline without a directory', () => {
    expect(() => parseBenchArgs(['--baseline'])).toThrow(/needs a value/);
  });
});
