import { describe, expect, it } from 'vitest';
import { newItemId } from './response-object.js';

describe('response and item ids', () => {
  it('keeps OpenAI\'s shape: a prefix and 48 hex digits', () => {
    for (const prefix of ['resp', 'msg', 'fc', 'rs'] as const) expect(newItemId(prefix)).toMatch(new RegExp(`^${prefix}_[0-9a-f]{48}$`));
  });

  it('orders response ids by time (they are stored responses\' primary key) and never repeats one', () => {
    const base = Date.UTC(2026, 11, 2);
    const ids = Array.from({ length: 2000 }, (_, index) => newItemId('resp', base + Math.floor(index / 4)));
    expect(new Set(ids).size).toBe(ids.length);
    // Later milliseconds sort after earlier ones, whatever the random part.
    for (let index = 4; index < ids.length; index += 4) expect(ids[index]! > ids[index - 1]!).toBe(true);
    expect(newItemId('resp', base).slice(5, 17)).toBe(base.toString(16).padStart(12, '0'));
  });

  it('keeps item ids fully random (no time prefix to share)', () => {
    const a = newItemId('msg', 0);
    const b = newItemId('msg', 0);
    expect(a.slice(4, 16)).not.toBe('000000000000');
    expect(a).not.toBe(b);
  });
});
