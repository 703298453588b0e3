import type { ProviderConfig } from '../config/types.js';
import type { ImageLimits } from '../core/image-limits.js';
import { anthropicAdapter } from './anthropic/anthropic-adapter.js';
import { googleAdapter } from './google/google-adapter.js';
import { moonshotAdapter } from './moonshot/moonshot-adapter.js';
import { ollamaAdapter } from './ollama/ollama-adapter.js';
import { createOpenAICompatibleAdapter } from './openai-compatible/openai-compatible-adapter.js';
import type { ProviderAdapter } from './spec/provider-adapter.js';
import { tencentAdapter } from './tencent/tencent-adapter.js';
import { zhipuAdapter } from './zhipu/zhipu-adapter.js';

/** Where a vendor puts usage in an OpenAI-format stream (the adapters read it, the simulator imitates it). */
export type StreamUsagePlacement = 'openai' | 'finish-choice' | 'finish-top-level';

/**
 * One vendor, as every part of the gateway knows it: config detection (id, aliases,
 * hosts, local servers without keys), the default protocol and documented endpoints,
 * image limits, the wire adapter and the stream quirk the simulator imitates.
 */
export interface VendorEntry {
  /** The one id (config `vendor:`, image limits, adapters, simulator paths). */
  id: string;
  /** Other names that mean this vendor (provider names, older ids), lower case. */
  aliases: readonly string[];
  /** Base-URL hosts that identify it when a config names no vendor. */
  hosts: readonly RegExp[];
  /** The protocol a provider of this vendor speaks when its config says none. */
  protocol: 'openai' | 'anthropic';
  /** Documented base URLs per protocol (the shipped presets use these). */
  endpoints: Partial<Record<ProviderConfig['protocol'], string>>;
  /** Runs without keys (local inference servers). */
  local?: boolean;
  /** Per-image limits from the vendor's docs; null: the generic entry. */
  imageLimits: Readonly<ImageLimits> | null;
  adapter: ProviderAdapter;
  streamUsage: StreamUsagePlacement;
}

const MB = 1024 * 1024;
/** Raw bytes whose base64 form stays within `limit` bytes. */
const rawForBase64 = (limit: number) => Math.floor((limit * 3) / 4);
const plain = (id: string) => createOpenAICompatibleAdapter(id);

/**
 * The vendors. Image limits: the vendors' public docs as of 2025; where a vendor publishes
 * no number the value is conservative and says so. Operators override per provider and model.
 */
