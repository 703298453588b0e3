import { GatewayError } from '../server/errors.js';

/**
 * The stable codes the image pipeline answers with. Routes map them through the
 * shared error handler; clients and tests match on `code`, never on wording.
 */
export const ImageErrorCode = {
  invalidImage: 'invalid_image',
  invalidImageData: 'invalid_image_data',
  unsupportedFormat: 'unsupported_image_format',
  tooLarge: 'image_too_large',
  tooManyImages: 'too_many_images',
  invalidUrl: 'invalid_image_url',
  urlForbidden: 'image_url_forbidden',
  fetchFailed: 'image_fetch_failed',
  fetchTimeout: 'image_fetch_timeout',
  tooManyRedirects: 'image_fetch_too_many_redirects',
  invalidLimits: 'invalid_image_limits',
  processingTimeout: 'image_processing_timeout',
  queueFull: 'image_queue_full',
  queueTimeout: 'image_queue_timeout',
} as const;

export const invalidImage = (message: string, cause?: unknown) =>
  new GatewayError(message, { status: 400, code: ImageErrorCode.invalidImage, cause });

export const invalidImageData = (message: string) =>
  new GatewayError(message, { status: 400, code: ImageErrorCode.invalidImageData });

export const unsupportedImageFormat = (message: string, cause?: unknown) =>
  new GatewayError(message, { status: 415, code: ImageErrorCode.unsupportedFormat, cause });

/** 413: too many bytes, pixels or decode memory (decompression bombs). */
export const imageTooLarge = (message: string, status: 413 = 413, cause?: unknown) =>
  new GatewayError(message, { status, code: ImageErrorCode.tooLarge, cause });

export const invalidImageUrl = (message: string) =>
  new GatewayError(message, { status: 400, code: ImageErrorCode.invalidUrl });

export const imageUrlForbidden = (message: string) =>
  new GatewayError(message, { status: 400, code: ImageErrorCode.urlForbidden });

export const imageFetchFailed = (message: string, details?: Record<string, unknown>) =>
  new GatewayError(message, { status: 400, code: ImageErrorCode.fetchFailed, details });

export const imageFetchTimeout = (timeoutMs: number) =>
  new GatewayError(`Fetching the image URL took longer than ${timeoutMs} ms.`, {
    status: 504,
    code: ImageErrorCode.fetchTimeout,
  });

/** Re-attach a request location (e.g. `messages[0].content[1].image_url`) to an image error. */
export const withParam = (error: unknown, param: string): unknown => {
  if (!(error instanceof GatewayError) || error.param) return error;
  return new GatewayError(error.message, {
    status: error.status,
    code: error.code,
    type: error.type,
    param,
    headers: error.headers,
    details: error.details,
    cause: error.cause,
  });
};

export const formatBytes = (bytes: number): string => {
  if (bytes < 1024) return `${bytes}B`;
  if (bytes < 1024 * 1024) return `${Math.round(bytes / 1024)}KB`;
  return `${(bytes / (1024 * 1024)).toFixed(1)}MB`;
};
