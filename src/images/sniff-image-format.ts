import { unsupportedImageFormat } from './image-errors.js';

/** Formats the pipeline accepts as input. */
export type SourceImageFormat = 'jpeg' | 'png' | 'webp' | 'gif' | 'avif' | 'heic' | 'heif' | 'tiff' | 'bmp';

export const SOURCE_FORMAT_NAMES: Readonly<Record<SourceImageFormat, string>> = {
  jpeg: 'JPEG',
  png: 'PNG',
  webp: 'WebP',
  gif: 'GIF',
  avif: 'AVIF',
  heic: 'HEIC',
  heif: 'HEIF',
  tiff: 'TIFF',
  bmp: 'BMP',
};

export const ACCEPTED_FORMATS_TEXT = 'JPEG, PNG, WebP, GIF, AVIF, TIFF, BMP or HEIC/HEIF';

const startsWith = (buf: Buffer, bytes: number[], offset = 0) =>
  buf.length >= offset + bytes.length && bytes.every((b, i) => buf[offset + i] === b);

const ascii = (buf: Buffer, start: number, end: number) => buf.toString('latin1', start, end);

// ISO-BMFF brands (ISO/IEC 23008-12 and the AVIF spec). HEVC brands mean the decoder needs
// libde265, which sharp's prebuilt libvips usually lacks.
const AVIF_BRANDS = new Set(['avif', 'avis']);
const HEIC_BRANDS = new Set(['heic', 'heix', 'heim', 'heis', 'hevc', 'hevx', 'hevm', 'hevs']);
const HEIF_BRANDS = new Set(['mif1', 'msf1', 'mif2', 'miaf']);

/** Brands of an ISO-BMFF `ftyp` box at the start of the file, or null when there is none. */
export function readFtypBrands(buf: Buffer): string[] | null {
  if (buf.length < 16 || ascii(buf, 4, 8) !== 'ftyp') return null;
  const size = buf.readUInt32BE(0);
  // A box smaller than its header, or one that claims to run past the data, is not a real ftyp.
  if (size < 16 || size > 4096) return null;
  const end = Math.min(size, buf.length);
  const brands = [ascii(buf, 8, 12)];
  for (let i = 16; i + 4 <= end; i += 4) brands.push(ascii(buf, i, i + 4));
  return brands;
}

const describeUnknown = (buf: Buffer): string | null => {
  const head = ascii(buf, 0, Math.min(buf.length, 256)).trimStart().toLowerCase();
  if (head.startsWith('<?xml') || head.startsWith('<svg') || head.includes('<svg')) return 'SVG';
  if (head.startsWith('%pdf')) return 'PDF';
  if (head.startsWith('<!doctype html') || head.startsWith('<html')) return 'HTML';
  if (startsWith(buf, [0xff, 0x0a]) || startsWith(buf, [0, 0, 0, 0x0c, 0x4a, 0x58, 0x4c, 0x20])) return 'JPEG XL';
  if (startsWith(buf, [0, 0, 0, 0x0c, 0x6a, 0x50, 0x20, 0x20])) return 'JPEG 2000';
  if (startsWith(buf, [0, 0, 1, 0])) return 'ICO';
  if (ascii(buf, 0, 4) === '8BPS') return 'PSD';
  const brands = readFtypBrands(buf);
  if (brands) return `ISO media (${brands[0]})`;
  return null;
};

/**
 * Identify the format from magic bytes. We never trust a file name or declared MIME type:
 * a text file named .jpg and an SVG (which libvips would happily render) both stop here.
 */
export function sniffImageFormat(buf: Buffer): SourceImageFormat {
  if (startsWith(buf, [0xff, 0xd8, 0xff])) return 'jpeg';
  if (startsWith(buf, [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a])) return 'png';
  if (ascii(buf, 0, 6) === 'GIF87a' || ascii(buf, 0, 6) === 'GIF89a') return 'gif';
  if (ascii(buf, 0, 4) === 'RIFF' && ascii(buf, 8, 12) === 'WEBP') return 'webp';
  if (startsWith(buf, [0x49, 0x49, 0x2a, 0x00]) || startsWith(buf, [0x4d, 0x4d, 0x00, 0x2a])) return 'tiff';
  if (ascii(buf, 0, 2) === 'BM' && buf.length >= 26) return 'bmp';
  const brands = readFtypBrands(buf);
  if (brands) {
    const [major] = brands;
    // The major brand decides when it is specific; otherwise any compatible brand does.
    if (AVIF_BRANDS.has(major)) return 'avif';
    if (HEIC_BRANDS.has(major)) return 'heic';
    if (brands.some((b) => AVIF_BRANDS.has(b))) return 'avif';
    if (brands.some((b) => HEIC_BRANDS.has(b))) return 'heic';
    if (brands.some((b) => HEIF_BRANDS.has(b))) return 'heif';
  }
  const known = describeUnknown(buf);
  throw unsupportedImageFormat(
    known
      ? `${known} is not a supported image format; send ${ACCEPTED_FORMATS_TEXT}.`
      : `The data is not a recognised image; send ${ACCEPTED_FORMATS_TEXT}.`,
  );
}

export const mimeForFormat = (format: SourceImageFormat): string =>
  format === 'jpeg' ? 'image/jpeg' : format === 'bmp' ? 'image/bmp' : `image/${format}`;
