import { domainToASCII } from 'node:url';
import type { GatewayConfig } from '../config/types.js';
import { adapterFor } from '../providers/registry.js';
import type { CatalogModel } from '../router/model-catalog.js';
import { fetchImageUrl, type HostResolver } from './fetch-image-url.js';
import type { ProcessedImage } from './process-image.js';
import { hasImageParts } from './has-image-parts.js';
import { ImageWorkQueue } from './image-work-queue.js';
import { vetPassThroughUrl } from './pass-through-url.js';
import type { ImageDelivery } from './transform-message-images.js';

// The pipeline pulls in sharp/libvips (~30 MB): loaded the first time a request carries an image.
const loadPipeline = () => import('./transform-message-images.js');
import { resolveImageLimits, type ImageLimits } from './vendor-limits.js';

export interface PreparedChatImages {
  /** The body to send: the input itself when it has no images, else a copy with new `messages`. */
  body: Record<string, unknown>;
  /** One entry per image that went through the pipeline, in request order. */
  processed: ProcessedImage[];
  /** Image parts sent on as http(s) URLs for the upstream to fetch itself ('url' delivery). */
  passedThrough: number;
}

type Prepared = Omit<PreparedChatImages, 'body'> & { messages: unknown[] };

export type ChatImagePreparer = (model: CatalogModel, body: Record<string, unknown>) => Promise<PreparedChatImages>;

export interface ChatImagePreparerOptions {
  config: GatewayConfig;
  /** Name resolution for image URL fetches (tests); default DNS. */
  resolve?: HostResolver;
  /** Whole-fetch timeout per image URL (default 15 s). */
  fetchTimeoutMs?: number;
}

const DEFAULT_FETCH_TIMEOUT_MS = 15_000;

// One queue per loaded config, shared by every route's preparer (chat, vision, playground):
// the limit is on the process's image work, not per route.
const queues = new WeakMap<GatewayConfig['vision'], ImageWorkQueue>();
const queueFor = (vision: GatewayConfig['vision']): ImageWorkQueue => {
  let queue = queues.get(vision);
  if (!queue) {
    queue = new ImageWorkQueue({ concurrency: vision.maxConcurrentImages, maxQueued: vision.imageQueueSize, timeoutMs: vision.imageTimeoutMs });
    queues.set(vision, queue);
  }
  return queue;
};
const NO_IMAGES: ProcessedImage[] = Object.freeze([]) as unknown as ProcessedImage[];

const normalizeHost = (host: string): string => {
  let name = host.trim().toLowerCase();
  if (name.startsWith('[') && name.endsWith(']')) name = name.slice(1, -1);
  if (name.endsWith('.')) name = name.slice(0, -1);
  return domainToASCII(name) || name;
};

/**
 * The vision pipeline for one attempted model: every image part is made to fit the
 * model's vendor (format, size, delivery). Called per attempt because a fallback model
 * may sit behind a vendor with other limits or another delivery.
 */
export function createChatImagePreparer(options: ChatImagePreparerOptions): ChatImagePreparer {
  const timeoutMs = options.fetchTimeoutMs ?? DEFAULT_FETCH_TIMEOUT_MS;
  // Retries and fallbacks call again with the same body: reuse the work when the target
  // wants the same thing. Keyed by the body object, so it lives exactly as long as the request.
  const done = new WeakMap<Record<string, unknown>, Map<string, Promise<Prepared>>>();
  return async (model, body) => {
    if (!hasImageParts(body.messages)) return { body, processed: NO_IMAGES, passedThrough: 0 };
    const messages = body.messages as unknown[];
    const provider = model.providerState.config;
    const vision = options.config.vision;
    // The provider's YAML, then the vendor rules (Ollama: data URLs only), then the adapter's default.
    const delivery: ImageDelivery = provider.imageDelivery ?? model.rules?.imageDelivery ?? adapterFor(provider.vendor).defaultImageDelivery;
    const forceInline = provider.forceInlineImages === true;
    const limits = resolveImageLimits(provider.vendor, provider.imageLimits, model.imageLimits);
    const allowedHosts = vision.allowedUrlHosts;

    const key = JSON.stringify([delivery, forceInline, limits, allowedHosts, vision.maxUploadBytes]);
    let byTarget = done.get(body);
    if (!byTarget) {
      byTarget = new Map();
      done.set(body, byTarget);
    }
    let work = byTarget.get(key);
    if (!work) {
      const targets = byTarget;
      work = prepare(messages, delivery, forceInline, limits, allowedHosts, vision.maxUploadBytes);
      targets.set(key, work);
      // A failure (e.g. a fetch timeout) need not repeat: only successes are reused.
      work.catch(() => targets.delete(key));
    }
    const prepared = await work;
    return { body: { ...body, messages: prepared.messages }, processed: prepared.processed, passedThrough: prepared.passedThrough };
  };

  async function prepare(
    messages: unknown[],
    delivery: ImageDelivery,
    forceInline: boolean,
    limits: ImageLimits,
    allowedHosts: string[],
    maxUploadBytes: number,
  ): Promise<Prepared> {
    let passedThrough = 0;
    const { collectImageParts, transformMessageImages } = await loadPipeline();
    const passOn = delivery === 'url' && !forceInline;
    if (passOn) passedThrough = collectImageParts(messages).filter((ref) => ref.kind === 'http').length;
    const allowed = passOn ? new Set(allowedHosts.map(normalizeHost)) : null;

    // A fetched image may be larger than the vendor accepts (the pipeline shrinks it), but
    // never larger than what a client may upload directly.
    const maxBytes = Math.max(limits.maxBytes, maxUploadBytes);
    const { messages: out, processed } = await transformMessageImages(messages, {
      delivery,
      forceInline,
      limits,
      fetch: (url) => fetchImageUrl(url, { allowedHosts, maxBytes, timeoutMs, resolve: options.resolve }),
      processOptions: { queue: queueFor(options.config.vision), maxDecodeBytes: options.config.vision.maxDecodeBytes },
      ...(allowed ? { vetUrl: (url: string) => vetPassThroughUrl(url, { allowed, resolve: options.resolve, timeoutMs }) } : {}),
    });
    return { messages: out, processed, passedThrough };
  }
}
