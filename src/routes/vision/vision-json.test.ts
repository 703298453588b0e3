import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { fetch, type Response } from 'undici';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { solid, transparentCorner } from '../../images/__fixtures__/image-fixtures.js';
import type { DecodedImageInfo, ImageInfo } from '../../simulator/types.js';
import { defaultTestProviders, startHarness, type Harness } from '../../test-support/gateway-harness.js';

const RED = { r: 220, g: 30, b: 30 };

let h: Harness;
let images: Server;
let imagePort = 0;
const imageHits: string[] = [];
let photoPng: Buffer;
let photoJpeg: Buffer;

/** A loopback image host; the gateway may fetch from it only as `localhost` (allowed_url_hosts). */
const startImageServer = async (): Promise<void> => {
  images = createServer((req, res) => {
    imageHits.push(req.url ?? '');
    if (req.url === '/photo.png') res.writeHead(200, { 'content-type': 'image/png' }).end(photoPng);
    else if (req.url === '/photo.jpg') res.writeHead(200, { 'content-type': 'image/jpeg' }).end(photoJpeg);
    else if (req.url === '/page') res.writeHead(200, { 'content-type': 'text/html' }).end('<html></html>');
    else res.writeHead(404).end();
  });
  // Dual-stack, so `localhost` works whichever address family it resolves to first.
  await new Promise<void>((resolve, reject) => {
    images.once('error', reject);
    images.listen(0, '::', () => resolve());
  }).catch(
    () =>
      new Promise<void>((resolve) => {
        images.listen(0, '127.0.0.1', () => resolve());
      }),
  );
  imagePort = (images.address() as AddressInfo).port;
};

beforeAll(async () => {
  photoPng = await solid(3000, 2000, RED).png().toBuffer();
  photoJpeg = await solid(300, 200, RED).jpeg().withExifMerge({ IFD0: { Copyright: 'secret-owner' } }).toBuffer();
  await startImageServer();
  h = await startHarness({
    providers: [
      ...defaultTestProviders(),
      { name: 'Inline', vendor: 'openai', keyEnv: 'INLINE_KEY', key: 'inline-secret-0000', models: { vision: ['inline-vision'] }, extra: '    force_inline_images: true\n' },
    ],
    modelsYamlExtra: 'vision:\n  allowed_url_hosts: ["localhost"]\n',
    activeModels: {
      active_language_model_provider: 'Moonshot',
      active_language_model: 'kimi-test',
      active_vision_model_provider: 'SiliconFlow',
      active_vision_model: 'deepseek-ai/deepseek-vl2',
    },
  });
});
afterAll(async () => {
  await h?.close();
  await new Promise((resolve) => images?.close(resolve));
});
beforeEach(() => {
  h.sim.clear();
  imageHits.length = 0;
});

const post = (body: unknown, path = '/v1/vision/completions', type = 'application/json'): Promise<Response> =>
  fetch(`${h.url}${path}`, { method: 'POST', headers: { 'content-type': type }, body: typeof body === 'string' ? body : JSON.stringify(body) });

const errorOf = async (res: Response) => ((await res.json()) as { error: { code: string; param: string | null; message: string } }).error;
const dataUrl = (buf: Buffer, mime = 'image/png') => `data:${mime};base64,${buf.toString('base64')}`;
const lastImages = (): ImageInfo[] => h.sim.received.at(-1)!.images;
const decoded = (info: ImageInfo | undefined): DecodedImageInfo => {
  expect(info?.kind).toBe('data');
  return info as DecodedImageInfo;
};
const localUrl = (path: string, host = 'localhost') => `http://${host}:${imagePort}${path}`;

