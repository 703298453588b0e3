import sharp, { type Metadata, type Sharp } from 'sharp';
import { GatewayError } from '../server/errors.js';
import { decodeBmp, type DecodedBmp } from './bmp-decoder.js';
import { isCleanJpeg, isCleanPng } from './container-scan.js';
import { assertDecodeBudget, DEFAULT_MAX_DECODE_BYTES, shapeFromMetadata } from './decode-budget.js';
import { dropAlpha, encodeJpegWithin, encodePngWithin, hasTransparency, sharpTimeout, type RawImage } from './encode-image.js';
import { imageTooLarge, invalidImage, unsupportedImageFormat } from './image-errors.js';
import { imageProcessingTimeout, type ImageDeadline, type ImageWorkQueue } from './image-work-queue.js';
import { SOURCE_FORMAT_NAMES, sniffImageFormat, type SourceImageFormat } from './sniff-image-format.js';
import { assertValidImageLimits, DEFAULT_MAX_INPUT_PIXELS, type ImageLimits } from './vendor-limits.js';

export type OutputImageFormat = 'jpeg' | 'png';

export interface ProcessedImage {
  buffer: Buffer;
  mime: string;
  format: OutputImageFormat;
  width: number;
  height: number;
  bytes: number;
  original: { format: SourceImageFormat; width: number; height: number; bytes: number };
  /** What was done, in order, e.g. ['rotate-exif', 'strip-metadata', 'resize 4000x3000->2048x1536', 'jpeg q85']. */
  operations: string[];
}

export interface ProcessImageOptions {
  /** Always produce this format (JPEG flattens transparency onto white). */
  forceFormat?: OutputImageFormat;
  /** Refuse (413) images whose decode would need more memory than this (default 256 MB). */
  maxDecodeBytes?: number;
  /** Admission for the decode and encode (concurrency, wait list, per-image time limit). */
  queue?: ImageWorkQueue;
}

// libvips' operation cache keeps recent results (up to 50 MB by default) for re-use; a
// gateway never processes the same pixels twice, so it would only hold memory.
sharp.cache(false);

const MIME: Record<OutputImageFormat, string> = { jpeg: 'image/jpeg', png: 'image/png' };

interface Source {
  format: SourceImageFormat;
  /** A fresh sharp pipeline over the input (sharp instances are single-use). */
  open: () => Sharp;
  width: number;
  height: number;
  orientation: number;
  pages: number;
  hasMetadata: boolean;
  /** 8-bit sRGB/greyscale, i.e. safe to hand to any vendor as-is. */
  plainPixels: boolean;
  compression?: string;
}

const cleanLibvipsMessage = (message: string): string => {
  const lines = message
    .split('\n')
    .map((line) => line.replace(/^Input buffer has corrupt header:\s*/i, '').trim())
    .filter((line) => line && !/^source: bad seek/i.test(line));
  return [...new Set(lines)].join('; ').slice(0, 200) || 'unknown decoder error';
};

function mapDecodeError(
  err: unknown,
  format: SourceImageFormat,
  maxInputPixels: number,
  compression?: string,
  deadline?: ImageDeadline,
) {
  if (err instanceof GatewayError) return err;
  const message = err instanceof Error ? err.message : String(err);
  const name = SOURCE_FORMAT_NAMES[format];
  if (deadline && /^timeout\b/i.test(message)) return imageProcessingTimeout(deadline.timeoutMs, err);
  if (/exceeds pixel limit/i.test(message)) {
    return imageTooLarge(
      `The ${name} image has more than ${maxInputPixels} pixels, the input limit; send a smaller image.`,
      413,
      err,
    );
  }
  if (format === 'heic' || compression === 'hevc') {
    return unsupportedImageFormat(
      'HEIC images (HEVC-compressed HEIF) cannot be decoded by this gateway; convert the image to JPEG or PNG and try again.',
      err,
    );
  }
  if (/unsupported image format/i.test(message)) {
    return unsupportedImageFormat(`The ${name} data could not be read as an image; send JPEG or PNG.`, err);
  }
  return invalidImage(`The ${name} image is corrupt or truncated (${cleanLibvipsMessage(message)}).`, err);
}

const ACCEPTED_DECODERS = new Set(['jpeg', 'png', 'webp', 'gif', 'tiff', 'heif']);

