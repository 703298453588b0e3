import sharp from 'sharp';
import { describe, expect, it } from 'vitest';
import { GatewayError } from '../server/errors.js';
import {
  encodeBmp,
  halves,
  heicContainer,
  near,
  noisy,
  pixelAt,
  pngDeclaring,
  solid,
  transparentCorner,
  withPngText,
} from './__fixtures__/image-fixtures.js';
import { formatBytes } from './image-errors.js';
import { describeProcessing, fitWithin, processImage, type ProcessedImage } from './process-image.js';
import type { ImageLimits } from './vendor-limits.js';

const LIMITS: ImageLimits = { maxLongEdge: 2048, maxPixels: 2048 * 1536, maxBytes: 5 * 1024 * 1024 };
const RED = { r: 255, g: 0, b: 0 };

async function rejection(promise: Promise<unknown>): Promise<GatewayError> {
  const err = await promise.then(
    () => null,
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(GatewayError);
  return err as GatewayError;
}

async function expectCleanOutput(p: ProcessedImage) {
  const meta = await sharp(p.buffer).metadata();
  expect(meta.format).toBe(p.format);
  expect(meta.width).toBe(p.width);
  expect(meta.height).toBe(p.height);
  expect(meta.exif).toBeUndefined();
  expect(meta.orientation).toBeUndefined();
  expect(meta.icc).toBeUndefined();
  expect(meta.xmp).toBeUndefined();
  expect(p.bytes).toBe(p.buffer.length);
  return meta;
}

describe('processImage: input formats', () => {
  it('re-encodes a JPEG with metadata and keeps its pixels', async () => {
    const input = await solid(120, 80, RED).jpeg({ quality: 95 }).withExifMerge({ IFD0: { Copyright: 'owner' } }).toBuffer();
    const p = await processImage(input, LIMITS);
    expect(p).toMatchObject({ format: 'jpeg', mime: 'image/jpeg', width: 120, height: 80 });
    expect(p.original).toEqual({ format: 'jpeg', width: 120, height: 80, bytes: input.length });
    expect(p.operations).toEqual(['strip-metadata', 'jpeg q90']);
    await expectCleanOutput(p);
    expect(near(await pixelAt(p.buffer, 60, 40), [255, 0, 0])).toBe(true);
  });

  it('turns an opaque PNG (even RGBA with alpha 255 everywhere) into a JPEG', async () => {
    for (const input of [
      await solid(64, 64, RED).png().toBuffer(),
      await solid(64, 64, RED, 1).png().toBuffer(),
    ]) {
      const p = await processImage(input, LIMITS);
      expect(p.format).toBe('jpeg');
      expect(p.original.format).toBe('png');
      const meta = await expectCleanOutput(p);
      expect(meta.hasAlpha).toBe(false);
    }
  });

  it('keeps a PNG with real transparency as PNG with alpha', async () => {
    const input = await transparentCorner(64).png().toBuffer();
    const p = await processImage(input, LIMITS);
    expect(p.format).toBe('png');
    expect(p.mime).toBe('image/png');
    const meta = await expectCleanOutput(p);
    expect(meta.hasAlpha).toBe(true);
    expect((await pixelAt(p.buffer, 5, 5))[3]).toBe(0);
    expect((await pixelAt(p.buffer, 50, 50))[3]).toBe(255);
  });

  it('decodes WebP, AVIF and TIFF', async () => {
    for (const [format, input] of [
      ['webp', await solid(50, 40, RED).webp().toBuffer()],
      ['avif', await solid(50, 40, RED).avif().toBuffer()],
      ['tiff', await solid(50, 40, RED).tiff().toBuffer()],
    ] as const) {
      const p = await processImage(input, LIMITS);
      expect(p.original.format).toBe(format);
      expect(p).toMatchObject({ format: 'jpeg', width: 50, height: 40 });
      expect(near(await pixelAt(p.buffer, 25, 20), [255, 0, 0], 20)).toBe(true);
    }
  });

  it('takes only the first frame of an animated GIF', async () => {
    const frames = await Promise.all(
      [RED, { r: 0, g: 255, b: 0 }, { r: 0, g: 0, b: 255 }].map((c) => solid(30, 20, c).png().toBuffer()),
    );
    const gif = await sharp(frames, { join: { animated: true } }).gif({ delay: [100, 100, 100], loop: 0 }).toBuffer();
    expect((await sharp(gif).metadata()).pages).toBe(3);
    const p = await processImage(gif, LIMITS);
    expect(p).toMatchObject({ format: 'jpeg', width: 30, height: 20 });
    expect(p.operations).toContain('first-frame');
    expect(near(await pixelAt(p.buffer, 15, 10), [255, 0, 0], 20)).toBe(true);
  });

  it('decodes a 24-bit BMP written by our own encoder', async () => {
    const { data } = await halves(40, 30).raw().toBuffer({ resolveWithObject: true });
    const bmp = encodeBmp(data, 40, 30, { bits: 24 });
    const p = await processImage(bmp, LIMITS);
    expect(p.original).toMatchObject({ format: 'bmp', width: 40, height: 30 });
    expect(p.operations[0]).toBe('decode-bmp');
    expect(near(await pixelAt(p.buffer, 5, 15), [255, 0, 0], 20)).toBe(true);
    expect(near(await pixelAt(p.buffer, 35, 15), [0, 0, 255], 20)).toBe(true);
  });

  it('keeps BMP alpha (32-bit BI_BITFIELDS) as a transparent PNG', async () => {
    const pixels = Buffer.alloc(8 * 8 * 4);
    for (let i = 0; i < 64; i += 1) pixels.set([0, 0, 255, i < 32 ? 0 : 255], i * 4);
    const p = await processImage(encodeBmp(pixels, 8, 8, { bits: 32, topDown: true }), LIMITS);
    expect(p.format).toBe('png');
    expect((await pixelAt(p.buffer, 0, 0))[3]).toBe(0);
    expect(await pixelAt(p.buffer, 0, 7)).toEqual([0, 0, 255, 255]);
  });

  it('answers 415 naming HEIC for an HEVC-compressed HEIC this libvips cannot decode', async () => {
    const heic = heicContainer(640, 480);
    const meta = await sharp(heic).metadata();
    expect(meta.compression).toBe('hevc'); // a well-formed container: the codec is what is missing
    const err = await rejection(processImage(heic, LIMITS));
    expect(err.status).toBe(415);
    expect(err.code).toBe('unsupported_image_format');
    expect(err.message).toMatch(/HEIC/);
    expect(err.message).toMatch(/JPEG or PNG/);
  });

  it('answers 415 for a bare ftyp heic header too', async () => {
    const fake = Buffer.concat([Buffer.from([0, 0, 0, 24]), Buffer.from('ftypheic\0\0\0\0mif1heic', 'latin1'), Buffer.alloc(200)]);
    const err = await rejection(processImage(fake, LIMITS));
    expect(err.status).toBe(415);
    expect(err.message).toMatch(/HEIC/);
  });

  it('converts 16-bit PNG and CMYK JPEG to 8-bit sRGB JPEG', async () => {
    const png16 = await solid(20, 20, { r: 18, g: 52, b: 86 }).toColourspace('rgb16').png().toBuffer();
    const cmyk = await solid(20, 20, RED).toColourspace('cmyk').jpeg().toBuffer();
    for (const input of [png16, cmyk]) {
      const p = await processImage(input, LIMITS);
      const meta = await sharp(p.buffer).metadata();
      expect(meta).toMatchObject({ format: 'jpeg', space: 'srgb', depth: 'uchar', channels: 3 });
    }
  });
});

describe('processImage: geometry, orientation and metadata', () => {
  it('downscales a 9000x7000 image within the long edge and pixel limits', async () => {
    const input = await solid(9000, 7000, { r: 10, g: 200, b: 30 }).jpeg().toBuffer();
    const limits = { maxLongEdge: 2048, maxPixels: 1_500_000, maxBytes: 2 * 1024 * 1024 };
    const p = await processImage(input, limits);
    expect(Math.max(p.width, p.height)).toBeLessThanOrEqual(2048);
    expect(p.width * p.height).toBeLessThanOrEqual(1_500_000);
    expect(Math.abs(p.width / p.height - 9000 / 7000)).toBeLessThan(0.01);
    expect(p.operations).toContain(`resize 9000x7000->${p.width}x${p.height}`);
    await expectCleanOutput(p);
  });

  it('never upscales', async () => {
    const p = await processImage(await solid(30, 10, RED).png().toBuffer(), LIMITS);
    expect([p.width, p.height]).toEqual([30, 10]);
  });

  it('applies EXIF orientation 6, then drops EXIF/GPS/ICC', async () => {
    const input = await halves(40, 20)
      .jpeg()
      .withMetadata({ orientation: 6 })
      .withExifMerge({ IFD0: { Copyright: 'private-owner' }, IFD3: { GPSLatitudeRef: 'N', GPSLatitude: '48/1 51/1 0/1' } })
      .withIccProfile('p3')
      .toBuffer();
    const inMeta = await sharp(input).metadata();
    expect(inMeta.orientation).toBe(6);
    expect(inMeta.icc).toBeDefined();
    const p = await processImage(input, LIMITS);
    expect(p.operations.slice(0, 2)).toEqual(['rotate-exif', 'strip-metadata']);
    expect([p.width, p.height]).toEqual([20, 40]);
    expect(p.original).toMatchObject({ width: 20, height: 40 });
    await expectCleanOutput(p);
    expect(p.buffer.includes(Buffer.from('private-owner'))).toBe(false);
    // Rotating 90° clockwise moves the left (red) half to the top.
    expect(near(await pixelAt(p.buffer, 10, 5), [255, 0, 0], 30)).toBe(true);
    expect(near(await pixelAt(p.buffer, 10, 35), [0, 0, 255], 30)).toBe(true);
  });

  it('rotates before resizing, so limits apply to the displayed shape', async () => {
    const input = await solid(400, 100, RED).jpeg().withMetadata({ orientation: 8 }).toBuffer();
    const p = await processImage(input, { maxLongEdge: 200, maxPixels: 1_000_000, maxBytes: 1_000_000 });
    expect([p.width, p.height]).toEqual([50, 200]);
    expect(p.operations).toContain('resize 100x400->50x200');
  });

  it('fitWithin keeps aspect ratio and both limits exactly', () => {
    expect(fitWithin(4000, 3000, { maxLongEdge: 2048, maxPixels: 10_000_000 })).toEqual({ width: 2048, height: 1536 });
    expect(fitWithin(4000, 3000, { maxLongEdge: 8000, maxPixels: 1_150_000 })).toEqual({ width: 1238, height: 928 });
    expect(fitWithin(100, 50, { maxLongEdge: 2048, maxPixels: 1_000_000 })).toEqual({ width: 100, height: 50 });
    expect(fitWithin(100_000, 3, { maxLongEdge: 2048, maxPixels: 1_000_000 })).toEqual({ width: 2048, height: 1 });
  });
});

describe('processImage: byte limits', () => {
  it('fits a noisy large photo under maxBytes by lowering quality, then dimensions', async () => {
    const input = await noisy(3000, 2000).jpeg({ quality: 95 }).toBuffer();
    expect(input.length).toBeGreaterThan(2_000_000);
    const limits = { maxLongEdge: 2048, maxPixels: 4_000_000, maxBytes: 300_000 };
    const p = await processImage(input, limits);
    expect(p.format).toBe('jpeg');
    expect(p.bytes).toBeLessThanOrEqual(300_000);
    expect(p.operations).toContain('resize 3000x2000->2048x1365');
    expect(p.operations.some((op) => op.endsWith('(byte limit)'))).toBe(true);
    expect(p.operations.at(-1)).toMatch(/^jpeg q\d+$/);
    await expectCleanOutput(p);
  });

  it('steps JPEG quality down before touching dimensions', async () => {
    const input = await noisy(600, 400).jpeg({ quality: 100 }).toBuffer();
    const q90 = await noisy(600, 400).jpeg({ quality: 90 }).toBuffer();
    const p = await processImage(input, { maxLongEdge: 2048, maxPixels: 4_000_000, maxBytes: Math.floor(q90.length * 0.8) });
    expect([p.width, p.height]).toEqual([600, 400]);
    const quality = Number(/jpeg q(\d+)/.exec(p.operations.at(-1) ?? '')?.[1]);
    expect(quality).toBeLessThan(90);
    expect(quality).toBeGreaterThanOrEqual(40);
  });

  it('fits a transparent PNG by palette quantisation and downscaling', async () => {
    const input = await noisy(800, 800, 4).png().toBuffer();
    const p = await processImage(input, { maxLongEdge: 2048, maxPixels: 4_000_000, maxBytes: 150_000 });
    expect(p.format).toBe('png');
    expect(p.bytes).toBeLessThanOrEqual(150_000);
    expect(p.operations).toContain('png palette');
    expect((await sharp(p.buffer).metadata()).hasAlpha).toBe(true);
  });

  it('answers 413 when even a tiny image cannot fit', async () => {
    const input = await noisy(64, 64).png().toBuffer();
    const err = await rejection(processImage(input, { maxLongEdge: 2048, maxPixels: 4_000_000, maxBytes: 100 }));
    expect(err.status).toBe(413);
    expect(err.code).toBe('image_too_large');
  });
});

describe('processImage: pass-through', () => {
  it('returns a clean, fitting JPEG byte-for-byte', async () => {
    const input = await solid(100, 80, RED).jpeg({ quality: 80 }).toBuffer();
    const p = await processImage(input, LIMITS);
    expect(p.operations).toEqual(['passthrough']);
    expect(p.buffer.equals(input)).toBe(true);
    const size = formatBytes(input.length);
    expect(describeProcessing(p)).toBe(`jpeg 100x80 ${size} -> jpeg 100x80 ${size}; passthrough`);
  });

  it('does not pass through a JPEG with bytes after EOI or a PNG with text chunks', async () => {
    const jpeg = Buffer.concat([await solid(50, 50, RED).jpeg().toBuffer(), Buffer.from('PK\x03\x04 hidden zip')]);
    const pj = await processImage(jpeg, LIMITS);
    expect(pj.operations).not.toContain('passthrough');
    expect(pj.buffer.includes(Buffer.from('hidden zip'))).toBe(false);

    const png = withPngText(await solid(20, 20, RED, 0.5).png().toBuffer(), 'Comment', 'secret-text');
    const pp = await processImage(png, LIMITS);
    expect(pp.format).toBe('png');
    expect(pp.operations).not.toContain('passthrough');
    expect(pp.buffer.includes(Buffer.from('secret-text'))).toBe(false);
  });

  it('does not pass through when the bytes exceed the limit', async () => {
    const input = await noisy(300, 300).jpeg({ quality: 100 }).toBuffer();
    const p = await processImage(input, { ...LIMITS, maxBytes: input.length - 1 });
    expect(p.operations).not.toContain('passthrough');
    expect(p.bytes).toBeLessThan(input.length);
  });
});

describe('processImage: forceFormat', () => {
  it('forces JPEG by flattening transparency onto white', async () => {
    const input = await solid(10, 10, RED, 0).png().toBuffer();
    const p = await processImage(input, LIMITS, { forceFormat: 'jpeg' });
    expect(p.format).toBe('jpeg');
    expect(p.operations).toContain('flatten-alpha');
    expect(near(await pixelAt(p.buffer, 5, 5), [255, 255, 255], 5)).toBe(true);
  });

  it('forces PNG for an opaque photo', async () => {
    const p = await processImage(await solid(10, 10, RED).jpeg().toBuffer(), LIMITS, { forceFormat: 'png' });
    expect(p.format).toBe('png');
    expect(p.mime).toBe('image/png');
  });
});

describe('processImage: bad input', () => {
  it('answers 400 invalid_image for truncated JPEG and PNG', async () => {
    for (const full of [await noisy(200, 150).jpeg().toBuffer(), await noisy(200, 150).png().toBuffer()]) {
      const err = await rejection(processImage(full.subarray(0, Math.floor(full.length * 0.6)), LIMITS));
      expect(err.status).toBe(400);
      expect(err.code).toBe('invalid_image');
      expect(err.message).toMatch(/corrupt or truncated \(.+\)/);
      expect(err.message).not.toMatch(/bad seek/);
    }
  });

  it('answers 415 for text named .jpg, SVG and empty-looking data', async () => {
    for (const input of [
      Buffer.from('This is not really a JPEG, just a text file named photo.jpg\n'),
      Buffer.from('<?xml version="1.0"?><svg xmlns="http://www.w3.org/2000/svg" width="10" height="10"/>'),
      Buffer.from('%PDF-1.7\n'),
    ]) {
      const err = await rejection(processImage(input, LIMITS));
      expect(err.status).toBe(415);
      expect(err.code).toBe('unsupported_image_format');
    }
  });

  it('answers 400 for an empty buffer', async () => {
    const err = await rejection(processImage(Buffer.alloc(0), LIMITS));
    expect(err).toMatchObject({ status: 400, code: 'invalid_image' });
  });

  it('refuses what would need more decode memory than allowed, counting interlacing and progressive coding', async () => {
    const budget = { maxDecodeBytes: 4 * 1024 * 1024 }; // 2000x2000 needs 12 MB whole, ~1.5 MB streamed
    const progressive = await solid(2000, 2000, { r: 10, g: 20, b: 30 }).jpeg({ progressive: true }).toBuffer();
    const err = await rejection(processImage(progressive, LIMITS, budget));
    expect(err).toMatchObject({ status: 413, code: 'image_too_large' });
    expect(err.message).toMatch(/2000x2000 progressive JPEG/);
    const interlaced = await solid(2000, 2000, { r: 10, g: 20, b: 30 }).png({ progressive: true }).toBuffer();
    expect((await rejection(processImage(interlaced, LIMITS, budget))).message).toMatch(/interlaced PNG/);
    // The same pixels, baseline/non-interlaced, are decoded in strips and fit.
    const baseline = await solid(2000, 2000, { r: 10, g: 20, b: 30 }).jpeg().toBuffer();
    expect((await processImage(baseline, LIMITS, budget)).original).toMatchObject({ width: 2000, height: 2000 });
    const plain = await solid(2000, 2000, { r: 10, g: 20, b: 30 }).png().toBuffer();
    expect((await processImage(plain, LIMITS, budget)).original).toMatchObject({ width: 2000, height: 2000 });
  });

  it('refuses a decompression bomb before decoding it (413 image_too_large)', async () => {
    const bomb = await solid(8000, 8000, { r: 255, g: 255, b: 255 }).png({ compressionLevel: 9 }).toBuffer();
    expect(bomb.length).toBeLessThan(400_000); // small file, 64 MP of pixels
    const err = await rejection(processImage(bomb, { ...LIMITS, maxInputPixels: 10_000_000 }));
    expect(err).toMatchObject({ status: 413, code: 'image_too_large' });

    const declared = pngDeclaring(30_000, 30_000); // 900 MP behind a 57-byte header
    const err2 = await rejection(processImage(declared, LIMITS));
    expect(err2).toMatchObject({ status: 413, code: 'image_too_large' });
    expect(err2.message).toMatch(/100000000/);
  });

  it('answers 500 invalid_image_limits for nonsense limits', async () => {
    const err = await rejection(processImage(Buffer.from('x'), { maxLongEdge: 0, maxPixels: 1, maxBytes: 1 }));
    expect(err).toMatchObject({ status: 500, code: 'invalid_image_limits' });
  });
});

describe('describeProcessing', () => {
  it('renders a compact header value', () => {
    const p: ProcessedImage = {
      buffer: Buffer.alloc(0),
      mime: 'image/jpeg',
      format: 'jpeg',
      width: 2048,
      height: 1536,
      bytes: 412 * 1024,
      original: { format: 'png', width: 4000, height: 3000, bytes: Math.round(5.1 * 1024 * 1024) },
      operations: ['rotate-exif', 'strip-metadata', 'resize 4000x3000->2048x1536', 'jpeg q85'],
    };
    expect(describeProcessing(p)).toBe('png 4000x3000 5.1MB -> jpeg 2048x1536 412KB; rotate-exif,strip-metadata,jpeg q85');
    expect(describeProcessing({ ...p, operations: [] })).toBe('png 4000x3000 5.1MB -> jpeg 2048x1536 412KB');
  });
});
