import { z } from 'zod';
import { rulesSchema } from './rules-schema.js';

/**
 * Schemas for the YAML configuration. The seed's files must keep loading, so every
 * field the prototype knew keeps its name and meaning; new fields are optional.
 * Objects are "loose": unknown keys are reported as warnings (with their line), not
 * errors, because the seed itself carries extra keys such as `experimental`.
 */

const timeoutValue = z.number().int().positive().max(3_600_000);

export const timeoutsSchema = z.union([
  timeoutValue,
  z.looseObject({
    connect: timeoutValue.optional(),
    first_byte: timeoutValue.optional(),
    idle: timeoutValue.optional(),
    total: timeoutValue.optional(),
  }),
]);

export const imageLimitsSchema = z.looseObject({
  max_long_edge: z.number().int().positive().optional(),
  max_pixels: z.number().int().positive().optional(),
  max_bytes: z.number().int().positive().optional(),
});

export const providerEntrySchema = z.looseObject({
  name: z.string().trim().min(1, 'provider name must not be empty'),
  /** One variable, or several: a key pool (one key per variable, labelled by its name). */
  api_key_env: z.union([z.string().trim().min(1), z.array(z.string().trim().min(1)).min(1).max(64)]).optional(),
  base_url: z
    .string()
    .trim()
    .refine((value) => /^https?:\/\/[^\s]+$/i.test(value), 'base_url must be an http(s) URL'),
  description: z.string().optional().default(''),
  /** English description for the console's English UI (`description` is shown otherwise). */
  description_en: z.string().optional(),
  protocol: z.enum(['openai', 'anthropic', 'openai-responses', 'gemini']).optional().default('openai'),
  vendor: z.string().trim().min(1).optional(),
  headers: z.record(z.string(), z.string()).optional().default({}),
  timeout_ms: timeoutsSchema.optional(),
  enabled: z.boolean().optional().default(true),
  needs_key: z.boolean().optional(),
  image_delivery: z.enum(['url', 'data-url', 'raw-base64']).optional(),
  force_inline_images: z.boolean().optional(),
  stream_usage: z.boolean().optional(),
  drain_on_disconnect: z.boolean().optional(),
  image_limits: imageLimitsSchema.optional(),
  /** Vendor rules for every model of this provider, over the vendor table (src/config/rules-schema.ts). */
  rules: rulesSchema.optional(),
});

export const modelsFileSchema = z.looseObject({
  providers: z.array(providerEntrySchema).default([]),
  model_groups: z.array(z.unknown()).optional(),
  routing: z
    .looseObject({
      failure_threshold: z.number().int().positive().optional(),
      window_ms: z.number().int().positive().optional(),
      cooldown_ms: z.number().int().positive().optional(),
      max_cooldown_ms: z.number().int().positive().optional(),
    })
    .optional(),
  cache: z
    .looseObject({
      max_bytes: z.number().int().positive().optional(),
      default_ttl_seconds: z.number().positive().optional(),
    })
    .optional(),
  vision: z
    .looseObject({
      default_prompt: z.string().min(1).optional(),
      allowed_url_hosts: z.array(z.string().min(1)).optional(),
      max_upload_bytes: z.number().int().positive().optional(),
      /** Images decoded at once, process-wide (default 2: cores, at most libuv's thread pool minus 2). */
      max_concurrent_images: z.number().int().positive().max(64).optional(),
      /** Images that may wait for a decode slot before requests get 503 (default 32). */
      image_queue_size: z.number().int().nonnegative().max(10_000).optional(),
      /** Per-image time limit for decode and re-encode, and for waiting in the queue (default 20000). */
      image_timeout_ms: z.number().int().positive().optional(),
      /** Largest estimated decode memory per image (default 256 MB). */
      max_decode_bytes: z.number().int().positive().optional(),
    })
    .optional(),
});

/** ISO 4217 code, upper-cased; `RMB` (common in Chinese price lists) means CNY. */
export const currencySchema = z
  .string()
  .trim()
  .transform((value) => (value.toUpperCase() === 'RMB' ? 'CNY' : value.toUpperCase()))
  .pipe(z.string().regex(/^[A-Z]{3}$/, 'must be a three-letter ISO 4217 currency code such as USD or CNY'));

/** Prices per 1M tokens in `currency`; cache prices fall back to the input price when absent. */
export const pricingSchema = z.looseObject({
  input: z.number().nonnegative(),
  output: z.number().nonnegative(),
  cache_read: z.number().nonnegative().optional(),
  cache_write: z.number().nonnegative().optional(),
  currency: currencySchema.optional().default('USD'),
});

export const modelEntrySchema = z.looseObject({
  name: z.string().trim().min(1, 'model name must not be empty'),
  display_name: z.string().optional(),
  /** Shown by the English console instead of `display_name` (which may be Chinese). */
  display_name_en: z.string().trim().min(1).optional(),
  description: z.string().optional(),
  description_en: z.string().optional(),
  upstream_name: z.string().trim().min(1).optional(),
  aliases: z.array(z.string().trim().min(1)).optional().default([]),
  context_window: z.number().int().positive().optional(),
  max_output_tokens: z.number().int().positive().optional(),
  pricing: pricingSchema.optional(),
  capabilities: z.array(z.string().trim().min(1)).optional().default([]),
  enabled: z.boolean().optional().default(true),
  image_limits: imageLimitsSchema.optional(),
  timeout_ms: timeoutsSchema.optional(),
  /** Cache identical non-stream requests for this many seconds (0/absent: only when asked per request). */
  cache_ttl_seconds: z.number().nonnegative().optional(),
  /** Vendor rules for this model, over the vendor table and the provider's `rules`. */
  rules: rulesSchema.optional(),
});

export const modelTypeNames = ['language', 'vision', 'embedding', 'reasoning'] as const;

export const providerFileSchema = z.looseObject({
  provider: z.string().trim().min(1, 'provider must name a provider from models.yaml'),
  description: z.string().optional(),
  description_en: z.string().optional(),
  models: z
    .looseObject({
      language: z.array(modelEntrySchema).optional(),
      vision: z.array(modelEntrySchema).optional(),
      embedding: z.array(modelEntrySchema).optional(),
      reasoning: z.array(modelEntrySchema).optional(),
    })
    .optional()
    .default({}),
});

export const activeModelsFileSchema = z.looseObject({
  active_language_model_provider: z.string().optional(),
  active_language_model: z.string().optional(),
  active_vision_model_provider: z.string().optional(),
  active_vision_model: z.string().optional(),
});

export type ProviderEntry = z.infer<typeof providerEntrySchema>;
export type ModelEntry = z.infer<typeof modelEntrySchema>;
export type ProviderFile = z.infer<typeof providerFileSchema>;
export type ModelsFile = z.infer<typeof modelsFileSchema>;