/** BMP: the header's size, then a decode only once the image's turn in the queue comes. */
function openBmp(buf: Buffer, maxInputPixels: number, maxDecodeBytes: number): Source {
  const width = buf.readInt32LE(18);
  const height = Math.abs(buf.readInt32LE(22));
  let bmp: DecodedBmp | null = null;
  // A header this decoder refuses anyway: let it say why now.
  if (buf.length < 54 || width <= 0 || height <= 0 || width * height > maxInputPixels) bmp = decodeBmp(buf, { maxPixels: maxInputPixels });
  assertDecodeBudget({ format: 'bmp', width, height, channels: 4, bytesPerSample: 1, progressive: false }, maxDecodeBytes);
  return {
    format: 'bmp',
    open: () => {
      bmp ??= decodeBmp(buf, { maxPixels: maxInputPixels });
      return sharp(bmp.data, { raw: { width: bmp.width, height: bmp.height, channels: bmp.channels }, limitInputPixels: maxInputPixels });
    },
    width,
    height,
    orientation: 1,
    pages: 1,
    hasMetadata: false,
    plainPixels: false,
  };
}

async function openSource(buf: Buffer, format: SourceImageFormat, maxInputPixels: number, maxDecodeBytes: number): Promise<Source> {
  if (format === 'bmp') return openBmp(buf, maxInputPixels, maxDecodeBytes);
  // failOn 'error' (not the stricter 'warning'): truncation and decoder errors abort, but
  // the harmless warnings common in phone and scanner JPEGs do not.
  const open = () => sharp(buf, { limitInputPixels: maxInputPixels, failOn: 'error', pages: 1, page: 0 });
  let meta: Metadata;
  try {
    meta = await open().metadata();
  } catch (err) {
    throw mapDecodeError(err, format, maxInputPixels);
  }
  if (!ACCEPTED_DECODERS.has(meta.format)) {
    throw unsupportedImageFormat(`The data decodes as ${meta.format}, which is not a supported image format.`);
  }
  if (!meta.width || !meta.height) throw invalidImage(`The ${SOURCE_FORMAT_NAMES[format]} image has no dimensions.`);
  if (meta.width * meta.height > maxInputPixels) {
    throw imageTooLarge(`The image is ${meta.width}x${meta.height}, above the ${maxInputPixels}-pixel input limit.`, 413);
  }
  // Before any pixel is decoded: what the header says the decode will hold in memory.
  assertDecodeBudget(shapeFromMetadata(format, meta), maxDecodeBytes);
  const hasMetadata = Boolean(
    meta.exif || meta.icc || meta.iptc || meta.xmp || meta.tifftagPhotoshop || meta.hasProfile || meta.comments?.length,
  );
  // The codec, not the brand list, decides what a HEIF container really is.
  const refined: SourceImageFormat =
    meta.format === 'heif' && meta.compression === 'av1' ? 'avif' : meta.format === 'heif' && meta.compression === 'hevc' ? 'heic' : format;
  return {
    format: refined,
    open,
    width: meta.width,
    height: meta.height,
    orientation: meta.orientation ?? 1,
    pages: meta.pages ?? 1,
    hasMetadata,
    plainPixels: meta.depth === 'uchar' && (meta.space === 'srgb' || meta.space === 'b-w'),
    compression: meta.compression,
  };
}

/** Largest size within both limits, never upscaled; floor keeps both limits exact. */
export function fitWithin(
  width: number,
  height: number,
  limits: Pick<ImageLimits, 'maxLongEdge' | 'maxPixels'>,
): { width: number; height: number } {
  const scale = Math.min(1, limits.maxLongEdge / Math.max(width, height), Math.sqrt(limits.maxPixels / (width * height)));
  if (scale >= 1) return { width, height };
  return { width: Math.max(1, Math.floor(width * scale)), height: Math.max(1, Math.floor(height * scale)) };
}

async function decodeToRaw(
  source: Source,
  rotate: boolean,
  target: { width: number; height: number } | null,
  deadline: ImageDeadline | undefined,
) {
  let pipeline = source.open();
  if (deadline) pipeline = pipeline.timeout(sharpTimeout(deadline));
  if (rotate) pipeline = pipeline.autoOrient();
  if (target) pipeline = pipeline.resize(target.width, target.height, { fit: 'fill', kernel: 'lanczos3' });
  const { data, info } = await pipeline.toColourspace('srgb').raw().toBuffer({ resolveWithObject: true });
  if (info.channels !== 3 && info.channels !== 4) {
    throw invalidImage(`The image decoded to an unexpected ${info.channels}-channel layout.`);
  }
  return { data, width: info.width, height: info.height, channels: info.channels } satisfies RawImage;
}