export const VENDORS: readonly VendorEntry[] = [
  {
    id: 'openai',
    aliases: ['azure', 'azure-openai'],
    hosts: [/openai\.com$/],
    protocol: 'openai',
    endpoints: { openai: 'https://api.openai.com/v1' },
    // OpenAI vision guide (platform.openai.com/docs/guides/images-vision): high detail first
    // fits the image in 2048x2048, then scales the short side to 768, so more than 2048 long
    // edge / 2048x768 pixels is discarded server-side. Per-image limit 20MB (older guide;
    // newer guide: 50MB total payload and up to 500 images per request).
    imageLimits: { maxLongEdge: 2048, maxPixels: 2048 * 768, maxBytes: 20 * MB, maxImagesPerRequest: 500 },
    adapter: plain('openai'),
    streamUsage: 'openai',
  },
  {
    id: 'anthropic',
    aliases: ['claude'],
    hosts: [/anthropic\.com$/],
    protocol: 'anthropic',
    // The Messages API; the OpenAI SDK compatibility layer is at https://api.anthropic.com/v1.
    endpoints: { anthropic: 'https://api.anthropic.com', openai: 'https://api.anthropic.com/v1' },
    // Anthropic vision docs (docs.anthropic.com/en/docs/build-with-claude/vision): images over
    // 8000x8000 are rejected; anything over 1568 long edge or ~1.15 MP is scaled down first
    // (no quality gain, only latency). 5MB per image — the API error reads
    // "image exceeds 5 MB maximum: N bytes > 5242880 bytes" and is checked on the base64
    // payload, so the raw limit is 3/4 of 5 MiB. 100 images per request (API).
    imageLimits: { maxLongEdge: 1568, maxPixels: 1_150_000, maxBytes: rawForBase64(5 * MB), maxImagesPerRequest: 100 },
    adapter: anthropicAdapter,
    streamUsage: 'openai',
  },
  {
    id: 'google',
    aliases: ['gemini', 'google-gemini', 'vertex'],
    hosts: [/googleapis\.com$/],
    protocol: 'openai',
    endpoints: { openai: 'https://generativelanguage.googleapis.com/v1beta/openai' },
    // Gemini (ai.google.dev image understanding; Vertex AI "Image understanding" table):
    // inline data counts against a 20MB total request; Vertex caps inline files at 7MB each.
    // Older Gemini docs scale images above 3072x3072 down, so we send at most that.
    // Up to 3000 images per prompt (Gemini 2.5 on Vertex).
    imageLimits: { maxLongEdge: 3072, maxPixels: 3072 * 3072, maxBytes: 7 * MB, maxImagesPerRequest: 3000 },
    adapter: googleAdapter,
    streamUsage: 'openai',
  },
  {
    id: 'xai',
    aliases: ['grok', 'x.ai'],
    hosts: [/x\.ai$/],
    protocol: 'openai',
    endpoints: { openai: 'https://api.x.ai/v1' },
    // xAI Grok (docs.x.ai image understanding): jpg/png, "Maximum image size" documented as
    // 10MiB (older page) and 20MiB (newer); we keep the lower. No pixel limit published:
    // conservative 2048 / ~4MP.
    imageLimits: { maxLongEdge: 2048, maxPixels: 2048 * 2048, maxBytes: 10 * MB },
    adapter: plain('xai'),
    streamUsage: 'openai',
  },
  {
    id: 'zhipu',
    aliases: ['zhipuai', 'bigmodel', 'glm', 'z.ai', 'zai'],
    hosts: [/bigmodel\.cn$/],
    protocol: 'openai',
    endpoints: { openai: 'https://open.bigmodel.cn/api/paas/v4', anthropic: 'https://open.bigmodel.cn/api/anthropic' },
    // Zhipu GLM-4V (open.bigmodel.cn API docs, glm-4v image_url): "图片大小不超过5M,
    // 像素不超过6000*6000", jpg/png/jpeg. Conservatively 5MB on the base64 form.
    imageLimits: { maxLongEdge: 6000, maxPixels: 6000 * 6000, maxBytes: rawForBase64(5 * MB) },
    adapter: zhipuAdapter,
    // Zhipu (GLM) always attaches a top-level usage to the chunk that carries finish_reason.
    streamUsage: 'finish-top-level',
  },
  {
    id: 'moonshot',
    aliases: ['kimi'],
    hosts: [/moonshot\.(cn|ai)$/],
    protocol: 'openai',
    endpoints: { openai: 'https://api.moonshot.cn/v1', anthropic: 'https://api.moonshot.cn/anthropic' },
    imageLimits: null,
    adapter: moonshotAdapter,
    // Moonshot always puts usage inside choices[0] of the finish chunk, ignoring stream_options.
    streamUsage: 'finish-choice',
  },
  {
    id: 'alibaba',
    aliases: ['qwen', 'dashscope', 'aliyun', 'bailian', 'tongyi'],
    hosts: [/dashscope/],
    protocol: 'openai',
    endpoints: { openai: 'https://dashscope.aliyuncs.com/compatible-mode/v1', anthropic: 'https://dashscope.aliyuncs.com/apps/anthropic' },
    // Qwen-VL on DashScope / Model Studio (help.aliyun.com, 通义千问VL / 图像与视频理解):
    // a single image ≤10MB (base64 string <10MB), width and height >10px, aspect ≤200:1.
    // The default pixel budget is 1280 tokens × 28×28 (Qwen2.5-VL) and 2560 × 32×32
    // (Qwen3-VL, ~2.6MP); larger inputs are downscaled server-side, so we stop there.
    imageLimits: { maxLongEdge: 4096, maxPixels: 2560 * 32 * 32, maxBytes: rawForBase64(10 * MB) },
    adapter: plain('alibaba'),
    streamUsage: 'openai',
  },
  {
    id: 'baidu',
    aliases: ['qianfan', 'ernie', 'wenxin'],
    hosts: [/baidubce\.com$/],
    protocol: 'openai',
    endpoints: { openai: 'https://qianfan.baidubce.com/v2' },
    // Baidu ERNIE on Qianfan v2 (cloud.baidu.com/doc/WENXINWORKSHOP/s/dm8ag8pbl, 多模态):
    // "单个图片文件的大小不超过10 MB". No documented pixel limit: conservative 4096 / ~4MP.
    imageLimits: { maxLongEdge: 4096, maxPixels: 4096 * 1024, maxBytes: rawForBase64(10 * MB) },
    adapter: plain('baidu'),
    streamUsage: 'openai',
  },
  {
    id: 'tencent',
    aliases: ['hunyuan'],
    hosts: [/hunyuan/],
    protocol: 'openai',
    endpoints: { openai: 'https://api.hunyuan.cloud.tencent.com/v1' },
    // Tencent Hunyuan-vision (cloud.tencent.com/document/product/1729/111007, OpenAI-compatible):
    // image tokens range ~256–1280 per image by size; no byte/pixel limit published that we
    // could confirm, so conservative: 2048 long edge, ~2MP, 5MB.
    imageLimits: { maxLongEdge: 2048, maxPixels: 2048 * 1024, maxBytes: rawForBase64(5 * MB) },
    adapter: tencentAdapter,
    // Hunyuan reports usage on its chunks without being asked (stream_options is not needed).
    streamUsage: 'finish-top-level',
  },
  {
    id: 'bytedance',
    aliases: ['doubao', 'volcengine', 'ark'],
    hosts: [/volces\.com$/],
    protocol: 'openai',
    endpoints: { openai: 'https://ark.cn-beijing.volces.com/api/v3' },
    // Doubao vision on Volcengine Ark (volcengine.com/docs/82379/1362931, 视觉理解): image
    // file ≤10MB, width/height >14px, width×height ≤36MP; the "high" detail mode reads at
    // most ~4MP (4014080 px), which is what we keep.
    imageLimits: { maxLongEdge: 4096, maxPixels: 4_014_080, maxBytes: rawForBase64(10 * MB) },
    adapter: plain('bytedance'),
    streamUsage: 'openai',
  },
  {
    id: 'deepseek',
    aliases: ['deepseek-vl'],
    hosts: [/deepseek\.com$/],
    protocol: 'openai',
    endpoints: { openai: 'https://api.deepseek.com/v1', anthropic: 'https://api.deepseek.com/anthropic' },
    // DeepSeek-VL2 served by SiliconFlow (docs.siliconflow.cn vision): dynamic 384px tiling;
    // with more than two images every image is resized to 384x384 and only 2 images are
    // recommended. The tiling tops out near 1152px: at most 1536 long edge / ~1.3MP.
    imageLimits: { maxLongEdge: 1536, maxPixels: 1152 * 1152, maxBytes: rawForBase64(5 * MB), maxImagesPerRequest: 2 },
    adapter: plain('deepseek'),
    streamUsage: 'openai',
  },
  {
    id: 'siliconflow',
    aliases: ['silicon', 'siliconcloud'],
    hosts: [/siliconflow\.(cn|com)$/],
    protocol: 'openai',
    endpoints: { openai: 'https://api.siliconflow.cn/v1', anthropic: 'https://api.siliconflow.cn' },
    // SiliconFlow (docs.siliconflow.cn userguide/capabilities/vision): OpenAI-style image_url
    // with low/high detail; no byte limit documented. Conservative: 2048 / ~4MP / 5MB.
    imageLimits: { maxLongEdge: 2048, maxPixels: 2048 * 2048, maxBytes: rawForBase64(5 * MB) },
    adapter: plain('siliconflow'),
    streamUsage: 'openai',
  },
  {
    id: 'ollama',
    aliases: ['llava'],
    hosts: [],
    protocol: 'openai',
    endpoints: { openai: 'http://localhost:11434/v1' },
    local: true,
    // Ollama (github.com/ollama/ollama docs/api.md, `images` as base64): local, no byte limit.
    // llava-1.6 AnyRes reads at most 672x672 / 336x1344; llama3.2-vision 1120x1120. Sending
    // more only costs local CPU: 1344 long edge, 1120² pixels (conservative, override per model).
    imageLimits: { maxLongEdge: 1344, maxPixels: 1120 * 1120, maxBytes: 10 * MB },
    adapter: ollamaAdapter,
    streamUsage: 'openai',
  },
  {
    id: 'openrouter',
    aliases: [],
    hosts: [/openrouter\.ai$/],
    protocol: 'openai',
    endpoints: { openai: 'https://openrouter.ai/api/v1' },
    imageLimits: null,
    adapter: plain('openrouter'),
    streamUsage: 'openai',
  },
  { id: 'vllm', aliases: [], hosts: [], protocol: 'openai', endpoints: {}, local: true, imageLimits: null, adapter: plain('vllm'), streamUsage: 'openai' },
  { id: 'lmstudio', aliases: ['lm-studio'], hosts: [], protocol: 'openai', endpoints: {}, local: true, imageLimits: null, adapter: plain('lmstudio'), streamUsage: 'openai' },
];

const byName = new Map<string, VendorEntry>();
for (const entry of VENDORS) {
  byName.set(entry.id, entry);
  for (const alias of entry.aliases) byName.set(alias, entry);
}

/** The entry for a vendor id or alias (case-insensitive), or undefined for an unknown vendor. */
export const vendorEntry = (name: string): VendorEntry | undefined => byName.get(name.trim().toLowerCase());

/** A vendor id or alias as its one id; unknown names are returned lower-cased. */
export const canonicalVendor = (name: string): string => {
  const key = name.trim().toLowerCase();
  return byName.get(key)?.id ?? key;
};

/** Vendors whose providers run without keys. */
export const isLocalVendor = (name: string): boolean => vendorEntry(name)?.local === true;
