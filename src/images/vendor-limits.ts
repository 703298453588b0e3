import { GatewayError } from '../server/errors.js';
import { ImageErrorCode } from './image-errors.js';
import type { ImageLimits } from '../core/image-limits.js';
import { canonicalVendor, VENDORS } from '../providers/vendor-table.js';

export type { ImageLimits } from '../core/image-limits.js';

export const DEFAULT_MAX_INPUT_PIXELS = 100_000_000;

const MB = 1024 * 1024;
/** Raw bytes whose base64 form stays within `limit` bytes. */
const rawForBase64 = (limit: number) => Math.floor((limit * 3) / 4);

/**
 * Per-vendor defaults, from the one vendor table (src/providers/vendor-table.ts, where
 * each number's source is given), keyed by vendor id. Operators override per provider
 * and per model (`resolveImageLimits`).
 */
export const VENDOR_IMAGE_LIMITS: Readonly<Record<string, Readonly<ImageLimits>>> = Object.fromEntries(
  VENDORS.flatMap((vendor) => (vendor.imageLimits ? [[vendor.id, vendor.imageLimits]] : [])),
);

/** Unknown vendors: a middle ground that every vendor above accepts. */
export const GENERIC_IMAGE_LIMITS: Readonly<ImageLimits> = {
  maxLongEdge: 2048,
  maxPixels: 2048 * 2048,
  maxBytes: rawForBase64(5 * MB),
};

/** A vendor id or alias (case-insensitive) as the vendor table's id. */
export const normalizeVendor = (vendor: string): string => canonicalVendor(vendor);

export const knownImageVendors = (): string[] => Object.keys(VENDOR_IMAGE_LIMITS);

/** Defaults for a vendor id (aliases accepted, case-insensitive); unknown vendors get the generic entry. */
export function defaultImageLimits(vendor: string): ImageLimits {
  const entry = VENDOR_IMAGE_LIMITS[normalizeVendor(vendor)] ?? GENERIC_IMAGE_LIMITS;
  return { maxInputPixels: DEFAULT_MAX_INPUT_PIXELS, ...entry };
}

const LIMIT_KEYS = ['maxLongEdge', 'maxPixels', 'maxBytes', 'maxInputPixels', 'maxImagesPerRequest'] as const;

const invalidLimits = (message: string) =>
  new GatewayError(message, { status: 500, code: ImageErrorCode.invalidLimits });

/** Throws a 500 `invalid_image_limits` naming the field: a bad limit is an operator error. */
export function assertValidImageLimits(limits: Partial<ImageLimits>, where = 'image limits'): void {
  for (const key of LIMIT_KEYS) {
    const value = limits[key];
    if (value === undefined) continue;
    if (typeof value !== 'number' || !Number.isSafeInteger(value) || value <= 0) {
      throw invalidLimits(`${where}: ${key} must be a positive integer (got ${String(value)}).`);
    }
  }
}

const pickDefined = (override: Partial<ImageLimits> | undefined): Partial<ImageLimits> => {
  const out: Partial<ImageLimits> = {};
  if (!override) return out;
  for (const key of LIMIT_KEYS) {
    if (override[key] !== undefined && override[key] !== null) out[key] = override[key];
  }
  return out;
};

/** Vendor defaults, then the provider's overrides, then the model's (most specific wins). */
export function resolveImageLimits(
  vendor: string,
  providerOverride?: Partial<ImageLimits>,
  modelOverride?: Partial<ImageLimits>,
): ImageLimits {
  const provider = pickDefined(providerOverride);
  const model = pickDefined(modelOverride);
  assertValidImageLimits(provider, `provider image limits for ${vendor}`);
  assertValidImageLimits(model, `model image limits for ${vendor}`);
  return { ...defaultImageLimits(vendor), ...provider, ...model };
}
