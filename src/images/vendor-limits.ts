import { GatewayError } from '../server/errors.js';
import { ImageErrorCode } from './image-errors.js';

/**
 * What an upstream accepts (or usefully reads) per image. `maxBytes` is the size of the
 * encoded image file, before base64; where a vendor documents its limit on the base64
 * string instead, the table below converts (base64 is 4/3 of the raw size).
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

export const DEFAULT_MAX_INPUT_PIXELS = 100_000_000;

const MB = 1024 * 1024;
/** Raw bytes whose base64 form stays within `limit` bytes. */
const rawForBase64 = (limit: number) => Math.floor((limit * 3) / 4);

/**
 * Per-vendor defaults. Sources are the vendors' public docs as of 2025; where a vendor
 * publishes no number we pick a conservative value and say so. Operators override per
 * provider and per model (`resolveImageLimits`).
 */
export const VENDOR_IMAGE_LIMITS: Readonly<Record<string, Readonly<ImageLimits>>> = {
  // OpenAI vision guide (platform.openai.com/docs/guides/images-vision): high detail first
  // fits the image in 2048x2048, then scales the short side to 768, so more than 2048 long
  // edge / 2048x768 pixels is discarded server-side. Per-image limit 20MB (older guide;
  // newer guide: 50MB total payload and up to 500 images per request).
  openai: { maxLongEdge: 2048, maxPixels: 2048 * 768, maxBytes: 20 * MB, maxImagesPerRequest: 500 },

  // Anthropic vision docs (docs.anthropic.com/en/docs/build-with-claude/vision): images over
  // 8000x8000 are rejected; anything over 1568 long edge or ~1.15 MP is scaled down first
  // (no quality gain, only latency). 5MB per image — the API error reads
  // "image exceeds 5 MB maximum: N bytes > 5242880 bytes" and is checked on the base64
  // payload, so the raw limit is 3/4 of 5 MiB. 100 images per request (API).
  anthropic: {
    maxLongEdge: 1568,
    maxPixels: 1_150_000,
    maxBytes: rawForBase64(5 * MB),
    maxImagesPerRequest: 100,
  },

  // Gemini (ai.google.dev image understanding; Vertex AI "Image understanding" table):
  // inline data counts against a 20MB total request; Vertex caps inline files at 7MB each.
  // Older Gemini docs scale images above 3072x3072 down, so we send at most that.
  // Up to 3000 images per prompt (Gemini 2.5 on Vertex).
  gemini: { maxLongEdge: 3072, maxPixels: 3072 * 3072, maxBytes: 7 * MB, maxImagesPerRequest: 3000 },

  // Zhipu GLM-4V (open.bigmodel.cn API docs, glm-4v image_url): "图片大小不超过5M,
  // 像素不超过6000*6000", jpg/png/jpeg. Conservatively 5MB on the base64 form.
  zhipu: { maxLongEdge: 6000, maxPixels: 6000 * 6000, maxBytes: rawForBase64(5 * MB) },

  // Qwen-VL on DashScope / Model Studio (help.aliyun.com, 通义千问VL / 图像与视频理解):
  // a single image ≤10MB (base64 string <10MB), width and height >10px, aspect ≤200:1.
  // The default pixel budget is 1280 tokens × 28×28 (Qwen2.5-VL) and 2560 × 32×32
  // (Qwen3-VL, ~2.6MP); larger inputs are downscaled server-side, so we stop there.
  qwen: { maxLongEdge: 4096, maxPixels: 2560 * 32 * 32, maxBytes: rawForBase64(10 * MB) },

  // Baidu ERNIE on Qianfan v2 (cloud.baidu.com/doc/WENXINWORKSHOP/s/dm8ag8pbl, 多模态):
  // "单个图片文件的大小不超过10 MB". No documented pixel limit: conservative 4096 / ~4MP.
  baidu: { maxLongEdge: 4096, maxPixels: 4096 * 1024, maxBytes: rawForBase64(10 * MB) },

  // Tencent Hunyuan-vision (cloud.tencent.com/document/product/1729/111007, OpenAI-compatible):
  // image tokens range ~256–1280 per image by size; no byte/pixel limit published that we
  // could confirm, so conservative: 2048 long edge, ~2MP, 5MB.
  tencent: { maxLongEdge: 2048, maxPixels: 2048 * 1024, maxBytes: rawForBase64(5 * MB) },

  // Doubao vision on Volcengine Ark (volcengine.com/docs/82379/1362931, 视觉理解): image
  // file ≤10MB, width/height >14px, width×height ≤36MP; the "high" detail mode reads at
  // most ~4MP (4014080 px), which is what we keep.
  doubao: { maxLongEdge: 4096, maxPixels: 4_014_080, maxBytes: rawForBase64(10 * MB) },

  // SiliconFlow (docs.siliconflow.cn userguide/capabilities/vision): OpenAI-style image_url
  // with low/high detail; no byte limit documented. Conservative: 2048 / ~4MP / 5MB.
  siliconflow: { maxLongEdge: 2048, maxPixels: 2048 * 2048, maxBytes: rawForBase64(5 * MB) },

  // DeepSeek-VL2 served by SiliconFlow (same docs): dynamic 384px tiling; with more than two
  // images every image is resized to 384x384 and only 2 images are recommended. The tiling
  // tops out near 1152px, so we send at most 1536 long edge / ~1.3MP (conservative).
  deepseek: {
    maxLongEdge: 1536,
    maxPixels: 1152 * 1152,
    maxBytes: rawForBase64(5 * MB),
    maxImagesPerRequest: 2,
  },

  // Ollama (github.com/ollama/ollama docs/api.md, `images` as base64): local, no byte limit.
  // llava-1.6 AnyRes reads at most 672x672 / 336x1344; llama3.2-vision 1120x1120. Sending
  // more only costs local CPU: 1344 long edge, 1120² pixels (conservative, override per model).
  ollama: { maxLongEdge: 1344, maxPixels: 1120 * 1120, maxBytes: 10 * MB },

  // xAI Grok (docs.x.ai image understanding): jpg/png, "Maximum image size" documented as
  // 10MiB (older page) and 20MiB (newer); we keep the lower. No pixel limit published:
  // conservative 2048 / ~4MP.
  xai: { maxLongEdge: 2048, maxPixels: 2048 * 2048, maxBytes: 10 * MB },
};

