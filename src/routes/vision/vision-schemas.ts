import { MAX_FIELD_BYTES, MAX_FILES } from './vision-request.js';

/**
 * OpenAPI only (bodies are read by hand). Fastify and @fastify/swagger accept a body
 * schema keyed by media type, so both request forms are documented on the one route.
 */
const commonProperties = {
  prompt: { type: 'string', description: 'What to ask about the image(s); default `vision.default_prompt`.' },
  model: { type: 'string', description: 'Model name, alias or `provider/model`; absent means the active vision model.' },
  max_tokens: { type: 'integer', minimum: 1 },
  temperature: { type: 'number', minimum: 0 },
  detail: { type: 'string', enum: ['low', 'high', 'auto'], description: 'Passed on as `image_url.detail` for every image.' },
} as const;

export const visionMultipartSchema = {
  type: 'object',
  required: ['image'],
  properties: {
    image: {
      type: 'array',
      maxItems: MAX_FILES,
      items: { type: 'string', format: 'binary' },
      description:
        'One or more image files (JPEG, PNG, WebP, GIF, AVIF, TIFF, BMP, HEIF), each at most `vision.max_upload_bytes`. ' +
        'They are converted to what the model\'s vendor accepts (format, dimensions, bytes); EXIF is applied and stripped.',
    },
    ...commonProperties,
    stream: { type: 'string', enum: ['true', 'false'], description: 'Answer as `text/event-stream`.' },
  },
  description: `Text fields are at most ${MAX_FIELD_BYTES / 1024}KB each.`,
} as const;

export const visionJsonSchema = {
  type: 'object',
  required: ['images'],
  additionalProperties: true,
  properties: {
    images: {
      type: 'array',
      minItems: 1,
      maxItems: MAX_FILES,
      items: { type: 'string', description: 'An http(s) URL or a base64 `data:image/...` URL.' },
      description:
        'Data URLs are always converted for the vendor. http(s) URLs are passed on for vendors that fetch URLs themselves, ' +
        'else fetched by the gateway (never from internal addresses unless the host is in `vision.allowed_url_hosts`).',
    },
    ...commonProperties,
    stream: { type: 'boolean' },
  },
} as const;

export const visionRequestBody = {
  content: {
    'multipart/form-data': { schema: visionMultipartSchema },
    'application/json': { schema: visionJsonSchema },
  },
} as const;

export const visionResponseHeaders = {
  'x-gateway-images': { type: 'string', description: 'How many images the request carried.' },
  'x-gateway-image-processing': {
    type: 'string',
    description:
      'What the pipeline did per image, joined with ` | `, e.g. `png 4000x3000 5.1MB -> jpeg 2048x1536 412KB; strip-metadata,jpeg q85`.',
  },
} as const;
