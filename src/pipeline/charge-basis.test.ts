import { describe, expect, it } from 'vitest';
import { chargeBasis } from './accounting.js';

describe('chargeBasis', () => {
  it('charges vendor usage whenever it came, also for a client that hung up', () => {
    expect(chargeBasis(false, true, true, 499, '')).toBe('vendor-usage');
    expect(chargeBasis(false, true, true, 200, '')).toBe('vendor-usage');
  });

  it('estimates requests that reached a vendor without usage: success, hang-up, stream broken after content', () => {
    expect(chargeBasis(false, false, true, 200, 'hi')).toBe('estimate');
    expect(chargeBasis(false, false, true, 499, '')).toBe('estimate');
    expect(chargeBasis(false, false, true, 502, 'partial answer')).toBe('estimate');
  });

  it('charges nothing for cache hits, refusals before any vendor call, and vendor errors', () => {
    expect(chargeBasis(true, false, false, 200, '')).toBe('nothing');
    expect(chargeBasis(false, false, false, 429, '')).toBe('nothing');
    expect(chargeBasis(false, false, false, 499, '')).toBe('nothing');
    expect(chargeBasis(false, false, true, 503, '')).toBe('nothing');
  });
});
