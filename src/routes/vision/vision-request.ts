import type { FastifyRequest } from 'fastify';
import type { MultipartFile, MultipartValue } from '@fastify/multipart';
import { buildDataUrl } from '../../images/data-url.js';
import { formatBytes } from '../../images/image-errors.js';
import { badRequest, GatewayError } from '../../server/errors.js';

/** One request to the vision endpoint, whichever form it came in. */
export interface VisionRequest {
  /** http(s) URLs or data URLs, in request order. */
  images: string[];
  /** How errors name image i: `images[i]` (JSON) or `image` / `image[i]` (multipart). */
  imageParam: (index: number) => string;
  /** Where a request-wide image error (e.g. too many images) points. */
  imagesParam: string;
  prompt: string | undefined;
  model: string | undefined;
  stream: boolean;
  maxTokens: number | undefined;
  temperature: number | undefined;
  detail: ImageDetail | undefined;
}

export type ImageDetail = 'low' | 'high' | 'auto';

export interface MultipartLimits {
  /** Per uploaded file (`vision.max_upload_bytes`). */
  maxFileBytes: number;
  /** All uploaded files together. */
  maxTotalBytes: number;
}

export const MAX_FILES = 10;
export const MAX_FIELDS = 20;
export const MAX_FIELD_BYTES = 64 * 1024;
const DETAILS = new Set<ImageDetail>(['low', 'high', 'auto']);
const TEXT_FIELDS = new Set(['prompt', 'model', 'stream', 'max_tokens', 'temperature', 'detail']);

const invalid = (message: string, param: string, code = 'invalid_value') => badRequest(message, code, param);

const tooLarge = (message: string, param: string | null, code = 'upload_too_large') =>
  new GatewayError(message, { status: 413, code, param });

const missingImage = (form: 'multipart' | 'json') =>
  form === 'multipart'
    ? badRequest('No image was uploaded: send one or more files in the multipart field `image`.', 'missing_image', 'image')
    : badRequest('`images` is required: a non-empty array of image URLs (http, https or data URLs).', 'missing_image', 'images');

// --- field readers shared by both forms (multipart sends text, JSON sends typed values) ---

const readStream = (value: unknown, param: string): boolean => {
  if (value === undefined || value === null) return false;
  if (typeof value === 'boolean') return value;
  if (typeof value === 'string') {
    const text = value.trim().toLowerCase();
    if (text === 'true' || text === '1') return true;
    if (text === 'false' || text === '0' || text === '') return false;
  }
  throw invalid('`stream` must be true or false.', param, 'invalid_type');
};

const readNumber = (value: unknown, param: string, integer: boolean): number | undefined => {
  if (value === undefined || value === null || value === '') return undefined;
  const number = typeof value === 'string' ? Number(value.trim()) : value;
  if (typeof number !== 'number' || !Number.isFinite(number)) {
    throw invalid(`\`${param}\` must be a number.`, param, 'invalid_type');
  }
  if (integer && (!Number.isSafeInteger(number) || number < 1)) {
    throw invalid(`\`${param}\` must be a positive integer.`, param);
  }
  if (!integer && number < 0) throw invalid(`\`${param}\` must not be negative.`, param);
  return number;
};

const readText = (value: unknown, param: string): string | undefined => {
  if (value === undefined || value === null) return undefined;
  if (typeof value !== 'string') throw invalid(`\`${param}\` must be a string.`, param, 'invalid_type');
  const text = value.trim();
  return text === '' ? undefined : text;
};

const readDetail = (value: unknown): ImageDetail | undefined => {
  const text = readText(value, 'detail');
  if (text === undefined) return undefined;
  if (!DETAILS.has(text as ImageDetail)) throw invalid('`detail` must be one of low, high, auto.', 'detail');
  return text as ImageDetail;
};

const readCommon = (fields: Record<string, unknown>) => ({
  prompt: readText(fields.prompt, 'prompt'),
  model: readText(fields.model, 'model'),
  stream: readStream(fields.stream, 'stream'),
  maxTokens: readNumber(fields.max_tokens, 'max_tokens', true),
  temperature: readNumber(fields.temperature, 'temperature', false),
  detail: readDetail(fields.detail),
});

// --- JSON ---------------------------------------------------------------------------------

const IMAGE_URL = /^(https?:\/\/|data:)/i;

export function readJsonVisionRequest(body: unknown): VisionRequest {
  if (!body || typeof body !== 'object' || Array.isArray(body)) {
    throw badRequest('The request body must be a JSON object.', 'invalid_request');
  }
  const fields = body as Record<string, unknown>;
  const images = fields.images;
  if (images === undefined || images === null) throw missingImage('json');
  if (!Array.isArray(images)) {
    throw invalid('`images` must be an array of image URLs (http, https or data URLs).', 'images', 'invalid_type');
  }
  if (images.length === 0) throw missingImage('json');
  if (images.length > MAX_FILES) {
    throw invalid(`\`images\` has ${images.length} entries; at most ${MAX_FILES} are accepted.`, 'images', 'too_many_images');
  }
  images.forEach((image, i) => {
    if (typeof image !== 'string') {
      throw invalid(`\`images[${i}]\` must be a string (an http, https or data URL).`, `images[${i}]`, 'invalid_type');
    }
    if (!IMAGE_URL.test(image.trim())) {
      throw invalid(`\`images[${i}]\` must be an http, https or data: URL.`, `images[${i}]`, 'invalid_image_url');
    }
  });
  return {
    images: (images as string[]).map((image) => image.trim()),
    imageParam: (i) => `images[${i}]`,
    imagesParam: 'images',
    ...readCommon(fields),
  };
}

// --- multipart ----------------------------------------------------------------------------

