import { imageTooLarge, invalidImage, unsupportedImageFormat } from './image-errors.js';

/**
 * libvips (as shipped with sharp) cannot read BMP, so we decode the common variants
 * ourselves and hand sharp raw pixels. Only uncompressed 24/32-bit BI_RGB and 32-bit
 * BI_BITFIELDS / BI_ALPHABITFIELDS are supported; palettes, RLE, 16-bit and embedded
 * JPEG/PNG are refused with 415 so the client knows to convert.
 */
export interface DecodedBmp {
  data: Buffer;
  width: number;
  height: number;
  channels: 3 | 4;
  bitsPerPixel: number;
  compression: 'BI_RGB' | 'BI_BITFIELDS' | 'BI_ALPHABITFIELDS';
}

const FILE_HEADER_SIZE = 14;
const BI_RGB = 0;
const BI_RLE8 = 1;
const BI_RLE4 = 2;
const BI_BITFIELDS = 3;
const BI_JPEG = 4;
const BI_PNG = 5;
const BI_ALPHABITFIELDS = 6;

const COMPRESSION_NAMES: Record<number, string> = {
  [BI_RLE8]: 'RLE8',
  [BI_RLE4]: 'RLE4',
  [BI_JPEG]: 'embedded JPEG',
  [BI_PNG]: 'embedded PNG',
};

interface ChannelMask {
  mask: number;
  shift: number;
  max: number;
}

const channelMask = (mask: number, name: string): ChannelMask | null => {
  const m = mask >>> 0;
  if (m === 0) return null;
  let shift = 0;
  while (((m >>> shift) & 1) === 0) shift += 1;
  const bits = m >>> shift;
  // Contiguous masks only (bits + 1 is a power of two); anything else is a broken file.
  if ((bits & (bits + 1)) !== 0) throw invalidImage(`BMP ${name} bit mask 0x${m.toString(16)} is not contiguous.`);
  return { mask: m, shift, max: bits };
};

const extract = (pixel: number, ch: ChannelMask | null, fallback: number): number => {
  if (!ch) return fallback;
  const value = (pixel & ch.mask) >>> ch.shift;
  return ch.max === 255 ? value : Math.round((value * 255) / ch.max);
};

const refuse = (variant: string) =>
  unsupportedImageFormat(
    `BMP variant ${variant} is not supported (only uncompressed 24/32-bit BMP); convert the image to JPEG or PNG.`,
  );

