import { GatewayError } from '../server/errors.js';
import { buildDataUrl, decodeImageData, isDataUrl } from './data-url.js';
import { ImageErrorCode, invalidImageUrl, withParam } from './image-errors.js';
import { processImage, type ProcessedImage, type ProcessImageOptions } from './process-image.js';
import type { ImageLimits } from './vendor-limits.js';

/**
 * How a target wants images: the original http(s) URL when it can fetch it itself, a
 * `data:` URL, or bare base64 (Ollama-style `images: [...]`, some native vendor APIs).
 */
export type ImageDelivery = 'url' | 'data-url' | 'raw-base64';

export interface ImagePartRef {
  messageIndex: number;
  partIndex: number;
  /** The `image_url.url` (or the string `image_url`) as sent. */
  url: string;
  /** `image_url: {url}` (object) or `image_url: "..."` (string). */
  shape: 'object' | 'string';
  kind: 'http' | 'data-url' | 'raw-base64' | 'other';
  /** Request location for errors, e.g. `messages[0].content[1].image_url`. */
  param: string;
}

export interface TransformMessageImagesOptions {
  delivery: ImageDelivery;
  /** Fetch and inline http(s) images even when the target could fetch them itself. */
  forceInline: boolean;
  limits: ImageLimits;
  /** SSRF-safe fetch, normally `fetchImageUrl` bound to the operator's options. */
  fetch: (url: string) => Promise<{ buffer: Buffer }>;
  /**
   * For URLs passed on unfetched ('url' delivery): checks the URL and returns the form to
   * send (see `vetPassThroughUrl`). Without it the URL is passed on as sent.
   */
  vetUrl?: (url: string) => Promise<string>;
  processOptions?: ProcessImageOptions;
}

export interface TransformedMessages {
  messages: unknown[];
  /** One entry per image that was processed, in request order. */
  processed: ProcessedImage[];
}

const isRecord = (value: unknown): value is Record<string, unknown> =>
  typeof value === 'object' && value !== null && !Array.isArray(value);

const HTTP_URL = /^https?:\/\//i;
// Bare base64 of any supported image is long and has no URL punctuation.
const RAW_BASE64 = /^[A-Za-z0-9+/\s]+={0,2}\s*$/;

const classify = (url: string): ImagePartRef['kind'] => {
  if (HTTP_URL.test(url)) return 'http';
  if (isDataUrl(url)) return 'data-url';
  if (url.length >= 16 && RAW_BASE64.test(url)) return 'raw-base64';
  return 'other';
};

const imageUrlOf = (part: Record<string, unknown>): { url: string; shape: ImagePartRef['shape'] } | null => {
  const value = part.image_url;
  if (typeof value === 'string') return { url: value, shape: 'string' };
  if (isRecord(value) && typeof value.url === 'string') return { url: value.url, shape: 'object' };
  return null;
};

/** Every `{type: 'image_url', image_url: {url} | "url"}` part, in order. */
export function collectImageParts(messages: unknown[]): ImagePartRef[] {
  const refs: ImagePartRef[] = [];
  if (!Array.isArray(messages)) return refs;
  messages.forEach((message, messageIndex) => {
    if (!isRecord(message) || !Array.isArray(message.content)) return;
    message.content.forEach((part, partIndex) => {
      if (!isRecord(part) || part.type !== 'image_url') return;
      const image = imageUrlOf(part);
      if (!image) return;
      refs.push({
        messageIndex,
        partIndex,
        url: image.url,
        shape: image.shape,
        kind: classify(image.url),
        param: `messages[${messageIndex}].content[${partIndex}].image_url`,
      });
    });
  });
  return refs;
}

/** Whether a chat body carries any image part. */
export function hasImages(body: unknown): boolean {
  return isRecord(body) && Array.isArray(body.messages) && collectImageParts(body.messages).length > 0;
}

const render = (processed: ProcessedImage, delivery: ImageDelivery): string =>
  delivery === 'raw-base64' ? processed.buffer.toString('base64') : buildDataUrl(processed.mime, processed.buffer);

/**
 * Decoded-size cap for inline images. The pipeline shrinks anything it can decode, so
 * inline input may exceed maxBytes; this only bounds memory: 4x the target, at least
 * 20MB, at most 64MB.
 */
const inputByteCap = (limits: ImageLimits): number =>
  Math.min(64 * 1024 * 1024, Math.max(20 * 1024 * 1024, limits.maxBytes * 4));

async function transformOne(ref: ImagePartRef, options: TransformMessageImagesOptions): Promise<ProcessedImage | null> {
  if (ref.kind === 'other') {
    throw invalidImageUrl('image_url must be an http(s) URL, a base64 data URL or base64 image data.');
  }
  if (ref.kind === 'http' && options.delivery === 'url' && !options.forceInline) return null;
  let input: Buffer;
  if (ref.kind === 'http') {
    ({ buffer: input } = await options.fetch(ref.url));
  } else {
    ({ buffer: input } = decodeImageData(ref.url, {
      maxBytes: inputByteCap(options.limits),
      allowRawBase64: ref.kind === 'raw-base64',
    }));
  }
  return processImage(input, options.limits, options.processOptions);
}

/**
 * Return NEW messages whose images fit `limits` and use the target's `delivery`. Data
 * URLs and raw base64 always go through `processImage` (they may exceed limits); http(s)
 * URLs are left alone for `url` delivery unless `forceInline`, else fetched and processed.
 * Other fields of a part (e.g. `detail`) are kept. The input is never mutated.
 */
export async function transformMessageImages(
  messages: unknown[],
  options: TransformMessageImagesOptions,
): Promise<TransformedMessages> {
  const refs = collectImageParts(messages);
  const max = options.limits.maxImagesPerRequest;
  if (max !== undefined && refs.length > max) {
    throw new GatewayError(`The request has ${refs.length} images; this model accepts at most ${max}.`, {
      status: 400,
      code: ImageErrorCode.tooManyImages,
      param: 'messages',
    });
  }
  const processed: ProcessedImage[] = [];
  const replacements = new Map<string, string>();
  // One at a time: each image may hold tens of MB of pixels while it is processed.
  for (const ref of refs) {
    let result: ProcessedImage | null;
    try {
      if (ref.kind === 'http' && options.delivery === 'url' && !options.forceInline) {
        const safe = options.vetUrl ? await options.vetUrl(ref.url) : ref.url;
        if (safe !== ref.url) replacements.set(`${ref.messageIndex}:${ref.partIndex}`, safe);
        continue;
      }
      result = await transformOne(ref, options);
    } catch (err) {
      throw withParam(err, ref.param);
    }
    if (!result) continue;
    processed.push(result);
    replacements.set(`${ref.messageIndex}:${ref.partIndex}`, render(result, options.delivery));
  }
  if (replacements.size === 0) return { messages: [...messages], processed };

  const out = messages.map((message, messageIndex) => {
    if (!isRecord(message) || !Array.isArray(message.content)) return message;
    const touched = message.content.some((_, i) => replacements.has(`${messageIndex}:${i}`));
    if (!touched) return message;
    return {
      ...message,
      content: message.content.map((part: unknown, partIndex: number) => {
        const replacement = replacements.get(`${messageIndex}:${partIndex}`);
        if (replacement === undefined || !isRecord(part)) return part;
        const image = part.image_url;
        return isRecord(image)
          ? { ...part, image_url: { ...image, url: replacement } }
          : { ...part, image_url: replacement };
      }),
    };
  });
  return { messages: out, processed };
}
