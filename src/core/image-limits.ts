/**
 * What an upstream accepts (or usefully reads) per image. `maxBytes` is the size of the
 * encoded image file, before base64; where a vendor documents its limit on the base64
 * string instead, the vendor table converts (base64 is 4/3 of the raw size).
 */
export interface ImageLimits {
  /** Longest edge in pixels after orientation. */
  maxLongEdge: number;
  /** Width × height after the long-edge fit. */
  maxPixels: number;
  /** Encoded file size in bytes. */
  maxBytes: number;
  /** Decoded pixel count we agree to decode at all (decompression-bomb guard). Default 100 MP. */
  maxInputPixels?: number;
  /** Images per request the vendor accepts. */
  maxImagesPerRequest?: number;
}