export function decodeBmp(buf: Buffer, options: { maxPixels: number }): DecodedBmp {
  if (buf.length < FILE_HEADER_SIZE + 16 || buf.toString('latin1', 0, 2) !== 'BM') {
    throw invalidImage('The BMP file is truncated (incomplete header).');
  }
  const pixelOffset = buf.readUInt32LE(10);
  const dibSize = buf.readUInt32LE(14);
  if (dibSize === 12) throw refuse('OS/2 BITMAPCOREHEADER');
  if (dibSize < 40) throw invalidImage(`The BMP header size ${dibSize} is invalid.`);
  if (buf.length < FILE_HEADER_SIZE + 40) throw invalidImage('The BMP file is truncated (incomplete header).');

  const width = buf.readInt32LE(18);
  const rawHeight = buf.readInt32LE(22);
  const planes = buf.readUInt16LE(26);
  const bitsPerPixel = buf.readUInt16LE(28);
  const compression = buf.readUInt32LE(30);
  const topDown = rawHeight < 0;
  const height = Math.abs(rawHeight);

  if (planes !== 1) throw invalidImage(`The BMP declares ${planes} colour planes (must be 1).`);
  if (width <= 0 || height <= 0) throw invalidImage(`The BMP has invalid dimensions ${width}x${rawHeight}.`);
  if (width * height > options.maxPixels) {
    throw imageTooLarge(
      `The BMP is ${width}x${height} (${width * height} pixels), above the ${options.maxPixels}-pixel input limit.`,
      413,
    );
  }
  if (COMPRESSION_NAMES[compression]) throw refuse(COMPRESSION_NAMES[compression]);
  if (![BI_RGB, BI_BITFIELDS, BI_ALPHABITFIELDS].includes(compression)) {
    throw invalidImage(`The BMP declares unknown compression ${compression}.`);
  }
  if (bitsPerPixel !== 24 && bitsPerPixel !== 32) throw refuse(`${bitsPerPixel}-bit`);
  if (bitsPerPixel === 24 && compression !== BI_RGB) throw invalidImage('A 24-bit BMP cannot use bit-field masks.');

  let red: ChannelMask | null = null;
  let green: ChannelMask | null = null;
  let blue: ChannelMask | null = null;
  let alpha: ChannelMask | null = null;
  if (compression !== BI_RGB) {
    // BITMAPINFOHEADER (40 bytes) stores the masks right after the header; V2+ headers
    // carry them inside the header at the same offsets.
    const maskCount = compression === BI_ALPHABITFIELDS || dibSize >= 56 ? 4 : 3;
    const masksAt = FILE_HEADER_SIZE + 40;
    if (buf.length < masksAt + maskCount * 4) throw invalidImage('The BMP file is truncated (missing bit masks).');
    red = channelMask(buf.readUInt32LE(masksAt), 'red');
    green = channelMask(buf.readUInt32LE(masksAt + 4), 'green');
    blue = channelMask(buf.readUInt32LE(masksAt + 8), 'blue');
    alpha = maskCount === 4 ? channelMask(buf.readUInt32LE(masksAt + 12), 'alpha') : null;
  }

  const bytesPerPixel = bitsPerPixel / 8;
  const rowStride = Math.ceil((width * bitsPerPixel) / 32) * 4;
  const needed = pixelOffset + rowStride * (height - 1) + width * bytesPerPixel;
  if (pixelOffset < FILE_HEADER_SIZE + dibSize || needed > buf.length) {
    throw invalidImage(`The BMP file is truncated (${buf.length} bytes, pixel data needs ${needed}).`);
  }

  const channels: 3 | 4 = alpha ? 4 : 3;
  const out = Buffer.allocUnsafe(width * height * channels);
  for (let y = 0; y < height; y += 1) {
    const srcRow = pixelOffset + (topDown ? y : height - 1 - y) * rowStride;
    let o = y * width * channels;
    if (compression === BI_RGB) {
      // BI_RGB 32-bit: the fourth byte is reserved, not alpha (per the BMP spec).
      for (let x = 0, s = srcRow; x < width; x += 1, s += bytesPerPixel) {
        out[o++] = buf[s + 2];
        out[o++] = buf[s + 1];
        out[o++] = buf[s];
      }
    } else {
      for (let x = 0, s = srcRow; x < width; x += 1, s += 4) {
        const px = buf.readUInt32LE(s);
        out[o++] = extract(px, red, 0);
        out[o++] = extract(px, green, 0);
        out[o++] = extract(px, blue, 0);
        if (channels === 4) out[o++] = extract(px, alpha, 255);
      }
    }
  }
  if (channels === 4) {
    // Writers that fill the alpha mask with zeros mean "no alpha"; a fully transparent
    // picture would otherwise reach the model as a blank image.
    let anyAlpha = false;
    for (let i = 3; i < out.length; i += 4) {
      if (out[i] !== 0) {
        anyAlpha = true;
        break;
      }
    }
    if (!anyAlpha) for (let i = 3; i < out.length; i += 4) out[i] = 255;
  }
  const compressionName = compression === BI_RGB ? 'BI_RGB' : compression === BI_BITFIELDS ? 'BI_BITFIELDS' : 'BI_ALPHABITFIELDS';
  return { data: out, width, height, channels, bitsPerPixel, compression: compressionName };
}
