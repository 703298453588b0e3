import sharp from 'sharp';
import { describe, expect, it } from 'vitest';
import { GatewayError } from '../server/errors.js';
import { heicContainer, solid, withPngText } from './__fixtures__/image-fixtures.js';
import { isCleanJpeg, isCleanPng } from './container-scan.js';
import { readFtypBrands, sniffImageFormat } from './sniff-image-format.js';

const ftyp = (major: string, ...compatible: string[]) => {
  const body = Buffer.from(`ftyp${major}\0\0\0\0${compatible.join('')}`, 'latin1');
  const size = Buffer.alloc(4);
  size.writeUInt32BE(body.length + 4);
  return Buffer.concat([size, body, Buffer.alloc(32)]);
};

describe('sniffImageFormat', () => {
  it('identifies every accepted format by magic bytes', async () => {
    const red = () => solid(4, 4, { r: 255, g: 0, b: 0 });
    expect(sniffImageFormat(await red().jpeg().toBuffer())).toBe('jpeg');
    expect(sniffImageFormat(await red().png().toBuffer())).toBe('png');
    expect(sniffImageFormat(await red().webp().toBuffer())).toBe('webp');
    expect(sniffImageFormat(await red().gif().toBuffer())).toBe('gif');
    expect(sniffImageFormat(await red().tiff().toBuffer())).toBe('tiff');
    expect(sniffImageFormat(await red().avif().toBuffer())).toBe('avif');
    expect(sniffImageFormat(heicContainer(8, 8))).toBe('heic');
    expect(sniffImageFormat(ftyp('mif1', 'mif1', 'heic'))).toBe('heic');
    expect(sniffImageFormat(ftyp('mif1', 'mif1', 'miaf'))).toBe('heif');
    expect(sniffImageFormat(ftyp('avis', 'avis', 'msf1'))).toBe('avif');
  });

  it('names what it recognises when refusing (415)', () => {
    const cases: [Buffer, RegExp][] = [
      [Buffer.from('<svg xmlns="http://www.w3.org/2000/svg"></svg>'), /^SVG is not/],
      [Buffer.from('%PDF-1.4 ...'), /^PDF is not/],
      [Buffer.from('<!DOCTYPE html><html></html>'), /^HTML is not/],
      [ftyp('isom', 'isom', 'mp41'), /^ISO media \(isom\)/],
      [Buffer.from('hello, I am text named photo.jpg'), /not a recognised image/],
      [Buffer.from([0xff, 0xd8]), /not a recognised image/],
    ];
    for (const [input, message] of cases) {
      let err: unknown;
      try {
        sniffImageFormat(input);
      } catch (e) {
        err = e;
      }
      expect(err).toBeInstanceOf(GatewayError);
      expect(err).toMatchObject({ status: 415, code: 'unsupported_image_format' });
      expect((err as Error).message).toMatch(message);
    }
  });

  it('reads ftyp brands and ignores implausible boxes', () => {
    expect(readFtypBrands(ftyp('heic', 'mif1', 'heic'))).toEqual(['heic', 'mif1', 'heic']);
    const huge = ftyp('heic', 'mif1');
    huge.writeUInt32BE(1 << 30, 0);
    expect(readFtypBrands(huge)).toBeNull();
  });
});

describe('container scan (pass-through eligibility)', () => {
  it('accepts plain JPEG/PNG and rejects metadata, trailers and animation', async () => {
    const jpeg = await solid(8, 8, { r: 1, g: 2, b: 3 }).jpeg().toBuffer();
    const png = await solid(8, 8, { r: 1, g: 2, b: 3 }).png().toBuffer();
    expect(isCleanJpeg(jpeg)).toBe(true);
    expect(isCleanPng(png)).toBe(true);

    const exifJpeg = await sharp(jpeg).withExifMerge({ IFD0: { Artist: 'me' } }).jpeg().toBuffer();
    expect(isCleanJpeg(exifJpeg)).toBe(false);
    expect(isCleanJpeg(Buffer.concat([jpeg, Buffer.from('trailer')]))).toBe(false);
    expect(isCleanPng(withPngText(png, 'Comment', 'x'))).toBe(false);
    expect(isCleanPng(Buffer.concat([png, Buffer.from('trailer')]))).toBe(false);

    // APNG: an acTL chunk after IHDR (sharp cannot write APNG, so we splice one in).
    const ihdrEnd = 8 + 12 + png.readUInt32BE(8);
    const chunk = (type: string, data: Buffer) => {
      const length = Buffer.alloc(4);
      length.writeUInt32BE(data.length);
      return Buffer.concat([length, Buffer.from(type, 'latin1'), data, Buffer.alloc(4)]);
    };
    const splice = (c: Buffer) => Buffer.concat([png.subarray(0, ihdrEnd), c, png.subarray(ihdrEnd)]);
    expect(isCleanPng(splice(chunk('acTL', Buffer.alloc(8))))).toBe(false);
    // Unknown/private chunks force a re-encode as well; a harmless known one does not.
    const withUnknown = splice(chunk('prVt', Buffer.alloc(0)));
    expect(isCleanPng(splice(chunk('gAMA', Buffer.alloc(4))))).toBe(true);
    expect(isCleanPng(withUnknown)).toBe(false);
  });
});
