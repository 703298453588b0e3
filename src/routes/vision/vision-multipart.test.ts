import sharp from 'sharp';
import { FormData, fetch, type Response } from 'undici';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { encodeBmp, halves, noisy, pngDeclaring, solid, transparentCorner } from '../../images/__fixtures__/image-fixtures.js';
import type { DecodedImageInfo } from '../../simulator/types.js';
import { defaultTestProviders, startHarness, type Harness } from '../../test-support/gateway-harness.js';

const MAX_UPLOAD = 3_000_000;
const RED = { r: 220, g: 30, b: 30 };
// OpenAI's defaults (src/images/vendor-limits.ts): what gpt-test's images must fit.
const OPENAI = { maxLongEdge: 2048, maxPixels: 2048 * 768, maxBytes: 20 * 1024 * 1024 };
const TIGHT = { maxLongEdge: 800, maxPixels: 400_000, maxBytes: 60_000 };

let h: Harness;

beforeAll(async () => {
  h = await startHarness({
    providers: [
      ...defaultTestProviders(),
      {
        name: 'Tight',
        vendor: 'openai',
        keyEnv: 'TIGHT_KEY',
        key: 'tight-secret-0000',
        models: { vision: ['tight-vision'] },
        extra: `    image_limits: { max_long_edge: ${TIGHT.maxLongEdge}, max_pixels: ${TIGHT.maxPixels}, max_bytes: ${TIGHT.maxBytes} }\n`,
      },
    ],
    modelsYamlExtra: `vision:\n  default_prompt: "Describe the picture"\n  max_upload_bytes: ${MAX_UPLOAD}\n`,
    activeModels: {
      active_language_model_provider: 'Moonshot',
      active_language_model: 'kimi-test',
      active_vision_model_provider: 'OpenAI',
      active_vision_model: 'vision-test',
    },
  });
});
afterAll(async () => h.close());
beforeEach(() => h.sim.clear());

interface Upload {
  data: Buffer;
  name: string;
  type?: string;
}

const upload = (files: Upload[], fields: Record<string, string> = {}, path = '/v1/vision/completions'): Promise<Response> => {
  const form = new FormData();
  for (const [name, value] of Object.entries(fields)) form.append(name, value);
  for (const file of files) form.append('image', new Blob([new Uint8Array(file.data)], { type: file.type ?? 'application/octet-stream' }), file.name);
  return fetch(`${h.url}${path}`, { method: 'POST', body: form });
};

const errorOf = async (res: Response) => ((await res.json()) as { error: { code: string; param: string | null; message: string } }).error;

/** What the simulated vendor received for the last chat request. */
const receivedImages = () => {
  const last = h.sim.received.at(-1)!;
  return { body: last.body as { model: string; messages: Array<{ content: unknown[] }> }, images: last.images as DecodedImageInfo[] };
};

/** The bytes of the first image the vendor got (a data URL). */
const sentImageBytes = (): Buffer => {
  const part = receivedImages().body.messages[0]!.content[1] as { image_url: { url: string } };
  return Buffer.from(part.image_url.url.slice(part.image_url.url.indexOf(',') + 1), 'base64');
};

const expectWithin = (image: DecodedImageInfo, limits: typeof OPENAI) => {
  expect(image.error).toBeUndefined();
  expect(Math.max(image.width!, image.height!)).toBeLessThanOrEqual(limits.maxLongEdge);
  expect(image.width! * image.height!).toBeLessThanOrEqual(limits.maxPixels);
  expect(image.bytes).toBeLessThanOrEqual(limits.maxBytes);
  expect(image.hasExif).toBe(false);
};

const gifFrames = async () => {
  const frames = await Promise.all([RED, { r: 0, g: 200, b: 0 }, { r: 0, g: 0, b: 200 }].map((c) => solid(60, 40, c).png().toBuffer()));
  return sharp(frames, { join: { animated: true } }).gif({ delay: [100, 100, 100], loop: 0 }).toBuffer();
};

const bmp = () => {
  const pixels = Buffer.alloc(50 * 30 * 3, 0x80);
  return encodeBmp(pixels, 50, 30, { bits: 24 });
};

