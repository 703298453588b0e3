import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import sharp from 'sharp';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { GatewayConfig, ImageDelivery, ImageLimitOverrides, ProviderConfig } from '../config/types.js';
import type { CatalogModel } from '../router/model-catalog.js';
import { GatewayError } from '../server/errors.js';
import { noisy, solid } from './__fixtures__/image-fixtures.js';
import { createChatImagePreparer } from './prepare-chat-images.js';

const RED = { r: 200, g: 20, b: 20 };
let server: Server;
let port = 0;
const hits: string[] = [];
let photo: Buffer;
let bigNoise: Buffer;

beforeAll(async () => {
  photo = await solid(3000, 1000, RED).png().toBuffer();
  bigNoise = await noisy(1200, 1200).png().toBuffer();
  server = createServer((req, res) => {
    hits.push(req.url ?? '');
    if (req.url === '/photo.png') res.writeHead(200, { 'content-type': 'image/png' }).end(photo);
    else if (req.url === '/noise.png') res.writeHead(200, { 'content-type': 'image/png' }).end(bigNoise);
    else res.writeHead(404).end();
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  port = (server.address() as AddressInfo).port;
});
afterAll(() => new Promise((resolve) => server.close(resolve)));
beforeEach(() => {
  hits.length = 0;
});

const configWith = (vision: Partial<GatewayConfig['vision']> = {}) =>
  ({
    vision: { defaultPrompt: 'Describe', allowedUrlHosts: ['images.test'], maxUploadBytes: 20 * 1024 * 1024, ...vision },
  }) as unknown as GatewayConfig;

// `images.test` is our loopback server; the operator allowed that host name.
const resolve = async (host: string) => (host === 'images.test' ? [{ address: '127.0.0.1', family: 4 }] : []);

const modelFor = (
  vendor: string,
  provider: { imageDelivery?: ImageDelivery; forceInlineImages?: boolean; imageLimits?: ImageLimitOverrides } = {},
  modelLimits: ImageLimitOverrides = {},
): CatalogModel => {
  const config: ProviderConfig = {
    name: 'P',
    vendor,
    apiKeyEnv: null,
    baseUrl: 'http://127.0.0.1:1/v1',
    description: '',
    protocol: 'openai',
    headers: {},
    timeouts: {},
    enabled: true,
    needsKey: false,
    imageDelivery: provider.imageDelivery ?? null,
    forceInlineImages: provider.forceInlineImages ?? false,
    streamUsage: null,
    drainOnDisconnect: false,
    imageLimits: provider.imageLimits ?? {},
    source: 'config',
  };
  return {
    name: 'm',
    provider: 'P',
    types: ['vision'],
    displayName: 'm',
    description: '',
    upstreamName: 'm',
    aliases: [],
    contextWindow: null,
    maxOutputTokens: null,
    pricing: null,
    capabilities: [],
    enabled: true,
    imageLimits: modelLimits,
    source: 'config',
    key: 'P/m',
    providerState: { config, apiKey: null, keySource: 'none', status: 'usable', pool: null, keys: [] },
    status: 'usable',
    seesImages: true,
  } as unknown as CatalogModel;
};

const chat = (...urls: string[]) => ({
  model: 'm',
  temperature: 0.2,
  messages: [
    { role: 'system', content: 'be brief' },
    { role: 'user', content: [{ type: 'text', text: 'look' }, ...urls.map((url) => ({ type: 'image_url', image_url: { url, detail: 'low' } }))] },
  ],
});

const urlOf = (body: Record<string, unknown>, i = 0) =>
  ((body.messages as Array<{ content: unknown }>)[1]!.content as Array<{ image_url?: { url: string; detail?: string } }>).filter((p) => p.image_url)[i]!
    .image_url!;

const dataUrl = (buf: Buffer) => `data:image/png;base64,${buf.toString('base64')}`;
const bytesOf = (url: string) => Buffer.from(url.slice(url.indexOf(',') + 1), 'base64');

const rejection = async (promise: Promise<unknown>): Promise<GatewayError> => {
  try {
    await promise;
  } catch (err) {
    expect(err).toBeInstanceOf(GatewayError);
    return err as GatewayError;
  }
  throw new Error('expected a rejection');
};

describe('createChatImagePreparer', () => {
  const prepare = createChatImagePreparer({ config: configWith(), resolve });

  it('returns a body without images as is', async () => {
    const body = { model: 'm', messages: [{ role: 'user', content: 'hi' }, { role: 'user', content: [{ type: 'text', text: 'x' }] }] };
    const out = await prepare(modelFor('openai'), body);
    expect(out.body).toBe(body);
    expect(out.processed).toEqual([]);
    expect(out.passedThrough).toBe(0);
  });

  it('processes data URLs, keeps other fields and never mutates the input', async () => {
    const body = chat(dataUrl(photo));
    const before = JSON.stringify(body);
    const out = await prepare(modelFor('openai'), body);
    expect(JSON.stringify(body)).toBe(before);
    expect(out.body).not.toBe(body);
    expect(out.body).toMatchObject({ model: 'm', temperature: 0.2 });
    const image = urlOf(out.body);
    expect(image.detail).toBe('low');
    expect(image.url).toMatch(/^data:image\/jpeg;base64,/);
    const meta = await sharp(bytesOf(image.url)).metadata();
    expect([meta.format, meta.width, meta.height]).toEqual(['jpeg', 2048, 682]); // openai: 2048 long edge
    expect(out.processed).toHaveLength(1);
    expect(out.processed[0]!.original).toMatchObject({ format: 'png', width: 3000, height: 1000 });
  });

  it("passes http URLs on for 'url' delivery (OpenAI) without fetching", async () => {
    const url = `http://images.test:${port}/photo.png`;
    const out = await prepare(modelFor('openai'), chat(url));
    expect(urlOf(out.body).url).toBe(url);
    expect(out.passedThrough).toBe(1);
    expect(out.processed).toEqual([]);
    expect(hits).toEqual([]);
  });

  it("fetches and inlines http URLs for 'data-url' delivery (the Ollama adapter's default)", async () => {
    const out = await prepare(modelFor('ollama'), chat(`http://images.test:${port}/photo.png`));
    expect(hits).toEqual(['/photo.png']);
    const meta = await sharp(bytesOf(urlOf(out.body).url)).metadata();
    expect([meta.format, meta.width, meta.height]).toEqual(['jpeg', 1344, 448]); // ollama: 1344 long edge
    expect(out.passedThrough).toBe(0);
  });

  it('honours the provider delivery, force_inline_images and raw-base64', async () => {
    const forced = await prepare(modelFor('openai', { forceInlineImages: true }), chat(`http://images.test:${port}/photo.png`));
    expect(urlOf(forced.body).url).toMatch(/^data:image\/jpeg;base64,/);
    const raw = await prepare(modelFor('openai', { imageDelivery: 'raw-base64' }), chat(dataUrl(photo)));
    const rawUrl = urlOf(raw.body).url;
    expect(rawUrl).not.toMatch(/^data:/);
    expect((await sharp(Buffer.from(rawUrl, 'base64')).metadata()).format).toBe('jpeg');
  });

  it('applies vendor, then provider, then model limits', async () => {
    const provider = await prepare(modelFor('openai', { imageLimits: { maxLongEdge: 600 } }), chat(dataUrl(photo)));
    expect(provider.processed[0]).toMatchObject({ width: 600, height: 200 });
    const model = await prepare(modelFor('openai', { imageLimits: { maxLongEdge: 600 } }, { maxLongEdge: 300 }), chat(dataUrl(photo)));
    expect(model.processed[0]).toMatchObject({ width: 300, height: 100 });
    const bytes = await prepare(modelFor('openai', {}, { maxBytes: 40_000 }), chat(dataUrl(bigNoise)));
    expect(bytes.processed[0]!.bytes).toBeLessThanOrEqual(40_000);
  });

  it('caps a download at the larger of the vendor limit and max_upload_bytes', async () => {
    const small = createChatImagePreparer({ config: configWith({ maxUploadBytes: 50_000 }), resolve });
    expect(bigNoise.length).toBeGreaterThan(100_000);
    const err = await rejection(small(modelFor('ollama', { imageLimits: { maxBytes: 60_000 } }), chat(`http://images.test:${port}/noise.png`)));
    expect(err).toMatchObject({ status: 413, code: 'image_too_large', param: 'messages[1].content[1].image_url' });
    const ok = await small(modelFor('ollama', { imageLimits: { maxBytes: 8_000_000 } }), chat(`http://images.test:${port}/noise.png`));
    expect(ok.processed).toHaveLength(1);
  });

  it('reuses the work when a retry or fallback targets the same limits, and only then', async () => {
    const body = chat(`http://images.test:${port}/photo.png`);
    const first = await prepare(modelFor('ollama'), body);
    const again = await prepare(modelFor('ollama'), body);
    expect(hits).toEqual(['/photo.png']);
    expect(again.processed[0]).toBe(first.processed[0]);
    expect(again.body).not.toBe(first.body);
    const other = await prepare(modelFor('ollama', {}, { maxLongEdge: 500 }), body);
    expect(hits).toEqual(['/photo.png', '/photo.png']);
    expect(other.processed[0]).toMatchObject({ width: 500 });
    await prepare(modelFor('ollama'), chat(`http://images.test:${port}/photo.png`));
    expect(hits).toHaveLength(3); // another request's body is prepared afresh
  });

  it('refuses internal hosts it would fetch, by resolved address', async () => {
    const err = await rejection(prepare(modelFor('ollama'), chat(`http://127.0.0.1:${port}/photo.png`)));
    expect(err).toMatchObject({ status: 400, code: 'image_url_forbidden', param: 'messages[1].content[1].image_url' });
    expect(hits).toEqual([]);
  });

  it('refuses literal internal addresses it would pass on, unless the host is allowed', async () => {
    for (const url of ['http://169.254.169.254/x', 'http://10.1.2.3/a.png', 'http://[::1]/a.png', 'http://0x7f.1/a.png', 'http://localhost/a.png']) {
      const err = await rejection(prepare(modelFor('openai'), chat(dataUrl(photo), url)));
      expect(err, url).toMatchObject({ status: 400, code: 'image_url_forbidden', param: 'messages[1].content[2].image_url' });
    }
    // example.com is checked by its resolved address (a documentation address stands in for DNS here).
    const publicDns = async (host: string) => (host === 'example.com' ? [{ address: '93.184.216.34', family: 4 }] : []);
    const allowed = createChatImagePreparer({ config: configWith({ allowedUrlHosts: ['127.0.0.1'] }), resolve: publicDns });
    const out = await allowed(modelFor('openai'), chat('http://127.0.0.1/a.png', 'https://example.com/b.png'));
    expect(out.passedThrough).toBe(2);
  });

  it('refuses a URL passed on whose host resolves to an internal address, or does not resolve', async () => {
    const internalDns = async (host: string) => (host === 'intranet.example' ? [{ address: '10.0.0.8', family: 4 }] : []);
    const vetting = createChatImagePreparer({ config: configWith(), resolve: internalDns });
    for (const url of ['http://intranet.example/a.png', 'http://nowhere.example/a.png']) {
      const err = await rejection(vetting(modelFor('openai'), chat(url)));
      expect(err, url).toMatchObject({ status: 400, code: 'image_url_forbidden', param: 'messages[1].content[1].image_url' });
    }
  });
});
