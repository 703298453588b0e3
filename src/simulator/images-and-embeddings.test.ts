import OpenAI from 'openai';
import sharp from 'sharp';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { startSimulator, type DecodedImageInfo, type Simulator } from './index.js';

let sim: Simulator;
let openai: OpenAI;

beforeAll(async () => {
  sim = await startSimulator();
  openai = new OpenAI({ baseURL: `${sim.url}/v1`, apiKey: 'sk-test', maxRetries: 0 });
});
afterAll(async () => {
  await sim.close();
});
beforeEach(() => {
  sim.clear();
});

describe('image inspection', () => {
  it('decodes data URLs, raw base64 and keeps http URLs, and acknowledges each image', async () => {
    const png = await sharp({ create: { width: 40, height: 30, channels: 4, background: { r: 255, g: 0, b: 0, alpha: 0.5 } } })
      .png()
      .toBuffer();
    const jpeg = await sharp({ create: { width: 64, height: 48, channels: 3, background: '#336699' } })
      .jpeg()
      .withExif({ IFD0: { Copyright: 'simulator test' } })
      .toBuffer();
    const completion = await openai.chat.completions.create({
      model: 'gpt-4o',
      messages: [
        {
          role: 'user',
          content: [
            { type: 'text', text: 'What are these?' },
            { type: 'image_url', image_url: { url: `data:image/png;base64,${png.toString('base64')}` } },
            { type: 'image_url', image_url: { url: jpeg.toString('base64') } },
            { type: 'image_url', image_url: { url: 'https://example.com/cat.webp' } },
          ],
        },
      ],
    });
    expect(completion.choices[0].message.content).toBe(
      [
        'Simulated reply from gpt-4o.',
        `[image 1: png 40x30 ${png.length} bytes]`,
        `[image 2: jpeg 64x48 ${jpeg.length} bytes]`,
        '[image 3: url https://example.com/cat.webp]',
      ].join('\n'),
    );
    // ceil(15 / 4) + 3 × 85
    expect(completion.usage?.prompt_tokens).toBe(4 + 255);

    const [pngInfo, jpegInfo, urlInfo] = sim.received[0].images;
    expect(pngInfo).toEqual({
      kind: 'data',
      mime: 'image/png',
      format: 'png',
      width: 40,
      height: 30,
      bytes: png.length,
      hasExif: false,
      hasAlpha: true,
    });
    expect(jpegInfo).toMatchObject({ kind: 'base64', mime: 'image/jpeg', format: 'jpeg', width: 64, height: 48 });
    expect((jpegInfo as DecodedImageInfo).hasExif).toBe(true);
    expect((jpegInfo as DecodedImageInfo).hasAlpha).toBe(false);
    expect(urlInfo).toEqual({ kind: 'url', url: 'https://example.com/cat.webp' });
  });

  it('reports undecodable image bytes instead of failing', async () => {
    const completion = await openai.chat.completions.create({
      model: 'gpt-4o',
      messages: [
        { role: 'user', content: [{ type: 'image_url', image_url: { url: 'data:image/png;base64,AAAA' } }] },
      ],
    });
    expect(completion.choices[0].message.content).toContain('[image 1: undecodable 3 bytes]');
    expect(sim.received[0].images[0]).toMatchObject({ kind: 'data', format: null, bytes: 3 });
  });
});

describe('embeddings', () => {
  it('returns deterministic unit vectors of the requested size', async () => {
    const first = await openai.embeddings.create({ model: 'text-embedding-3-small', input: ['alpha', 'beta'], encoding_format: 'float' });
    expect(first.object).toBe('list');
    expect(first.model).toBe('text-embedding-3-small');
    expect(first.data.map((item) => item.index)).toEqual([0, 1]);
    expect(first.data[0].embedding).toHaveLength(16);
    expect(first.data[0].embedding).not.toEqual(first.data[1].embedding);
    const norm = Math.hypot(...first.data[0].embedding);
    expect(norm).toBeCloseTo(1, 5);
    // ceil(5 / 4) + ceil(4 / 4)
    expect(first.usage).toEqual({ prompt_tokens: 3, total_tokens: 3 });

    const again = await openai.embeddings.create({ model: 'text-embedding-3-small', input: 'alpha', dimensions: 16, encoding_format: 'float' });
    expect(again.data[0].embedding).toEqual(first.data[0].embedding);

    const wide = await openai.embeddings.create({ model: 'text-embedding-3-small', input: 'alpha', dimensions: 256, encoding_format: 'float' });
    expect(wide.data[0].embedding).toHaveLength(256);
  });

  it('encodes base64 as little-endian float32 like OpenAI', async () => {
    const response = await fetch(`${sim.url}/v1/embeddings`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ model: 'm', input: 'hello', encoding_format: 'base64' }),
    });
    const body = (await response.json()) as { data: Array<{ embedding: string }> };
    const bytes = Buffer.from(body.data[0].embedding, 'base64');
    expect(bytes.length).toBe(16 * 4);
    const decoded = Array.from({ length: 16 }, (_, index) => bytes.readFloatLE(index * 4));

    const float = await openai.embeddings.create({ model: 'm', input: 'hello', encoding_format: 'float' });
    expect(decoded).toEqual(float.data[0].embedding);
    // The SDK's default (base64 on the wire, decoded client-side) agrees too.
    const viaSdk = await openai.embeddings.create({ model: 'm', input: 'hello' });
    expect(viaSdk.data[0].embedding).toEqual(decoded);
  });

  it('rejects invalid input with a 400 envelope', async () => {
    await expect(openai.embeddings.create({ model: 'm', input: [] })).rejects.toMatchObject({ status: 400 });
  });
});

describe('models', () => {
  it('lists a few ids per vendor', async () => {
    const page = await openai.models.list();
    expect(page.data.map((model) => model.id)).toContain('gpt-4o');
    const moonshot = await new OpenAI({ baseURL: `${sim.url}/moonshot/v1`, apiKey: 'k', maxRetries: 0 }).models.list();
    expect(moonshot.data[0]).toMatchObject({ id: 'moonshot-v1-8k', object: 'model', owned_by: 'moonshot' });
    expect(sim.received.at(-1)).toMatchObject({ method: 'GET', vendor: 'moonshot', body: null, rawBody: '' });
  });
});