describe('POST /v1/vision/completions (multipart)', () => {
  const formats: Array<[string, () => Promise<Buffer> | Buffer, { w: number; h: number }]> = [
    ['jpeg', () => solid(640, 480, RED).jpeg().withExifMerge({ IFD0: { Copyright: 'secret-owner' } }).toBuffer(), { w: 640, h: 480 }],
    ['png', () => solid(300, 200, RED).png().toBuffer(), { w: 300, h: 200 }],
    ['webp', () => solid(300, 200, RED).webp().toBuffer(), { w: 300, h: 200 }],
    ['gif', gifFrames, { w: 60, h: 40 }],
    ['avif', () => solid(120, 80, RED).avif().toBuffer(), { w: 120, h: 80 }],
    ['tiff', () => solid(120, 80, RED).tiff().toBuffer(), { w: 120, h: 80 }],
    ['bmp', bmp, { w: 50, h: 30 }],
  ];

  for (const [format, make, size] of formats) {
    it(`accepts ${format}, sends the vendor a clean JPEG and says what it did`, async () => {
      const data = await make();
      if (format === 'jpeg') expect(data.includes(Buffer.from('secret-owner'))).toBe(true);
      const res = await upload([{ data, name: `photo.${format}` }], { model: 'gpt-test', prompt: 'What is this?' });
      expect(res.status).toBe(200);
      const completion = (await res.json()) as { object: string; model: string; choices: Array<{ message: { content: string } }> };
      expect(completion.object).toBe('chat.completion');
      expect(completion.model).toBe('gpt-test');
      expect(completion.choices[0]!.message.content).toContain(`[image 1: jpeg ${size.w}x${size.h}`);
      expect(res.headers.get('x-gateway-images')).toBe('1');
      expect(res.headers.get('x-gateway-image-processing')).toMatch(new RegExp(`^${format} ${size.w}x${size.h} .* -> jpeg ${size.w}x${size.h} `));
      const { body, images } = receivedImages();
      expect(images).toHaveLength(1);
      expect(images[0]).toMatchObject({ format: 'jpeg', width: size.w, height: size.h, mime: 'image/jpeg' });
      expectWithin(images[0]!, OPENAI);
      expect(body.messages[0]!.content[0]).toEqual({ type: 'text', text: 'What is this?' });
      if (format === 'gif') expect(res.headers.get('x-gateway-image-processing')).toContain('first-frame');
      if (format === 'jpeg') expect(sentImageBytes().includes(Buffer.from('secret-owner'))).toBe(false);
    });
  }

  it('downscales huge dimensions to the vendor limits', async () => {
    const res = await upload([{ data: await solid(6000, 4000, RED).jpeg({ quality: 60 }).toBuffer(), name: 'huge.jpg' }], { model: 'gpt-test' });
    expect(res.status).toBe(200);
    const { images } = receivedImages();
    expectWithin(images[0]!, OPENAI);
    expect(images[0]!.width! / images[0]!.height!).toBeCloseTo(1.5, 1);
    expect(res.headers.get('x-gateway-image-processing')).toMatch(/^jpeg 6000x4000 .* -> jpeg \d+x\d+ /);
  });

  it('applies the provider image_limits override, bytes included', async () => {
    const big = await noisy(1600, 1200).jpeg({ quality: 95 }).toBuffer();
    expect(big.length).toBeGreaterThan(TIGHT.maxBytes * 4);
    const res = await upload([{ data: big, name: 'noise.jpg' }], { model: 'tight-vision' });
    expect(res.status).toBe(200);
    expectWithin(receivedImages().images[0]!, TIGHT);
  });

  it('applies EXIF rotation and strips EXIF', async () => {
    const rotated = await halves(80, 40).jpeg().withMetadata({ orientation: 6 }).toBuffer();
    const res = await upload([{ data: rotated, name: 'phone.jpg' }], { model: 'gpt-test' });
    expect(res.status).toBe(200);
    expect(receivedImages().images[0]).toMatchObject({ format: 'jpeg', width: 40, height: 80, hasExif: false });
    expect(res.headers.get('x-gateway-image-processing')).toContain('rotate-exif');
  });

  it('keeps transparency as PNG', async () => {
    const res = await upload([{ data: await transparentCorner(64).png().toBuffer(), name: 'logo.png' }], { model: 'gpt-test' });
    expect(res.status).toBe(200);
    expect(receivedImages().images[0]).toMatchObject({ format: 'png', hasAlpha: true, width: 64, height: 64 });
    expect(res.headers.get('x-gateway-image-processing')).toMatch(/-> png 64x64/);
  });

  it('takes several files, uses the default prompt and the active vision model', async () => {
    const a = await solid(100, 100, RED).png().toBuffer();
    const b = await solid(50, 20, RED).webp().toBuffer();
    const res = await upload([{ data: a, name: 'a.png' }, { data: b, name: 'b.webp' }], {}, '/api/v1/vision/completions');
    expect(res.status).toBe(200);
    expect(res.headers.get('x-gateway-model')).toBe('OpenAI/vision-test');
    expect(res.headers.get('x-gateway-images')).toBe('2');
    expect(res.headers.get('x-gateway-image-processing')!.split(' | ')).toHaveLength(2);
    const { body, images } = receivedImages();
    expect(body.model).toBe('vision-test');
    expect(body.messages[0]!.content[0]).toEqual({ type: 'text', text: 'Describe the picture' });
    expect(images.map((i) => [i.width, i.height])).toEqual([[100, 100], [50, 20]]);
  });

  it('passes max_tokens, temperature and detail on', async () => {
    const res = await upload([{ data: await solid(20, 20, RED).png().toBuffer(), name: 'x.png' }], {
      model: 'gpt-test',
      max_tokens: '77',
      temperature: '0.3',
      detail: 'low',
    });
    expect(res.status).toBe(200);
    const body = receivedImages().body as unknown as { max_tokens: number; temperature: number; messages: Array<{ content: Array<{ image_url?: { detail?: string } }> }> };
    expect(body.max_tokens).toBe(77);
    expect(body.temperature).toBe(0.3);
    expect(body.messages[0]!.content[1]!.image_url!.detail).toBe('low');
  });

  it('streams SSE when stream=true, with the image headers', async () => {
    const res = await upload([{ data: await solid(40, 40, RED).png().toBuffer(), name: 'x.png' }], { model: 'gpt-test', stream: 'true' });
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toMatch(/^text\/event-stream/);
    expect(res.headers.get('x-gateway-image-processing')).toMatch(/^png 40x40 .* -> jpeg 40x40/);
    const text = await res.text();
    const events = text.split('\n\n').filter(Boolean);
    expect(events.at(-1)).toBe('data: [DONE]');
    const content = events
      .slice(0, -1)
      .map((e) => JSON.parse(e.replace(/^data: /, '')) as { object: string; choices: Array<{ delta?: { content?: string } }> })
      .map((chunk) => {
        expect(chunk.object).toBe('chat.completion.chunk');
        return chunk.choices[0]?.delta?.content ?? '';
      })
      .join('');
    expect(content).toContain('[image 1: jpeg 40x40');
  });
});

