import { describe, expect, it } from 'vitest';
import { GatewayError } from '../server/errors.js';
import { encodeBmp } from './__fixtures__/image-fixtures.js';
import { decodeBmp } from './bmp-decoder.js';

const rgb = (w: number, h: number) => {
  const data = Buffer.alloc(w * h * 3);
  for (let i = 0; i < w * h; i += 1) data.set([i % 256, (i * 7) % 256, (i * 13) % 256], i * 3);
  return data;
};

const errorOf = (fn: () => unknown): GatewayError => {
  try {
    fn();
  } catch (err) {
    expect(err).toBeInstanceOf(GatewayError);
    return err as GatewayError;
  }
  throw new Error('expected a GatewayError');
};

describe('decodeBmp', () => {
  it('decodes 24-bit bottom-up and top-down BMPs with row padding', () => {
    for (const topDown of [false, true]) {
      const pixels = rgb(5, 3); // 15-byte rows are padded to 16
      const decoded = decodeBmp(encodeBmp(pixels, 5, 3, { bits: 24, topDown }), { maxPixels: 1e6 });
      expect(decoded).toMatchObject({ width: 5, height: 3, channels: 3, bitsPerPixel: 24, compression: 'BI_RGB' });
      expect(decoded.data.equals(pixels)).toBe(true);
    }
  });

  it('decodes 32-bit BI_BITFIELDS with alpha, and treats an all-zero alpha as opaque', () => {
    const rgba = Buffer.from([255, 0, 0, 128, 0, 255, 0, 255, 0, 0, 255, 0, 1, 2, 3, 4]);
    const decoded = decodeBmp(encodeBmp(rgba, 2, 2, { bits: 32 }), { maxPixels: 1e6 });
    expect(decoded).toMatchObject({ channels: 4, compression: 'BI_BITFIELDS' });
    expect([...decoded.data]).toEqual([...rgba]);

    const noAlpha = Buffer.from([10, 20, 30, 0, 40, 50, 60, 0]);
    const opaque = decodeBmp(encodeBmp(noAlpha, 2, 1, { bits: 32 }), { maxPixels: 1e6 });
    expect([...opaque.data]).toEqual([10, 20, 30, 255, 40, 50, 60, 255]);

    const withoutMask = decodeBmp(encodeBmp(rgba, 2, 2, { bits: 32, alphaMask: false }), { maxPixels: 1e6 });
    expect(withoutMask.channels).toBe(3);
    expect([...withoutMask.data.subarray(0, 3)]).toEqual([255, 0, 0]);
  });

  it('refuses truncated files with 400 invalid_image', () => {
    const bmp = encodeBmp(rgb(20, 20), 20, 20, { bits: 24 });
    for (const cut of [bmp.subarray(0, 20), bmp.subarray(0, bmp.length - 10)]) {
      expect(errorOf(() => decodeBmp(cut, { maxPixels: 1e6 }))).toMatchObject({ status: 400, code: 'invalid_image' });
    }
  });

  it('refuses palette, 16-bit and RLE variants with 415', () => {
    const bmp = encodeBmp(rgb(4, 4), 4, 4, { bits: 24 });
    const eightBit = Buffer.from(bmp);
    eightBit.writeUInt16LE(8, 28);
    const rle = Buffer.from(bmp);
    rle.writeUInt16LE(8, 28);
    rle.writeUInt32LE(1, 30);
    const sixteen = Buffer.from(bmp);
    sixteen.writeUInt16LE(16, 28);
    for (const [variant, file] of [['8-bit', eightBit], ['RLE8', rle], ['16-bit', sixteen]] as const) {
      const err = errorOf(() => decodeBmp(file, { maxPixels: 1e6 }));
      expect(err).toMatchObject({ status: 415, code: 'unsupported_image_format' });
      expect(err.message).toContain(variant);
      expect(err.message).toMatch(/JPEG or PNG/);
    }
  });

  it('refuses a BMP declaring too many pixels before allocating (413 image_too_large)', () => {
    const bmp = encodeBmp(rgb(4, 4), 4, 4, { bits: 24 });
    bmp.writeInt32LE(50_000, 18);
    bmp.writeInt32LE(50_000, 22);
    expect(errorOf(() => decodeBmp(bmp, { maxPixels: 100_000_000 }))).toMatchObject({ status: 413, code: 'image_too_large' });
  });
});
