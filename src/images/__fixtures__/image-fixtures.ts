/**
 * Test-only image generators. Every fixture is produced at test time with sharp or with
 * the tiny writers below, so no binary fixtures live in the repository.
 */
import { createDeflate, deflateSync } from 'node:zlib';
import sharp from 'sharp';

export type Rgb = { r: number; g: number; b: number };

export const solid = (width: number, height: number, color: Rgb, alpha?: number) =>
  sharp({
    create: {
      width,
      height,
      channels: alpha === undefined ? 3 : 4,
      background: alpha === undefined ? color : { ...color, alpha },
    },
  });

/** Gaussian noise: incompressible, so byte limits really bite. */
export const noisy = (width: number, height: number, channels: 3 | 4 = 3) =>
  sharp({
    create: {
      width,
      height,
      channels,
      background: channels === 4 ? { r: 128, g: 128, b: 128, alpha: 0.5 } : { r: 128, g: 128, b: 128 },
      noise: { type: 'gaussian', mean: 128, sigma: 60 },
    },
  });

/**
 * Left half red, right half blue: after a 90° rotation the colours end up top/bottom,
 * which tells us the orientation was applied.
 */
export function halves(width: number, height: number) {
  const data = Buffer.alloc(width * height * 3);
  for (let y = 0; y < height; y += 1) {
    for (let x = 0; x < width; x += 1) data.set(x < width / 2 ? [255, 0, 0] : [0, 0, 255], (y * width + x) * 3);
  }
  return sharp(data, { raw: { width, height, channels: 3 } });
}

/** RGBA image, fully transparent in the top-left quadrant, opaque green elsewhere. */
export function transparentCorner(size: number) {
  const data = Buffer.alloc(size * size * 4);
  for (let y = 0; y < size; y += 1) {
    for (let x = 0; x < size; x += 1) {
      const hole = x < size / 2 && y < size / 2;
      data.set(hole ? [0, 0, 0, 0] : [0, 128, 0, 255], (y * size + x) * 4);
    }
  }
  return sharp(data, { raw: { width: size, height: size, channels: 4 } });
}

/** Pixel at (x, y) of an encoded image, as [r, g, b, (a)]. */
export async function pixelAt(image: Buffer, x: number, y: number): Promise<number[]> {
  const { data, info } = await sharp(image).raw().toBuffer({ resolveWithObject: true });
  const at = (y * info.width + x) * info.channels;
  return [...data.subarray(at, at + info.channels)];
}

export const near = (actual: number[], expected: number[], tolerance = 12) =>
  expected.every((value, i) => Math.abs((actual[i] ?? -999) - value) <= tolerance);

/** Minimal BMP writer: 24-bit BI_RGB bottom-up, or 32-bit BI_BITFIELDS (BGRA masks, V3 header). */
export function encodeBmp(
  pixels: Buffer,
  width: number,
  height: number,
  options: { bits: 24 | 32; topDown?: boolean; alphaMask?: boolean } = { bits: 24 },
): Buffer {
  const channels = options.bits === 24 ? 3 : 4;
  const bitfields = options.bits === 32;
  const dibSize = bitfields ? 56 : 40;
  const rowStride = Math.ceil((width * options.bits) / 32) * 4;
  const pixelOffset = 14 + dibSize;
  const out = Buffer.alloc(pixelOffset + rowStride * height);
  out.write('BM', 0, 'latin1');
  out.writeUInt32LE(out.length, 2);
  out.writeUInt32LE(pixelOffset, 10);
  out.writeUInt32LE(dibSize, 14);
  out.writeInt32LE(width, 18);
  out.writeInt32LE(options.topDown ? -height : height, 22);
  out.writeUInt16LE(1, 26);
  out.writeUInt16LE(options.bits, 28);
  out.writeUInt32LE(bitfields ? 3 : 0, 30);
  out.writeUInt32LE(rowStride * height, 34);
  if (bitfields) {
    out.writeUInt32LE(0x00ff0000, 54);
    out.writeUInt32LE(0x0000ff00, 58);
    out.writeUInt32LE(0x000000ff, 62);
    out.writeUInt32LE(options.alphaMask === false ? 0 : 0xff000000, 66);
  }
  for (let y = 0; y < height; y += 1) {
    const row = pixelOffset + (options.topDown ? y : height - 1 - y) * rowStride;
    for (let x = 0; x < width; x += 1) {
      const s = (y * width + x) * channels;
      const d = row + x * (options.bits / 8);
      out[d] = pixels[s + 2];
      out[d + 1] = pixels[s + 1];
      out[d + 2] = pixels[s];
      if (channels === 4) out[d + 3] = pixels[s + 3];
    }
  }
  return out;
}