describe('POST /v1/vision/completions (multipart): bad input', () => {
  it('refuses images for a text-only model and names the vision models', async () => {
    const res = await upload([{ data: await solid(20, 20, RED).png().toBuffer(), name: 'x.png' }], { model: 'kimi-test' });
    expect(res.status).toBe(400);
    const error = await errorOf(res);
    expect(error).toMatchObject({ code: 'model_not_vision_capable', param: 'model' });
    expect(error.message).toContain('OpenAI/vision-test');
    expect(h.sim.received).toHaveLength(0);
  });

  it('answers 400 missing_image naming the field when no file is sent', async () => {
    const res = await upload([], { prompt: 'hello' });
    expect(res.status).toBe(400);
    expect(await errorOf(res)).toMatchObject({ code: 'missing_image', param: 'image' });
  });

  it('answers 415 for a text file named .jpg', async () => {
    const res = await upload([{ data: Buffer.from('just some text, not a picture\n'.repeat(20)), name: 'cat.jpg', type: 'image/jpeg' }], { model: 'gpt-test' });
    expect(res.status).toBe(415);
    expect(await errorOf(res)).toMatchObject({ code: 'unsupported_image_format', param: 'image' });
  });

  it('answers 400 for a truncated image', async () => {
    const jpeg = await noisy(200, 200).jpeg().toBuffer();
    const res = await upload([{ data: jpeg.subarray(0, Math.floor(jpeg.length / 2)), name: 'cut.jpg' }], { model: 'gpt-test' });
    expect(res.status).toBe(400);
    expect(await errorOf(res)).toMatchObject({ code: 'invalid_image', param: 'image' });
  });

  it('answers 413 for a decompression bomb without decoding it', async () => {
    const res = await upload([{ data: pngDeclaring(20_000, 20_000), name: 'bomb.png' }], { model: 'gpt-test' });
    expect(res.status).toBe(413);
    expect(await errorOf(res)).toMatchObject({ code: 'image_too_large', param: 'image' });
  });

  it('names the offending file when several are sent', async () => {
    const good = await solid(20, 20, RED).png().toBuffer();
    const res = await upload([{ data: good, name: 'a.png' }, { data: Buffer.from('nope'.repeat(10)), name: 'b.png' }], { model: 'gpt-test' });
    expect(res.status).toBe(415);
    expect((await errorOf(res)).param).toBe('image[1]');
  });

  it('answers 413 upload_too_large past max_upload_bytes and keeps serving', async () => {
    // Just over the limit, and far over it (more than the gateway drains before closing).
    for (const size of [MAX_UPLOAD + 200_000, 40_000_000]) {
      const res = await upload([{ data: Buffer.alloc(size, 0xab), name: 'big.jpg' }], { model: 'gpt-test' });
      expect(res.status).toBe(413);
      expect(await errorOf(res)).toMatchObject({ code: 'upload_too_large', param: 'image' });
    }
    expect(h.sim.received).toHaveLength(0);
    // A connection left holding the refused body's tail would stall whichever request reuses it.
    const png = await solid(20, 20, RED).png().toBuffer();
    for (let i = 0; i < 4; i += 1) {
      const after = await Promise.race([
        upload([{ data: png, name: 'x.png' }], { model: 'gpt-test' }),
        new Promise<null>((resolve) => setTimeout(() => resolve(null), 5000)),
      ]);
      expect(after?.status, `request ${i} after the refused uploads`).toBe(200);
    }
  });

  it('answers 413 when a text field passes its limit', async () => {
    const res = await upload([{ data: await solid(20, 20, RED).png().toBuffer(), name: 'x.png' }], { prompt: 'x'.repeat(70_000) });
    expect(res.status).toBe(413);
    expect(await errorOf(res)).toMatchObject({ code: 'field_too_large', param: 'prompt' });
  });

  it('answers 400 naming bad form values', async () => {
    const png = await solid(20, 20, RED).png().toBuffer();
    for (const [field, value] of [['stream', 'maybe'], ['max_tokens', '-3'], ['temperature', 'hot'], ['detail', 'ultra']] as const) {
      const res = await upload([{ data: png, name: 'x.png' }], { [field]: value });
      expect(res.status, field).toBe(400);
      expect((await errorOf(res)).param).toBe(field);
    }
  });

  it('answers 400 for a malformed multipart body', async () => {
    const res = await fetch(`${h.url}/v1/vision/completions`, {
      method: 'POST',
      headers: { 'content-type': 'multipart/form-data; boundary=XYZ' },
      body: '--XYZ\r\nContent-Disposition: form-data; name="image"; filename="a.png"\r\n\r\nabc',
    });
    expect(res.status).toBe(400);
    expect((await errorOf(res)).code).toBe('invalid_multipart');
  });

  it('answers 415 for a body that is neither multipart nor JSON', async () => {
    for (const type of ['text/plain', 'image/png']) {
      const res = await fetch(`${h.url}/v1/vision/completions`, { method: 'POST', headers: { 'content-type': type }, body: 'hello' });
      expect(res.status, type).toBe(415);
      expect((await errorOf(res)).code).toBe('unsupported_media_type');
    }
  });
});
