export { buildDataUrl, base64DecodedLength, base64EncodedLength, decodeImageData, isDataUrl, parseDataUrl } from './data-url.js';
export type { DataUrlParts, DecodedImageData } from './data-url.js';
export { fetchImageUrl } from './fetch-image-url.js';
export type { FetchedImage, FetchImageUrlOptions, HostResolver, ResolvedAddress } from './fetch-image-url.js';
export { ImageErrorCode } from './image-errors.js';
export { isRefusedAddress, parseNumericHost } from './ip-policy.js';
export type { AddressVerdict } from './ip-policy.js';
export { describeProcessing, fitWithin, processImage } from './process-image.js';
export type { OutputImageFormat, ProcessedImage, ProcessImageOptions } from './process-image.js';
export type { SourceImageFormat } from './sniff-image-format.js';
export { collectImageParts, hasImages, transformMessageImages } from './transform-message-images.js';
export type { ImageDelivery, ImagePartRef, TransformedMessages, TransformMessageImagesOptions } from './transform-message-images.js';
export {
  DEFAULT_MAX_INPUT_PIXELS,
  GENERIC_IMAGE_LIMITS,
  VENDOR_IMAGE_LIMITS,
  assertValidImageLimits,
  defaultImageLimits,
  knownImageVendors,
  normalizeVendor,
  resolveImageLimits,
} from './vendor-limits.js';
export type { ImageLimits } from './vendor-limits.js';
export { createChatImagePreparer } from './prepare-chat-images.js';