const MULTIPART_LIMIT_CODES: Record<string, () => GatewayError> = {
  FST_FILES_LIMIT: () => tooLarge(`At most ${MAX_FILES} files can be uploaded in one request.`, 'image', 'too_many_files'),
  FST_FIELDS_LIMIT: () => tooLarge(`At most ${MAX_FIELDS} form fields are accepted.`, null, 'too_many_fields'),
  FST_PARTS_LIMIT: () => tooLarge('The multipart body has too many parts.', null, 'too_many_parts'),
};

/** busboy and the plugin throw plain errors for malformed bodies: never let them become a 500. */
const mapMultipartError = (error: unknown): unknown => {
  if (error instanceof GatewayError) return error;
  const code = (error as { code?: string } | null)?.code ?? '';
  const limit = MULTIPART_LIMIT_CODES[code];
  if (limit) return limit();
  if (code === 'FST_PROTO_VIOLATION') return badRequest('A form field name is not allowed.', 'invalid_multipart');
  if (code === 'FST_MP_PREMATURE_CLOSE') return badRequest('The upload ended before the multipart body was complete.', 'invalid_multipart');
  return badRequest('The multipart/form-data body is malformed.', 'invalid_multipart');
};

/** Read the file into memory, refusing it the moment it passes a limit (busboy stops at fileSize). */
async function readFile(part: MultipartFile, limits: MultipartLimits, usedBytes: number): Promise<Buffer> {
  const chunks: Buffer[] = [];
  let total = 0;
  const name = part.filename ? ` "${part.filename.slice(0, 100)}"` : '';
  for await (const chunk of part.file) {
    const buf = chunk as Buffer;
    total += buf.length;
    if (part.file.truncated || total > limits.maxFileBytes) {
      throw tooLarge(`The uploaded file${name} is larger than the ${formatBytes(limits.maxFileBytes)} upload limit.`, 'image');
    }
    if (usedBytes + total > limits.maxTotalBytes) {
      throw tooLarge(`The uploaded files together are larger than the ${formatBytes(limits.maxTotalBytes)} limit.`, 'image');
    }
    chunks.push(buf);
  }
  if (part.file.truncated) {
    throw tooLarge(`The uploaded file${name} is larger than the ${formatBytes(limits.maxFileBytes)} upload limit.`, 'image');
  }
  return Buffer.concat(chunks, total);
}

/**
 * Stream the multipart body: text fields are small and capped, files are read one at a
 * time and refused as soon as they pass a size limit, so nothing past a limit is kept.
 * Files become data URLs of the uploaded bytes; the image pipeline decides what they are.
 */
export async function readMultipartVisionRequest(request: FastifyRequest, limits: MultipartLimits): Promise<VisionRequest> {
  const fields: Record<string, string> = {};
  const images: string[] = [];
  let usedBytes = 0;
  try {
    const parts = request.parts({
      limits: {
        fileSize: limits.maxFileBytes,
        files: MAX_FILES,
        fields: MAX_FIELDS,
        fieldSize: MAX_FIELD_BYTES,
        parts: MAX_FILES + MAX_FIELDS,
      },
    });
    for await (const part of parts) {
      if (part.type === 'file') {
        if (part.fieldname !== 'image') {
          throw invalid(
            `Unexpected file field \`${part.fieldname.slice(0, 64)}\`; upload images in the field \`image\`.`,
            part.fieldname.slice(0, 64),
            'unexpected_file_field',
          );
        }
        const buffer = await readFile(part, limits, usedBytes);
        // Browsers send an empty, nameless file part when no file was chosen.
        if (buffer.length === 0 && !part.filename) continue;
        usedBytes += buffer.length;
        // The declared type is never trusted (the pipeline sniffs bytes); this one only keeps the URL well-formed.
        images.push(buildDataUrl('application/octet-stream', buffer));
        continue;
      }
      const field = part as MultipartValue;
      const name = field.fieldname;
      if (name === 'image') {
        throw invalid('`image` must be a file upload; send image URLs as JSON `images` instead.', 'image', 'invalid_type');
      }
      if (!TEXT_FIELDS.has(name)) continue; // unknown fields are ignored, like unknown JSON keys
      if (field.valueTruncated) {
        throw tooLarge(`The form field \`${name}\` is larger than ${formatBytes(MAX_FIELD_BYTES)}.`, name, 'field_too_large');
      }
      if (name in fields) throw invalid(`The form field \`${name}\` was sent more than once.`, name, 'duplicate_field');
      fields[name] = typeof field.value === 'string' ? field.value : String(field.value);
    }
  } catch (error) {
    throw mapMultipartError(error);
  }
  if (images.length === 0) throw missingImage('multipart');
  const single = images.length === 1;
  return {
    images,
    imageParam: (i) => (single ? 'image' : `image[${i}]`),
    imagesParam: 'image',
    ...readCommon(fields),
  };
}

/** The OpenAI chat body the vision request stands for: one user message, prompt first. */
export function buildVisionChatBody(input: VisionRequest, defaultPrompt: string): Record<string, unknown> {
  const content: unknown[] = [{ type: 'text', text: input.prompt ?? defaultPrompt }];
  for (const url of input.images) {
    content.push({ type: 'image_url', image_url: input.detail ? { url, detail: input.detail } : { url } });
  }
  const body: Record<string, unknown> = { messages: [{ role: 'user', content }], stream: input.stream };
  // The vision endpoint is the gateway's own shape: streams always end with the usage chunk.
  if (input.stream) body.stream_options = { include_usage: true };
  if (input.model !== undefined) body.model = input.model;
  if (input.maxTokens !== undefined) body.max_tokens = input.maxTokens;
  if (input.temperature !== undefined) body.temperature = input.temperature;
  return body;
}
