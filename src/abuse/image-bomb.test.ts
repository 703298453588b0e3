import { FormData, fetch, type Response } from 'undici';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { interlacedTransparentPng, solid } from '../images/__fixtures__/image-fixtures.js';
import { startHarness, type Harness } from '../test-support/gateway-harness.js';

/**
 * Issue 10 item 3: a ~400 KB interlaced, transparent 10000x10000 PNG costs ~400 MB to
 * decode (interlaced PNGs cannot be streamed), and nothing bounded how many decoded at
 * once. Ten arrive together over real HTTP; the process's RSS must stay flat.
 */

const upload = (h: Harness, data: Buffer, name = 'bomb.png'): Promise<Response> => {
  const form = new FormData();
  form.append('model', 'gpt-test');
  form.append('prompt', 'What is this?');
  form.append('image', new Blob([new Uint8Array(data)], { type: 'image/png' }), name);
  return fetch(`${h.url}/v1/vision/completions`, { method: 'POST', body: form });
};

interface ErrorBody {
  error: { message: string; code: string; type: string };
}

/** Highest RSS seen while `work` runs, sampled every 10 ms. */
const peakRssDuring = async <T>(work: () => Promise<T>): Promise<{ result: T; baseline: number; peak: number }> => {
  globalThis.gc?.();
  const baseline = process.memoryUsage.rss();
  let peak = baseline;
  const timer = setInterval(() => {
    peak = Math.max(peak, process.memoryUsage.rss());
  }, 10);
  try {
    const result = await work();
    peak = Math.max(peak, process.memoryUsage.rss());
    return { result, baseline, peak };
  } finally {
    clearInterval(timer);
  }
};

const MB = 1024 * 1024;

describe('image memory bomb (issue 10, item 3)', () => {
  let h: Harness;
  let bomb: Buffer;

  beforeAll(async () => {
    bomb = await interlacedTransparentPng(10_000, 10_000);
    h = await startHarness();
  }, 60_000);
  afterAll(async () => h?.close());

  it('answers ten simultaneous 10000x10000 interlaced transparent PNGs with clear errors while RSS stays flat', async () => {
    expect(bomb.length).toBeLessThan(600 * 1024);
    // Warm up the image pipeline (sharp is loaded on first use) so its own cost is not counted.
    const warm = await upload(h, await solid(64, 64, { r: 10, g: 200, b: 10 }).png().toBuffer(), 'warm.png');
    expect(warm.status).toBe(200);
    await warm.text();

    const { result, baseline, peak } = await peakRssDuring(() =>
      Promise.all(
        Array.from({ length: 10 }, async () => {
          const res = await upload(h, bomb);
          return { status: res.status, retryAfter: res.headers.get('retry-after'), body: (await res.json()) as ErrorBody };
        }),
      ),
    );
    const growthMb = Math.round((peak - baseline) / MB);
    console.log(`image bomb: RSS ${Math.round(baseline / MB)} MB -> peak ${Math.round(peak / MB)} MB (growth ${growthMb} MB)`);

    for (const { status, retryAfter, body } of result) {
      // Too big to decode (413), or refused because the image queue is full (503 + Retry-After).
      expect([413, 503]).toContain(status);
      if (status === 503) expect(Number(retryAfter)).toBeGreaterThan(0);
      expect(body.error.code).toMatch(/^image_/);
      expect(body.error.message).toMatch(/image/i);
      expect(body.error.message).not.toMatch(/\n\s+at /);
    }
    expect(result.filter((r) => r.status === 413).length).toBeGreaterThan(0);
    expect(result.find((r) => r.status === 413)!.body.error.message).toMatch(/10000x10000.*MB/);
    expect(growthMb).toBeLessThan(600);

    // The gateway still serves a normal image afterwards.
    const normal = await upload(h, await solid(640, 480, { r: 200, g: 30, b: 30 }).png().toBuffer(), 'normal.png');
    expect(normal.status).toBe(200);
    const completion = (await normal.json()) as { choices: Array<{ message: { content: string } }> };
    expect(completion.choices[0]!.message.content).toContain('[image 1: jpeg 640x480');
  }, 180_000);

  it('counts bit depth: a 16-bit interlaced RGBA PNG under the pixel limit is refused by its decode cost', async () => {
    const deep = await interlacedTransparentPng(7_000, 7_000, 16);
    const res = await upload(h, deep, 'deep.png');
    const body = (await res.json()) as ErrorBody;
    expect(res.status).toBe(413);
    expect(body.error.code).toBe('image_too_large');
    expect(body.error.message).toMatch(/7000x7000/);
  }, 120_000);
});

describe('image work queue (issue 10, item 3)', () => {
  let h: Harness;

  beforeAll(async () => {
    h = await startHarness({
      modelsYamlExtra: 'vision:\n  max_concurrent_images: 1\n  image_queue_size: 1\n',
    });
  }, 60_000);
  afterAll(async () => h?.close());

  it('refuses images beyond the queue with 503 and Retry-After, and serves again once it drains', async () => {
    // Streamable (not interlaced) and within the limits, but slow enough to hold the one slot.
    const heavy = await interlacedTransparentPng(8_000, 8_000, 8, false);
    const { result: results, baseline, peak } = await peakRssDuring(() =>
      Promise.all(
        Array.from({ length: 8 }, async () => {
          const res = await upload(h, heavy, 'heavy.png');
          return { status: res.status, retryAfter: res.headers.get('retry-after'), body: (await res.json()) as ErrorBody };
        }),
      ),
    );
    const growthMb = Math.round((peak - baseline) / MB);
    console.log(`image queue: ${results.filter((r) => r.status === 503).length} of 8 refused busy; RSS growth ${growthMb} MB`);
    expect(growthMb).toBeLessThan(600);
    const busy = results.filter((r) => r.status === 503);
    expect(results.filter((r) => r.status === 200).length).toBeGreaterThanOrEqual(1);
    expect(busy.length).toBeGreaterThanOrEqual(1);
    expect(results.every((r) => r.status === 200 || r.status === 503)).toBe(true);
    for (const r of busy) {
      expect(r.body.error.code).toBe('image_queue_full');
      expect(Number(r.retryAfter)).toBeGreaterThan(0);
    }
    const again = await upload(h, await solid(100, 80, { r: 1, g: 2, b: 3 }).png().toBuffer(), 'small.png');
    expect(again.status).toBe(200);
  }, 180_000);
});