describe('POST /v1/vision/completions (JSON)', () => {
  it('processes a data URL for the named model', async () => {
    const res = await post({ model: 'gpt-test', prompt: 'Count the pixels', images: [dataUrl(photoPng)] });
    expect(res.status).toBe(200);
    const image = decoded(lastImages()[0]);
    expect(image).toMatchObject({ format: 'jpeg', hasExif: false });
    expect(Math.max(image.width!, image.height!)).toBeLessThanOrEqual(2048);
    expect(image.width! * image.height!).toBeLessThanOrEqual(2048 * 768);
    expect(res.headers.get('x-gateway-image-processing')).toMatch(/^png 3000x2000 .* -> jpeg \d+x\d+ /);
    expect(res.headers.get('x-gateway-images')).toBe('1');
  });

  it('uses the active vision model when none is named, with its own vendor limits', async () => {
    const res = await post({ images: [dataUrl(photoPng)] });
    expect(res.status).toBe(200);
    expect(res.headers.get('x-gateway-model')).toBe('SiliconFlow/deepseek-ai/deepseek-vl2');
    const image = decoded(lastImages()[0]);
    expect(Math.max(image.width!, image.height!)).toBeLessThanOrEqual(2048); // siliconflow: 2048 / ~4MP
    expect(image.width! * image.height!).toBeLessThanOrEqual(2048 * 2048);
  });

  it('passes an http URL on unchanged for a vendor that fetches URLs itself', async () => {
    const url = localUrl('/photo.png');
    const res = await post({ model: 'gpt-test', images: [url], detail: 'high' });
    expect(res.status).toBe(200);
    expect(lastImages()).toEqual([{ kind: 'url', url }]);
    const sent = h.sim.received.at(-1)!.body as { messages: Array<{ content: unknown[] }> };
    expect(sent.messages[0]!.content[1]).toEqual({ type: 'image_url', image_url: { url, detail: 'high' } });
    expect(res.headers.get('x-gateway-image-processing')).toBe('1 url passed through');
    expect(imageHits).toEqual([]);
  });

  it('fetches and inlines an allowed http URL for Ollama (data URLs only)', async () => {
    const res = await post({ model: 'llava-local', images: [localUrl('/photo.jpg')] });
    expect(res.status).toBe(200);
    expect(imageHits).toEqual(['/photo.jpg']);
    expect(decoded(lastImages()[0])).toMatchObject({ format: 'jpeg', width: 300, height: 200, hasExif: false });
    expect(h.sim.received.at(-1)!.path).toBe('/ollama/v1/chat/completions');
    expect(res.headers.get('x-gateway-image-processing')).toMatch(/^jpeg 300x200 .* -> jpeg 300x200 .*strip-metadata/);
  });

  it('fetches and inlines when the provider forces inline images', async () => {
    const res = await post({ model: 'inline-vision', images: [localUrl('/photo.png'), dataUrl(await transparentCorner(32).png().toBuffer())] });
    expect(res.status).toBe(200);
    const [first, second] = lastImages();
    expect(decoded(first)).toMatchObject({ format: 'jpeg', width: 1536, height: 1024 }); // 2048 x 768 pixels at most
    expect(decoded(second)).toMatchObject({ format: 'png', hasAlpha: true });
    expect(res.headers.get('x-gateway-image-processing')!.split(' | ')).toHaveLength(2);
  });

  it('refuses internal URLs (400 image_url_forbidden) without fetching them', async () => {
    const cases: Array<[string, string]> = [
      ['llava-local', 'http://169.254.169.254/latest/meta-data/'],
      ['llava-local', localUrl('/photo.png', '127.0.0.1')],
      ['llava-local', localUrl('/photo.png', '[::1]')],
      // Passed-through URLs are checked too: the upstream would fetch them from inside.
      ['gpt-test', 'http://169.254.169.254/x'],
      ['gpt-test', localUrl('/photo.png', '127.0.0.1')],
    ];
    for (const [model, url] of cases) {
      const res = await post({ model, images: [dataUrl(photoPng), url] });
      expect(res.status, url).toBe(400);
      expect(await errorOf(res)).toMatchObject({ code: 'image_url_forbidden', param: 'images[1]' });
    }
    expect(imageHits).toEqual([]);
    expect(h.sim.received).toHaveLength(0);
  });

  it('reports a fetched URL that is not an image', async () => {
    const res = await post({ model: 'llava-local', images: [localUrl('/page')] });
    expect(res.status).toBe(415);
    expect(await errorOf(res)).toMatchObject({ code: 'unsupported_image_format', param: 'images[0]' });
  });

  it('streams SSE when stream is true', async () => {
    const res = await post({ model: 'gpt-test', stream: true, images: [dataUrl(await solid(20, 20, RED).png().toBuffer())] });
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toMatch(/^text\/event-stream/);
    expect(res.headers.get('x-gateway-image-processing')).toMatch(/^png 20x20/);
    const text = await res.text();
    expect(text.trimEnd().endsWith('data: [DONE]')).toBe(true);
    expect(text).toContain('chat.completion.chunk');
  });

  it('refuses images for a text-only model, naming vision models', async () => {
    const res = await post({ model: 'kimi-test', images: [dataUrl(photoPng)] });
    expect(res.status).toBe(400);
    const error = await errorOf(res);
    expect(error).toMatchObject({ code: 'model_not_vision_capable', param: 'model' });
    expect(error.message).toMatch(/OpenAI\/gpt-test/);
  });

  it('validates the body and names the field', async () => {
    const png = dataUrl(await solid(10, 10, RED).png().toBuffer());
    const cases: Array<[unknown, number, string, string | null]> = [
      [{ prompt: 'hi' }, 400, 'missing_image', 'images'],
      [{ images: [] }, 400, 'missing_image', 'images'],
      [{ images: png }, 400, 'invalid_type', 'images'],
      [{ images: [png, 42] }, 400, 'invalid_type', 'images[1]'],
      [{ images: ['ftp://example.com/a.png'] }, 400, 'invalid_image_url', 'images[0]'],
      [{ images: [png], stream: 'yes' }, 400, 'invalid_type', 'stream'],
      [{ images: [png], max_tokens: 0 }, 400, 'invalid_value', 'max_tokens'],
      [{ images: [png], model: 5 }, 400, 'invalid_type', 'model'],
      [{ images: ['data:image/png;base64,@@@'] }, 400, 'invalid_image_data', 'images[0]'],
      [[1, 2], 400, 'invalid_request', null],
      ['{"images": [', 400, 'invalid_json', null],
    ];
    for (const [body, status, code, param] of cases) {
      const res = await post(body);
      expect(res.status, JSON.stringify(body)).toBe(status);
      expect(await errorOf(res), JSON.stringify(body)).toMatchObject({ code, param });
    }
    expect(h.sim.received).toHaveLength(0);
  });

  it('documents both request forms in OpenAPI', async () => {
    const spec = (await (await fetch(`${h.url}/openapi.json`)).json()) as {
      paths: Record<string, { post: { requestBody: { content: Record<string, { schema: { properties: Record<string, { type?: string; items?: { format?: string } }> } }> } } }>;
    };
    for (const path of ['/v1/vision/completions', '/api/v1/vision/completions']) {
      const content = spec.paths[path]!.post.requestBody.content;
      expect(content['multipart/form-data']!.schema.properties.image!.items!.format).toBe('binary');
      expect(content['application/json']!.schema.properties.images!.type).toBe('array');
    }
  });
});

describe('POST /v1/chat/completions with image_url parts', () => {
  it('sends the vendor a processed JPEG for a data URL (official SDK)', async () => {
    const completion = await h.client().chat.completions.create({
      model: 'gpt-test',
      messages: [
        {
          role: 'user',
          content: [
            { type: 'text', text: 'What is this?' },
            { type: 'image_url', image_url: { url: dataUrl(photoPng) } },
          ],
        },
      ],
    });
    expect(completion.choices[0]!.message.content).toMatch(/\[image 1: jpeg \d+x\d+ /);
    const image = decoded(lastImages()[0]);
    expect(image).toMatchObject({ format: 'jpeg', hasExif: false });
    expect(Math.max(image.width!, image.height!)).toBeLessThanOrEqual(2048);
  });

  it('inlines a remote URL as a data URL for an Ollama provider', async () => {
    await h.client().chat.completions.create({
      model: 'llava-local',
      messages: [{ role: 'user', content: [{ type: 'image_url', image_url: { url: localUrl('/photo.jpg') } }] }],
    });
    expect(imageHits).toEqual(['/photo.jpg']);
    expect(decoded(lastImages()[0])).toMatchObject({ format: 'jpeg', width: 300, height: 200, hasExif: false });
  });
});
