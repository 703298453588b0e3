import { formatBytes, imageTooLarge, invalidImageData, unsupportedImageFormat } from './image-errors.js';

/**
 * Inline image data as clients send it: `data:image/png;base64,...` or, for vendors with
 * Ollama-style APIs, bare base64. Size is computed from the text before decoding so an
 * oversized payload is refused without allocating it, and the payload is decoded once.
 */
export interface DecodedImageData {
  /** Declared MIME type (lower-case), or null for raw base64 / a data URL without one. */
  mime: string | null;
  buffer: Buffer;
  bytes: number;
  source: 'data-url' | 'raw-base64';
}

export interface DataUrlParts {
  mime: string | null;
  /** The base64 payload with whitespace removed. */
  base64: string;
  /** Exact decoded length, computed without decoding. */
  decodedBytes: number;
}

const DATA_PREFIX = /^data:/i;
const BASE64_BODY = /^[A-Za-z0-9+/\-_]*={0,2}$/;
const WHITESPACE = /\s/;
// RFC 2045 token characters, enough to validate `type/subtype`.
const MEDIA_TYPE = /^[a-z0-9!#$&^_.+-]+\/[a-z0-9!#$&^_.+-]+$/;

export const isDataUrl = (value: string): boolean => DATA_PREFIX.test(value);

/** Decoded length of a base64 text (padding optional), or -1 when the length is impossible. */
export function base64DecodedLength(base64: string): number {
  let length = base64.length;
  let padding = 0;
  while (padding < 2 && length > 0 && base64.charCodeAt(length - 1) === 61 /* = */) {
    length -= 1;
    padding += 1;
  }
  if (padding > 0 && base64.length % 4 !== 0) return -1;
  const remainder = length % 4;
  if (remainder === 1) return -1;
  return Math.floor(length / 4) * 3 + (remainder === 0 ? 0 : remainder - 1);
}

/** Length of the base64 text for `bytes` raw bytes (with padding). */
export const base64EncodedLength = (bytes: number): number => Math.ceil(bytes / 3) * 4;

const cleanBase64 = (payload: string): string => {
  // Line-wrapped (MIME-style) base64 is common from some SDKs; strip only when present.
  const body = WHITESPACE.test(payload) ? payload.replace(/\s+/g, '') : payload;
  if (!body) throw invalidImageData('The image data is empty.');
  if (!BASE64_BODY.test(body)) throw invalidImageData('The image data is not valid base64.');
  return body;
};

const lengthOf = (base64: string): number => {
  const decodedBytes = base64DecodedLength(base64);
  if (decodedBytes < 0) throw invalidImageData('The image data is not valid base64 (truncated or mis-padded).');
  return decodedBytes;
};

/** Split and validate a data URL without decoding its payload. */
export function parseDataUrl(input: string): DataUrlParts {
  if (!isDataUrl(input)) throw invalidImageData('The image is not a data URL (expected "data:image/...;base64,...").');
  const comma = input.indexOf(',');
  if (comma < 0) throw invalidImageData('The data URL has no "," before its data.');
  const params = input.slice(5, comma).split(';').map((part) => part.trim());
  const type = params[0]?.toLowerCase() ?? '';
  if (!params.slice(1).some((p) => p.toLowerCase() === 'base64')) {
    throw invalidImageData('Only base64 data URLs are supported for images (add ";base64").');
  }
  if (type && !MEDIA_TYPE.test(type)) throw invalidImageData(`The data URL media type "${type.slice(0, 64)}" is invalid.`);
  if (type && !type.startsWith('image/') && type !== 'application/octet-stream') {
    throw unsupportedImageFormat(`The data URL declares ${type}, which is not an image.`);
  }
  const base64 = cleanBase64(input.slice(comma + 1));
  return { mime: type || null, base64, decodedBytes: lengthOf(base64) };
}

const refuseOversize = (bytes: number, maxBytes?: number) => {
  if (maxBytes !== undefined && bytes > maxBytes) {
    throw imageTooLarge(`The image data is ${formatBytes(bytes)}, above the ${formatBytes(maxBytes)} limit.`, 413);
  }
};

/**
 * Decode a data URL, or raw base64 when `allowRawBase64` is set. `maxBytes` caps the
 * decoded size and is checked before decoding (413 `image_too_large`).
 */
export function decodeImageData(
  input: string,
  options: { maxBytes?: number; allowRawBase64?: boolean } = {},
): DecodedImageData {
  if (typeof input !== 'string') throw invalidImageData('The image data must be a string.');
  let mime: string | null = null;
  let base64: string;
  let bytes: number;
  let source: DecodedImageData['source'];
  if (isDataUrl(input)) {
    ({ mime, base64, decodedBytes: bytes } = parseDataUrl(input));
    source = 'data-url';
  } else if (options.allowRawBase64) {
    base64 = cleanBase64(input);
    bytes = lengthOf(base64);
    source = 'raw-base64';
  } else {
    throw invalidImageData('The image is not a data URL (expected "data:image/...;base64,...").');
  }
  refuseOversize(bytes, options.maxBytes);
  const buffer = Buffer.from(base64, 'base64');
  // Buffer.from silently stops at the first bad quartet; the regex above rules that out,
  // so a length mismatch here means a bug, not bad input — still refuse rather than guess.
  if (buffer.length !== bytes) throw invalidImageData('The image data is not valid base64.');
  return { mime, buffer, bytes, source };
}

/** `data:<mime>;base64,<payload>` */
export const buildDataUrl = (mime: string, data: Buffer): string => `data:${mime};base64,${data.toString('base64')}`;