/** Unknown vendors: a middle ground that every vendor above accepts. */
export const GENERIC_IMAGE_LIMITS: Readonly<ImageLimits> = {
  maxLongEdge: 2048,
  maxPixels: 2048 * 2048,
  maxBytes: rawForBase64(5 * MB),
};

const VENDOR_ALIASES: Readonly<Record<string, string>> = {
  'azure-openai': 'openai',
  azure: 'openai',
  claude: 'anthropic',
  google: 'gemini',
  'google-gemini': 'gemini',
  vertex: 'gemini',
  glm: 'zhipu',
  bigmodel: 'zhipu',
  zhipuai: 'zhipu',
  'z.ai': 'zhipu',
  zai: 'zhipu',
  dashscope: 'qwen',
  aliyun: 'qwen',
  alibaba: 'qwen',
  bailian: 'qwen',
  tongyi: 'qwen',
  ernie: 'baidu',
  qianfan: 'baidu',
  wenxin: 'baidu',
  hunyuan: 'tencent',
  volcengine: 'doubao',
  ark: 'doubao',
  bytedance: 'doubao',
  'deepseek-vl': 'deepseek',
  silicon: 'siliconflow',
  siliconcloud: 'siliconflow',
  llava: 'ollama',
  grok: 'xai',
  'x.ai': 'xai',
};

export const normalizeVendor = (vendor: string): string => {
  const key = vendor.trim().toLowerCase();
  return VENDOR_ALIASES[key] ?? key;
};

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
