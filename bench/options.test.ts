import { describe, expect, it } from 'vitest';
import { parseBenchArgs, usage } from './options.js';

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

describe('scaling phase option', () => {
  const settingsOf = (argv: string[]) => {
    const parsed = parseBenchArgs(argv);
    if (parsed === 'help') throw new Error('unexpected help');
    return parsed.settings;
  };

  it('runs in full runs, and in quick runs only with --scaling', () => {
    expect(settingsOf([]).scaling).toBe(true);
    expect(settingsOf(['--no-scaling']).scaling).toBe(false);
    expect(settingsOf(['--quick']).scaling).toBe(false);
    expect(settingsOf(['--quick', '--scaling']).scaling).toBe(true);
    // Order does not matter: the flag wins over the profile's default either way.
    expect(settingsOf(['--scaling', '--quick']).scaling).toBe(true);
  });

  it('refuses contradictory or valued scaling flags', () => {
    expect(() => parseBenchArgs(['--scaling', '--no-scaling'])).toThrow(/contradict/);
    expect(() => parseBenchArgs(['--scaling=no'])).toThrow(/takes no value/);
    expect(usage).toContain('--scaling');
  });
});