/**
 * Fit one image to a target's limits: decode (first frame only), apply EXIF orientation,
 * drop all metadata, downscale within maxLongEdge/maxPixels, re-encode as JPEG (PNG when
 * there is real transparency) and shrink until it is under maxBytes.
 */
export async function processImage(
  input: Buffer | Uint8Array,
  limits: ImageLimits,
  options: ProcessImageOptions = {},
): Promise<ProcessedImage> {
  assertValidImageLimits(limits);
  if (!(input instanceof Uint8Array)) throw invalidImage('The image must be binary data.');
  const buf = Buffer.isBuffer(input) ? input : Buffer.from(input.buffer, input.byteOffset, input.byteLength);
  if (buf.length === 0) throw invalidImage('The image is empty (0 bytes).');
  const maxInputPixels = limits.maxInputPixels ?? DEFAULT_MAX_INPUT_PIXELS;

  // The header read (cheap) and the size checks come first, outside the queue: a bomb is
  // refused at once instead of waiting for a slot.
  const source = await openSource(buf, sniffImageFormat(buf), maxInputPixels, options.maxDecodeBytes ?? DEFAULT_MAX_DECODE_BYTES);
  if (!options.queue) return convert(buf, source, limits, options, maxInputPixels, undefined);
  return options.queue.run((deadline) => convert(buf, source, limits, options, maxInputPixels, deadline));
}

async function convert(
  buf: Buffer,
  source: Source,
  limits: ImageLimits,
  options: ProcessImageOptions,
  maxInputPixels: number,
  deadline: ImageDeadline | undefined,
): Promise<ProcessedImage> {
  const { format } = source;
  const rotate = source.orientation > 1;
  const oriented =
    rotate && source.orientation >= 5
      ? { width: source.height, height: source.width }
      : { width: source.width, height: source.height };
  const fitted = fitWithin(oriented.width, oriented.height, limits);
  const resize = fitted.width !== oriented.width || fitted.height !== oriented.height;

  let raw: RawImage;
  try {
    raw = await decodeToRaw(source, rotate, resize ? fitted : null, deadline);
  } catch (err) {
    throw mapDecodeError(err, format, maxInputPixels, source.compression, deadline);
  }
  deadline?.check();

  const transparent = hasTransparency(raw);
  const outFormat: OutputImageFormat = options.forceFormat ?? (transparent ? 'png' : 'jpeg');
  const original = { format, width: oriented.width, height: oriented.height, bytes: buf.length };

  const passThrough =
    format === outFormat &&
    !rotate &&
    !resize &&
    source.pages <= 1 &&
    !source.hasMetadata &&
    source.plainPixels &&
    buf.length <= limits.maxBytes &&
    (format === 'jpeg' ? isCleanJpeg(buf) : isCleanPng(buf));
  if (passThrough) {
    return {
      buffer: buf,
      mime: MIME[outFormat],
      format: outFormat,
      width: raw.width,
      height: raw.height,
      bytes: buf.length,
      original,
      operations: ['passthrough'],
    };
  }

  const operations: string[] = [];
  if (format === 'bmp') operations.push('decode-bmp');
  if (source.pages > 1) operations.push('first-frame');
  if (rotate) operations.push('rotate-exif');
  if (source.hasMetadata || rotate) operations.push('strip-metadata');
  if (resize) operations.push(`resize ${oriented.width}x${oriented.height}->${fitted.width}x${fitted.height}`);

  if (outFormat === 'jpeg' && raw.channels === 4) {
    if (transparent) operations.push('flatten-alpha');
    raw = dropAlpha(raw);
  }
  const encoded =
    outFormat === 'jpeg' ? await encodeJpegWithin(raw, limits.maxBytes, deadline) : await encodePngWithin(raw, limits.maxBytes, deadline);
  operations.push(...encoded.operations);
  return {
    buffer: encoded.buffer,
    mime: MIME[outFormat],
    format: outFormat,
    width: encoded.width,
    height: encoded.height,
    bytes: encoded.buffer.length,
    original,
    operations,
  };
}

export { describeProcessing } from './describe-processing.js';