// --- ISO-BMFF (HEIC) -------------------------------------------------------------------

const u32 = (n: number) => {
  const b = Buffer.alloc(4);
  b.writeUInt32BE(n);
  return b;
};
const u16 = (n: number) => {
  const b = Buffer.alloc(2);
  b.writeUInt16BE(n);
  return b;
};
const box = (type: string, ...parts: Buffer[]) => {
  const body = Buffer.concat(parts);
  return Buffer.concat([u32(8 + body.length), Buffer.from(type, 'latin1'), body]);
};
const fullBox = (type: string, version: number, ...parts: Buffer[]) =>
  box(type, Buffer.from([version, 0, 0, 0]), ...parts);

/**
 * A structurally valid HEIC container (ftyp heic, one `hvc1` item with hvcC + ispe) whose
 * payload is not real HEVC. libheif parses it like a phone photo and then needs the HEVC
 * decoder, which is exactly the path a real HEIC takes when libde265 is missing.
 */
export function heicContainer(width: number, height: number): Buffer {
  const payload = Buffer.alloc(64, 7);
  const ftyp = box('ftyp', Buffer.from('heic', 'latin1'), u32(0), Buffer.from('mif1heic', 'latin1'));
  const hdlr = fullBox('hdlr', 0, u32(0), Buffer.from('pict', 'latin1'), Buffer.alloc(12), Buffer.from([0]));
  const pitm = fullBox('pitm', 0, u16(1));
  const infe = fullBox('infe', 2, u16(1), u16(0), Buffer.from('hvc1', 'latin1'), Buffer.from([0]));
  const iinf = fullBox('iinf', 0, u16(1), infe);
  const hvcC = box(
    'hvcC',
    Buffer.from([1, 0x01, 0x60, 0, 0, 0, 0, 0, 0, 0, 0, 0, 90, 0xf0, 0x00, 0xfc, 0xfd, 0xf8, 0xf8, 0, 0, 0x0f, 0]),
  );
  const ispe = fullBox('ispe', 0, u32(width), u32(height));
  const iprp = box('iprp', box('ipco', hvcC, ispe), fullBox('ipma', 0, u32(1), u16(1), Buffer.from([2, 0x81, 0x02])));
  const iloc = (offset: number) =>
    fullBox('iloc', 0, Buffer.from([0x44, 0x00]), u16(1), u16(1), u16(0), u16(1), u32(offset), u32(payload.length));
  const meta = (offset: number) => fullBox('meta', 0, hdlr, pitm, iinf, iloc(offset), iprp);
  const offset = ftyp.length + meta(0).length + 8;
  return Buffer.concat([ftyp, meta(offset), box('mdat', payload)]);
}

// --- PNG header-only bomb --------------------------------------------------------------

const CRC_TABLE = (() => {
  const table = new Uint32Array(256);
  for (let n = 0; n < 256; n += 1) {
    let c = n;
    for (let k = 0; k < 8; k += 1) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
    table[n] = c >>> 0;
  }
  return table;
})();

const crc32 = (data: Buffer) => {
  let c = 0xffffffff;
  for (const byte of data) c = CRC_TABLE[(c ^ byte) & 0xff] ^ (c >>> 8);
  return (c ^ 0xffffffff) >>> 0;
};

