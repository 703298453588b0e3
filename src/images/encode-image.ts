import sharp, { type Sharp } from 'sharp';
import { formatBytes, imageTooLarge } from './image-errors.js';
import { imageProcessingTimeout, type ImageDeadline } from './image-work-queue.js';

/** Decoded 8-bit sRGB pixels, the single intermediate every encode attempt starts from. */
export interface RawImage {
  data: Buffer;
  width: number;
  height: number;
  channels: 3 | 4;
}

export interface EncodeResult {
  buffer: Buffer;
  width: number;
  height: number;
  operations: string[];
}

const JPEG_QUALITIES = [90, 85, 80, 75, 70, 65, 60, 55, 50, 45, 40];
// After a downscale the first pass already showed high qualities do not fit; fewer steps
// keep the worst case (noise at a tiny byte limit) to a handful of encodes per size.
const JPEG_QUALITIES_AFTER_DOWNSCALE = [80, 70, 60, 50, 40];
/** Below this edge an image is useless to a model; give up instead. */
const MIN_EDGE = 16;

/** sharp's own time limit (whole seconds) for what is left of an image's budget. */
export const sharpTimeout = (deadline: ImageDeadline) => ({ seconds: Math.max(1, Math.ceil(deadline.remainingMs() / 1000)) });

/** Run one sharp step within the deadline: checked before, enforced by libvips during. */
async function step<T>(deadline: ImageDeadline | undefined, work: (img: Sharp) => Promise<T>, img: Sharp): Promise<T> {
  if (!deadline) return work(img);
  deadline.check();
  try {
    return await work(img.timeout(sharpTimeout(deadline)));
  } catch (error) {
    if (error instanceof Error && /^timeout\b/i.test(error.message)) throw imageProcessingTimeout(deadline.timeoutMs, error);
    throw error;
  }
}

const fromRaw = (img: RawImage) =>
  sharp(img.data, { raw: { width: img.width, height: img.height, channels: img.channels } });

const encodeJpeg = (img: RawImage, quality: number, deadline?: ImageDeadline) =>
  step(deadline, (s) => s.jpeg({ quality, chromaSubsampling: '4:2:0', optimiseCoding: true }).toBuffer(), fromRaw(img));

// libimagequant effort above ~3 costs seconds on large noisy images for a few percent.
const encodePng = (img: RawImage, palette: boolean, deadline?: ImageDeadline) =>
  step(deadline, (s) => s
    .png(
      palette
        ? { palette: true, quality: 90, effort: 2, compressionLevel: 9, dither: 1 }
        : { compressionLevel: 9, adaptiveFiltering: true },
    )
    .toBuffer(), fromRaw(img));

async function resizeRaw(img: RawImage, width: number, height: number, deadline?: ImageDeadline): Promise<RawImage> {
  const { data, info } = await step(
    deadline,
    (s) => s.resize(width, height, { fit: 'fill', kernel: 'lanczos3' }).raw().toBuffer({ resolveWithObject: true }),
    fromRaw(img),
  );
  return { data, width: info.width, height: info.height, channels: info.channels === 4 ? 4 : 3 };
}

/**
 * Next size to try: encoded bytes grow roughly with pixel count, so scale both edges by
 * sqrt(limit / size) with a margin, but always by at least 10% and at most 4x per step.
 */
function nextSize(img: RawImage, lastBytes: number, maxBytes: number): { width: number; height: number } | null {
  const scale = Math.min(0.9, Math.max(0.25, Math.sqrt(maxBytes / lastBytes) * 0.9));
  const width = Math.floor(img.width * scale);
  const height = Math.floor(img.height * scale);
  if (Math.min(width, height) < MIN_EDGE) return null;
  return { width, height };
}

const cannotFit = (maxBytes: number, lastBytes: number, img: RawImage) =>
  imageTooLarge(
    `The image cannot be compressed under ${formatBytes(maxBytes)} (still ${formatBytes(lastBytes)} at ${img.width}x${img.height}).`,
    413,
  );

/** JPEG: lower the quality step by step, then the dimensions, until the bytes fit. */
export async function encodeJpegWithin(img: RawImage, maxBytes: number, deadline?: ImageDeadline): Promise<EncodeResult> {
  const operations: string[] = [];
  let current = img;
  let qualities = JPEG_QUALITIES;
  for (;;) {
    let lastBytes = 0;
    for (const quality of qualities) {
      const buffer = await encodeJpeg(current, quality, deadline);
      if (buffer.length <= maxBytes) {
        operations.push(`jpeg q${quality}`);
        return { buffer, width: current.width, height: current.height, operations };
      }
      lastBytes = buffer.length;
    }
    const next = nextSize(current, lastBytes, maxBytes);
    if (!next) throw cannotFit(maxBytes, lastBytes, current);
    operations.push(`resize ${current.width}x${current.height}->${next.width}x${next.height} (byte limit)`);
    current = await resizeRaw(current, next.width, next.height, deadline);
    qualities = JPEG_QUALITIES_AFTER_DOWNSCALE;
  }
}

/** PNG: best lossless compression, then a quantised palette, then smaller dimensions. */
export async function encodePngWithin(img: RawImage, maxBytes: number, deadline?: ImageDeadline): Promise<EncodeResult> {
  const operations: string[] = [];
  const lossless = await encodePng(img, false, deadline);
  if (lossless.length <= maxBytes) {
    return { buffer: lossless, width: img.width, height: img.height, operations: ['png'] };
  }
  let current = img;
  let lastBytes = lossless.length;
  for (;;) {
    const buffer = await encodePng(current, true, deadline);
    if (buffer.length <= maxBytes) {
      operations.push('png palette');
      return { buffer, width: current.width, height: current.height, operations };
    }
    lastBytes = buffer.length;
    const next = nextSize(current, lastBytes, maxBytes);
    if (!next) throw cannotFit(maxBytes, lastBytes, current);
    operations.push(`resize ${current.width}x${current.height}->${next.width}x${next.height} (byte limit)`);
    current = await resizeRaw(current, next.width, next.height, deadline);
  }
}

/** True when some pixel of an RGBA buffer is not fully opaque. */
export function hasTransparency(img: RawImage): boolean {
  if (img.channels !== 4) return false;
  const { data } = img;
  for (let i = 3; i < data.length; i += 4) if (data[i] !== 255) return true;
  return false;
}

/** RGBA → RGB, compositing over white (a no-op blend for opaque pixels). */
export function dropAlpha(img: RawImage): RawImage {
  if (img.channels === 3) return img;
  const pixels = img.width * img.height;
  const out = Buffer.allocUnsafe(pixels * 3);
  const src = img.data;
  for (let p = 0, s = 0, o = 0; p < pixels; p += 1, s += 4, o += 3) {
    const a = src[s + 3];
    if (a === 255) {
      out[o] = src[s];
      out[o + 1] = src[s + 1];
      out[o + 2] = src[s + 2];
    } else {
      const inv = 255 - a;
      out[o] = Math.round((src[s] * a + 255 * inv) / 255);
      out[o + 1] = Math.round((src[s + 1] * a + 255 * inv) / 255);
      out[o + 2] = Math.round((src[s + 2] * a + 255 * inv) / 255);
    }
  }
  return { data: out, width: img.width, height: img.height, channels: 3 };
}
