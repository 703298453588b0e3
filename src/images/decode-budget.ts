import type { Metadata } from 'sharp';
import { imageTooLarge } from './image-errors.js';
import { SOURCE_FORMAT_NAMES, type SourceImageFormat } from './sniff-image-format.js';

/** Default ceiling on the memory one image may need while it is decoded. */
export const DEFAULT_MAX_DECODE_BYTES = 256 * 1024 * 1024;

/** What the header says about the pixels, before a single one is decoded. */
export interface DecodeShape {
  format: SourceImageFormat;
  width: number;
  height: number;
  /** Channels after decoding (palette images expand to RGB or RGBA). */
  channels: number;
  /** Bytes per channel sample: 1 for 8-bit, 2 for 16-bit (and 10/12-bit HEIF). */
  bytesPerSample: number;
  /** Interlaced PNG / progressive JPEG: the decoder holds the whole frame. */
  progressive: boolean;
  /** JPEG only, e.g. '4:2:0': subsampled chroma planes hold fewer coefficients. */
  chromaSubsampling?: string;
}

const BYTES_PER_SAMPLE: Record<string, number> = { uchar: 1, char: 1, ushort: 2, short: 2, uint: 4, int: 4, float: 4 };

/** The decode shape of what sharp's header read reported. */
export const shapeFromMetadata = (format: SourceImageFormat, meta: Metadata): DecodeShape => ({
  format,
  width: meta.width ?? 0,
  height: meta.height ?? 0,
  // Palette PNG/GIF decode to RGB(A); a missing count is treated as RGBA.
  channels: Math.max(meta.channels ?? 4, meta.isPalette ? (meta.hasAlpha ? 4 : 3) : 0),
  bytesPerSample: Math.max(
    BYTES_PER_SAMPLE[meta.depth ?? 'uchar'] ?? 1,
    meta.bitsPerSample && meta.bitsPerSample > 8 ? 2 : 1,
  ),
  progressive: meta.isProgressive === true,
  ...(meta.chromaSubsampling ? { chromaSubsampling: meta.chromaSubsampling } : {}),
});

/** Coefficients per pixel of a JPEG: luma plus each chroma plane at its subsampled size. */
const jpegSamplesPerPixel = (channels: number, subsampling: string | undefined): number => {
  if (channels < 3) return channels;
  const chroma = subsampling?.startsWith('4:2:0') ? 0.25 : subsampling?.startsWith('4:2:2') || subsampling?.startsWith('4:4:0') ? 0.5 : 1;
  return 1 + 2 * chroma + (channels > 3 ? 1 : 0);
};

/** Rows a streaming decoder keeps in flight (libvips strips plus the resize kernel's window). */
const STREAMING_ROWS = 256;

/**
 * Memory the decoder needs for this image. Baseline JPEG and non-interlaced PNG are decoded
 * in strips (libvips sequential access), so they cost a few hundred rows. Everything else
 * needs the whole frame at once: interlaced PNG (Adam7 passes fill the frame in 7 sweeps),
 * progressive JPEG (libjpeg keeps every DCT coefficient, 2 bytes per sample), WebP, GIF,
 * HEIF/AVIF, TIFF and BMP.
 */
export function estimateDecodeBytes(shape: DecodeShape): number {
  const { width, height, channels, format } = shape;
  const progressive = shape.progressive;
  if (format === 'jpeg') {
    // Every DCT coefficient is 16-bit regardless of the 8-bit output.
    const samples = jpegSamplesPerPixel(channels, shape.chromaSubsampling);
    return progressive ? Math.ceil(width * height * samples * 2) : width * channels * STREAMING_ROWS * 2;
  }
  const frameBytes = width * height * channels * shape.bytesPerSample;
  if (format === 'png' && !progressive) return Math.min(frameBytes, width * channels * shape.bytesPerSample * STREAMING_ROWS);
  return frameBytes;
}

const mb = (bytes: number) => Math.ceil(bytes / (1024 * 1024));

/** 413 before decoding when the image would need more than `maxDecodeBytes`. */
export function assertDecodeBudget(shape: DecodeShape, maxDecodeBytes: number): void {
  const needed = estimateDecodeBytes(shape);
  if (needed <= maxDecodeBytes) return;
  const name = SOURCE_FORMAT_NAMES[shape.format];
  const kind = shape.progressive ? (shape.format === 'png' ? 'interlaced ' : 'progressive ') : '';
  const depth = shape.bytesPerSample > 1 ? `${shape.bytesPerSample * 8}-bit ` : '';
  throw imageTooLarge(
    `The ${shape.width}x${shape.height} ${kind}${depth}${name} image (${shape.channels} channels) would need about ` +
      `${mb(needed)} MB to decode, above the ${mb(maxDecodeBytes)} MB per-image limit; send a smaller image` +
      (shape.progressive ? ' or a non-interlaced one.' : '.'),
    413,
  );
}
