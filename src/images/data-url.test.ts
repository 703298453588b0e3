import { describe, expect, it } from 'vitest';
import { GatewayError } from '../server/errors.js';
import {
  base64DecodedLength,
  base64EncodedLength,
  buildDataUrl,
  decodeImageData,
  isDataUrl,
  parseDataUrl,
} from './data-url.js';

const bytes = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0, 1, 2, 3, 250, 251, 252]);

const codeOf = (fn: () => unknown) => {
  try {
    fn();
  } catch (err) {
    expect(err).toBeInstanceOf(GatewayError);
    return [(err as GatewayError).status, (err as GatewayError).code];
  }
  throw new Error('expected a GatewayError');
};

describe('data URLs', () => {
  it('round-trips build and decode', () => {
    const url = buildDataUrl('image/png', bytes);
    expect(url.startsWith('data:image/png;base64,')).toBe(true);
    const decoded = decodeImageData(url);
    expect(decoded).toMatchObject({ mime: 'image/png', bytes: bytes.length, source: 'data-url' });
    expect(decoded.buffer.equals(bytes)).toBe(true);
  });

  it('computes the decoded size from the text, without decoding', () => {
    for (let n = 0; n < 40; n += 1) {
      const b64 = Buffer.alloc(n, 7).toString('base64');
      expect(base64DecodedLength(b64)).toBe(n);
      expect(base64DecodedLength(b64.replace(/=+$/, ''))).toBe(n);
      expect(base64EncodedLength(n)).toBe(b64.length);
    }
    expect(parseDataUrl(buildDataUrl('image/jpeg', bytes)).decodedBytes).toBe(bytes.length);
  });

  it('accepts parameters, upper-case and line-wrapped payloads', () => {
    const b64 = bytes.toString('base64');
    const wrapped = `DATA:Image/PNG;name=x.png;BASE64,${b64.slice(0, 5)}\n${b64.slice(5)}\r\n`;
    const decoded = decodeImageData(wrapped);
    expect(decoded.mime).toBe('image/png');
    expect(decoded.buffer.equals(bytes)).toBe(true);
    expect(decodeImageData(`data:;base64,${b64}`).mime).toBeNull();
  });

  it('accepts raw base64 only when allowed', () => {
    const b64 = bytes.toString('base64');
    expect(decodeImageData(b64, { allowRawBase64: true })).toMatchObject({ source: 'raw-base64', mime: null, bytes: bytes.length });
    expect(codeOf(() => decodeImageData(b64))).toEqual([400, 'invalid_image_data']);
  });

  it('refuses oversize payloads before decoding (413)', () => {
    const url = buildDataUrl('image/png', Buffer.alloc(1000));
    expect(codeOf(() => decodeImageData(url, { maxBytes: 999 }))).toEqual([413, 'image_too_large']);
    expect(decodeImageData(url, { maxBytes: 1000 }).bytes).toBe(1000);
  });

  it('refuses malformed data URLs with 400', () => {
    for (const bad of [
      'data:image/png;base64',
      'data:image/png,plain-text-not-base64',
      'data:image/png;base64,',
      'data:image/png;base64,abc$def',
      'data:image/png;base64,A',
      'data:image/png;base64,AAAAA=',
      'data:image/png;base64,AA=A',
      'data:im age/png;base64,AAAA',
    ]) {
      expect(codeOf(() => decodeImageData(bad))).toEqual([400, 'invalid_image_data']);
    }
  });

  it('refuses a non-image media type with 415', () => {
    expect(codeOf(() => decodeImageData('data:text/html;base64,PGgxPg=='))).toEqual([415, 'unsupported_image_format']);
    expect(decodeImageData('data:application/octet-stream;base64,AAAA').bytes).toBe(3);
  });

  it('recognises data URLs', () => {
    expect(isDataUrl('data:image/png;base64,AAAA')).toBe(true);
    expect(isDataUrl('Data:image/png;base64,AAAA')).toBe(true);
    expect(isDataUrl('https://example.com/x.png')).toBe(false);
  });
});
