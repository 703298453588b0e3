import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { GatewayError } from '../server/errors.js';
import { solid, transparentCorner } from './__fixtures__/image-fixtures.js';
import { buildDataUrl } from './data-url.js';
import { fetchImageUrl } from './fetch-image-url.js';
import { collectImageParts, hasImages, transformMessageImages, type TransformMessageImagesOptions } from './transform-message-images.js';
import type { ImageLimits } from './vendor-limits.js';

const LIMITS: ImageLimits = { maxLongEdge: 512, maxPixels: 512 * 512, maxBytes: 200_000 };

let bigPng: Buffer; // opaque, 1200x800: must be resized and turned into JPEG
let transparentPng: Buffer;
let remoteJpeg: Buffer; // what the "remote" server serves, 1000x1000
let server: Server;
let port: number;
let served = 0;

beforeAll(async () => {
  bigPng = await solid(1200, 800, { r: 200, g: 30, b: 30 }).png().toBuffer();
  transparentPng = await transparentCorner(64).png().toBuffer();
  remoteJpeg = await solid(1000, 1000, { r: 30, g: 30, b: 200 }).jpeg().toBuffer();
  server = createServer((_req, res) => {
    served += 1;
    res.writeHead(200, { 'content-type': 'image/jpeg', 'content-length': remoteJpeg.length });
    res.end(remoteJpeg);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  port = (server.address() as AddressInfo).port;
});

afterAll(async () => {
  server.closeAllConnections();
  await new Promise((resolve) => server.close(resolve));
});

const remoteUrl = () => `http://images.test:${port}/photo.jpg`;

/** The real SSRF-safe fetcher against the local server, as the routes will wire it. */
const realFetch = (url: string) =>
  fetchImageUrl(url, {
    maxBytes: 5_000_000,
    timeoutMs: 2000,
    allowedHosts: ['images.test'],
    resolve: async () => [{ address: '127.0.0.1', family: 4 }],
  });

const conversation = () => [
  { role: 'system', content: 'You describe images.' },
  {
    role: 'user',
    content: [
      { type: 'text', text: 'What is in these?' },
      { type: 'image_url', image_url: { url: buildDataUrl('image/png', bigPng), detail: 'high' } },
      { type: 'image_url', image_url: { url: remoteUrl(), detail: 'low' } },
      { type: 'image_url', image_url: buildDataUrl('image/png', transparentPng) },
    ],
  },
];

const options = (extra: Partial<TransformMessageImagesOptions>): TransformMessageImagesOptions => ({
  delivery: 'data-url',
  forceInline: false,
  limits: LIMITS,
  fetch: realFetch,
  ...extra,
});

type Part = { type: string; image_url: { url: string; detail?: string } | string };
const partsOf = (messages: unknown[]) => (messages[1] as { content: Part[] }).content;
const urlOf = (part: Part) => (typeof part.image_url === 'string' ? part.image_url : part.image_url.url);

async function failure(promise: Promise<unknown>): Promise<GatewayError> {
  const err = await promise.then(
    () => null,
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(GatewayError);
  return err as GatewayError;
}

describe('collectImageParts / hasImages', () => {
  it('finds object and string image_url parts with their request location', () => {
    const refs = collectImageParts(conversation());
    expect(refs.map((r) => [r.param, r.shape, r.kind])).toEqual([
      ['messages[1].content[1].image_url', 'object', 'data-url'],
      ['messages[1].content[2].image_url', 'object', 'http'],
      ['messages[1].content[3].image_url', 'string', 'data-url'],
    ]);
    expect(hasImages({ messages: conversation() })).toBe(true);
    expect(hasImages({ messages: [{ role: 'user', content: 'hi' }] })).toBe(false);
    expect(hasImages({ messages: [{ role: 'user', content: [{ type: 'text', text: 'x' }] }] })).toBe(false);
    expect(hasImages(null)).toBe(false);
    expect(collectImageParts([null, 'x', { content: [null, { type: 'image_url' }] }])).toEqual([]);
  });
});

describe('transformMessageImages', () => {
  it("'url' delivery: keeps http URLs, processes data URLs, never mutates the input", async () => {
    const input = conversation();
    const before = structuredClone(input);
    served = 0;
    const { messages, processed } = await transformMessageImages(input, options({ delivery: 'url' }));
    expect(input).toEqual(before);
    expect(served).toBe(0);
    const parts = partsOf(messages);
    expect(parts[0]).toEqual({ type: 'text', text: 'What is in these?' });
    expect(parts[2]).toEqual({ type: 'image_url', image_url: { url: remoteUrl(), detail: 'low' } });
    expect(urlOf(parts[1]).startsWith('data:image/jpeg;base64,')).toBe(true);
    expect((parts[1].image_url as { detail: string }).detail).toBe('high');
    expect(typeof parts[3].image_url).toBe('string');
    expect(urlOf(parts[3]).startsWith('data:image/png;base64,')).toBe(true);
    expect(processed.map((p) => [p.original.format, p.format, p.width, p.height])).toEqual([
      ['png', 'jpeg', 512, 341],
      ['png', 'png', 64, 64],
    ]);
    expect(messages[0]).toBe(input[0]); // untouched messages are shared, not copied
  });

  it("'url' delivery with forceInline fetches the http image through the SSRF-safe fetcher", async () => {
    served = 0;
    const { messages, processed } = await transformMessageImages(conversation(), options({ delivery: 'url', forceInline: true }));
    expect(served).toBe(1);
    const inlined = partsOf(messages)[2];
    expect(urlOf(inlined).startsWith('data:image/jpeg;base64,')).toBe(true);
    expect((inlined.image_url as { detail: string }).detail).toBe('low');
    expect(processed).toHaveLength(3);
    expect(processed[1]).toMatchObject({ width: 512, height: 512, original: { width: 1000, height: 1000 } });
  });

  it("'data-url' delivery inlines every image within the limits", async () => {
    const { messages, processed } = await transformMessageImages(conversation(), options({ delivery: 'data-url' }));
    for (const part of partsOf(messages).slice(1)) {
      const url = urlOf(part);
      expect(url).toMatch(/^data:image\/(jpeg|png);base64,/);
      const bytes = Buffer.from(url.slice(url.indexOf(',') + 1), 'base64');
      expect(bytes.length).toBeLessThanOrEqual(LIMITS.maxBytes);
      const meta = await sharp(bytes).metadata();
      expect(Math.max(meta.width, meta.height)).toBeLessThanOrEqual(512);
    }
    expect(processed).toHaveLength(3);
  });

  it("'raw-base64' delivery emits bare base64 without the data: prefix", async () => {
    const { messages } = await transformMessageImages(conversation(), options({ delivery: 'raw-base64' }));
    const parts = partsOf(messages);
    for (const part of parts.slice(1)) {
      const value = urlOf(part);
      expect(value.startsWith('data:')).toBe(false);
      expect(value).toMatch(/^[A-Za-z0-9+/]+=*$/);
      const format = (await sharp(Buffer.from(value, 'base64')).metadata()).format;
      expect(['jpeg', 'png']).toContain(format);
    }
    expect((parts[1].image_url as { detail: string }).detail).toBe('high');
  });

  it('accepts raw base64 input parts too', async () => {
    const messages = [{ role: 'user', content: [{ type: 'image_url', image_url: { url: bigPng.toString('base64') } }] }];
    const out = await transformMessageImages(messages, options({ delivery: 'data-url' }));
    expect(out.processed[0]).toMatchObject({ format: 'jpeg', original: { format: 'png', width: 1200 } });
  });

  it('returns the messages untouched when nothing needs processing', async () => {
    const messages = [{ role: 'user', content: [{ type: 'image_url', image_url: { url: 'https://example.com/a.png' } }] }];
    const out = await transformMessageImages(messages, options({ delivery: 'url' }));
    expect(out.processed).toEqual([]);
    expect(out.messages).toEqual(messages);
  });

  it('attaches the failing part location to errors', async () => {
    const bad = [
      { role: 'user', content: [{ type: 'text', text: 'x' }, { type: 'image_url', image_url: { url: 'data:image/png;base64,!!!' } }] },
    ];
    const err = await failure(transformMessageImages(bad, options({})));
    expect(err).toMatchObject({ status: 400, code: 'invalid_image_data', param: 'messages[0].content[1].image_url' });

    const text = [{ role: 'user', content: [{ type: 'image_url', image_url: buildDataUrl('image/jpeg', Buffer.from('just text, not a jpeg')) }] }];
    const err2 = await failure(transformMessageImages(text, options({})));
    expect(err2).toMatchObject({ status: 415, code: 'unsupported_image_format', param: 'messages[0].content[0].image_url' });

    const ftp = [{ role: 'user', content: [{ type: 'image_url', image_url: { url: 'ftp://host/x.png' } }] }];
    const err3 = await failure(transformMessageImages(ftp, options({ delivery: 'url' })));
    expect(err3).toMatchObject({ status: 400, code: 'invalid_image_url' });
  });

  it('refuses internal URLs when inlining (fetch errors propagate with the location)', async () => {
    const messages = [{ role: 'user', content: [{ type: 'image_url', image_url: { url: `http://127.0.0.1:${port}/x.jpg` } }] }];
    served = 0;
    const err = await failure(transformMessageImages(messages, options({ delivery: 'data-url' })));
    expect(err).toMatchObject({ code: 'image_url_forbidden', param: 'messages[0].content[0].image_url' });
    expect(served).toBe(0);
  });

  it('enforces maxImagesPerRequest', async () => {
    const err = await failure(
      transformMessageImages(conversation(), options({ limits: { ...LIMITS, maxImagesPerRequest: 2 } })),
    );
    expect(err).toMatchObject({ status: 400, code: 'too_many_images' });
  });
});
