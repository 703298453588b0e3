import sharp from 'sharp';
import type { DecodedImageInfo, ImageInfo } from './types.js';

const DATA_URL = /^data:([^;,]*)((?:;[^;,]*)*),/i;

/** Every `image_url` reference in OpenAI chat messages, in message/part order. */
export const collectImageUrls = (messages: unknown): string[] => {
  if (!Array.isArray(messages)) return [];
  const urls: string[] = [];
  for (const message of messages) {
    if (message === null || typeof message !== 'object') continue;
    const content = (message as { content?: unknown }).content;
    if (!Array.isArray(content)) continue;
    for (const part of content) {
      if (part === null || typeof part !== 'object') continue;
      const typed = part as { type?: unknown; image_url?: unknown };
      if (typed.type !== 'image_url' && typed.image_url === undefined) continue;
      const imageUrl = typed.image_url;
      if (typeof imageUrl === 'string') urls.push(imageUrl);
      else if (imageUrl !== null && typeof imageUrl === 'object') {
        const url = (imageUrl as { url?: unknown }).url;
        if (typeof url === 'string') urls.push(url);
      }
    }
  }
  return urls;
};

const describeBytes = async (
  kind: 'data' | 'base64',
  declaredMime: string | null,
  bytes: Buffer,
): Promise<DecodedImageInfo> => {
  try {
    const metadata = await sharp(bytes).metadata();
    const format = metadata.format ?? null;
    return {
      kind,
      mime: declaredMime ?? (format ? `image/${format}` : null),
      format,
      width: metadata.width ?? null,
      height: metadata.height ?? null,
      bytes: bytes.length,
      hasExif: metadata.exif !== undefined && metadata.exif.length > 0,
      hasAlpha: metadata.hasAlpha === true,
    };
  } catch (error) {
    return {
      kind,
      mime: declaredMime,
      format: null,
      width: null,
      height: null,
      bytes: bytes.length,
      hasExif: false,
      hasAlpha: false,
      error: error instanceof Error ? error.message : String(error),
    };
  }
};

export const inspectImageUrl = async (url: string): Promise<ImageInfo> => {
  if (/^https?:\/\//i.test(url)) return { kind: 'url', url };
  const dataUrl = DATA_URL.exec(url);
  if (dataUrl) {
    const mime = dataUrl[1] ? dataUrl[1].toLowerCase() : null;
    const isBase64 = /;base64$/i.test(dataUrl[2] ?? '') || /;base64;/i.test(dataUrl[2] ?? '');
    const payload = url.slice(dataUrl[0].length);
    let bytes: Buffer;
    try {
      bytes = isBase64 ? Buffer.from(payload, 'base64') : Buffer.from(decodeURIComponent(payload), 'latin1');
    } catch {
      bytes = Buffer.alloc(0);
    }
    return describeBytes('data', mime, bytes);
  }
  return describeBytes('base64', null, Buffer.from(url.trim(), 'base64'));
};

export const inspectImages = (urls: string[]): Promise<ImageInfo[]> => Promise.all(urls.map(inspectImageUrl));

/** The acknowledgement line the simulated model appends for each image. */
export const describeImageLine = (image: ImageInfo, position: number): string => {
  if (image.kind === 'url') return `[image ${position}: url ${image.url}]`;
  if (image.format === null) return `[image ${position}: undecodable ${image.bytes} bytes]`;
  return `[image ${position}: ${image.format} ${image.width}x${image.height} ${image.bytes} bytes]`;
};
