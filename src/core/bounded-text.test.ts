import { describe, expect, it } from 'vitest';
import { boundText } from './bounded-text.js';

describe('boundText', () => {
  it('returns clean short values unchanged', () => {
    expect(boundText('gpt-4o', 200)).toBe('gpt-4o');
    expect(boundText('千问-max', 200)).toBe('千问-max');
  });

  it('removes NUL, CR/LF and other control characters', () => {
    expect(boundText('gpt\u0000-x\r\nInjected: 1\u001b[31m\u0085', 200)).toBe('gpt-xInjected: 1[31m');
  });

  it('cuts long values to the limit with an ellipsis, never splitting a surrogate pair', () => {
    const cut = boundText('a'.repeat(100_000), 200);
    expect(cut).toHaveLength(200);
    expect(cut.endsWith('…')).toBe(true);
    const emoji = boundText('😀'.repeat(300), 11);
    expect(emoji.length).toBeLessThanOrEqual(11);
    expect(Buffer.from(emoji, 'utf8').toString('utf8')).toBe(emoji);
    expect(emoji).not.toMatch(/\ufffd/);
  });

  it('replaces lone surrogates so the value is valid UTF-8', () => {
    expect(boundText('a\ud800b\udc00c', 50)).toBe('a\ufffdb\ufffdc');
  });
});