const pngChunk = (type: string, data: Buffer) => {
  const typeAndData = Buffer.concat([Buffer.from(type, 'latin1'), data]);
  return Buffer.concat([u32(data.length), typeAndData, u32(crc32(typeAndData))]);
};

/**
 * A tiny PNG whose IHDR declares width x height (a decompression bomb's header) followed
 * by the first few compressed rows only.
 */
export function pngDeclaring(width: number, height: number): Buffer {
  const ihdr = Buffer.concat([u32(width), u32(height), Buffer.from([8, 2, 0, 0, 0])]);
  return Buffer.concat([
    Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]),
    pngChunk('IHDR', ihdr),
    pngChunk('IDAT', deflateSync(Buffer.alloc(4096))),
    pngChunk('IEND', Buffer.alloc(0)),
  ]);
}

/** Insert a tEXt chunk after IHDR (metadata a pass-through must not carry). */
export function withPngText(png: Buffer, keyword: string, text: string): Buffer {
  const ihdrEnd = 8 + 12 + png.readUInt32BE(8);
  const chunk = pngChunk('tEXt', Buffer.from(`${keyword}\0${text}`, 'latin1'));
  return Buffer.concat([png.subarray(0, ihdrEnd), chunk, png.subarray(ihdrEnd)]);
}

/** Bytes of the filtered, Adam7-interlaced scanlines of a width x height image (PNG spec, section 8.2). */
const adam7ScanlineBytes = (width: number, height: number, bytesPerPixel: number): number => {
  const passes = [
    [0, 0, 8, 8],
    [4, 0, 8, 8],
    [0, 4, 4, 8],
    [2, 0, 4, 4],
    [0, 2, 2, 4],
    [1, 0, 2, 2],
    [0, 1, 1, 2],
  ] as const;
  let total = 0;
  for (const [x0, y0, dx, dy] of passes) {
    const cols = Math.ceil((width - x0) / dx);
    const rows = Math.ceil((height - y0) / dy);
    if (cols > 0 && rows > 0) total += rows * (1 + cols * bytesPerPixel);
  }
  return total;
};

/**
 * A decompression bomb: an interlaced, fully transparent RGBA PNG (8 bits, or 16 with
 * `bitDepth: 16`) of the given size. All-zero scanlines deflate ~1000:1, so 10000x10000
 * is ~400 KB on the wire and ~400 MB (800 MB at 16 bits) once decoded. Streamed through
 * zlib in 1 MB pieces so building it never holds the decoded size in memory.
 */
export async function interlacedTransparentPng(
  width: number,
  height: number,
  bitDepth: 8 | 16 = 8,
  interlaced = true,
): Promise<Buffer> {
  const bytesPerPixel = 4 * (bitDepth / 8);
  let remaining = interlaced ? adam7ScanlineBytes(width, height, bytesPerPixel) : height * (1 + width * bytesPerPixel);
  const deflate = createDeflate({ level: 9 });
  const parts: Buffer[] = [];
  deflate.on('data', (chunk: Buffer) => parts.push(chunk));
  const done = new Promise<void>((resolve, reject) => {
    deflate.once('end', resolve);
    deflate.once('error', reject);
  });
  const zeros = Buffer.alloc(1024 * 1024);
  while (remaining > 0) {
    const piece = Math.min(remaining, zeros.length);
    remaining -= piece;
    if (!deflate.write(zeros.subarray(0, piece))) await new Promise((resolve) => deflate.once('drain', resolve));
  }
  deflate.end();
  await done;
  // IHDR: width, height, bit depth, colour type 6 (RGBA), compression 0, filter 0, interlace 1 (Adam7).
  const ihdr = Buffer.concat([u32(width), u32(height), Buffer.from([bitDepth, 6, 0, 0, interlaced ? 1 : 0])]);
  return Buffer.concat([
    Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]),
    pngChunk('IHDR', ihdr),
    pngChunk('IDAT', Buffer.concat(parts)),
    pngChunk('IEND', Buffer.alloc(0)),
  ]);
}
