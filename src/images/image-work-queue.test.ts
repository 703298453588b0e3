import { describe, expect, it } from 'vitest';
import { estimateDecodeBytes, assertDecodeBudget } from './decode-budget.js';
import { ImageWorkQueue } from './image-work-queue.js';

const deferred = () => {
  let resolve!: () => void;
  const promise = new Promise<void>((r) => (resolve = r));
  return { promise, resolve };
};

const rejection = async (p: Promise<unknown>) => {
  try {
    await p;
  } catch (error) {
    return error as { status: number; code: string; headers?: Record<string, string>; message: string };
  }
  throw new Error('expected a rejection');
};

describe('ImageWorkQueue', () => {
  it('runs at most `concurrency` at once, queues up to `maxQueued`, refuses the rest with 503 + Retry-After', async () => {
    const queue = new ImageWorkQueue({ concurrency: 2, maxQueued: 1, timeoutMs: 5_000 });
    const gates = [deferred(), deferred(), deferred()];
    let running = 0;
    let peak = 0;
    const job = (i: number) =>
      queue.run(async () => {
        running += 1;
        peak = Math.max(peak, running);
        await gates[i]!.promise;
        running -= 1;
        return i;
      });
    const a = job(0);
    const b = job(1);
    const c = job(2);
    const refused = await rejection(queue.run(async () => 99));
    expect(refused).toMatchObject({ status: 503, code: 'image_queue_full' });
    expect(Number(refused.headers?.['retry-after'])).toBeGreaterThan(0);
    expect(queue.running).toBe(2);
    expect(queue.queued).toBe(1);
    gates.forEach((g) => g.resolve());
    expect(await Promise.all([a, b, c])).toEqual([0, 1, 2]);
    expect(peak).toBe(2);
    expect(queue.running).toBe(0);
  });

  it('frees the slot when work throws', async () => {
    const queue = new ImageWorkQueue({ concurrency: 1, maxQueued: 0 });
    await expect(queue.run(async () => Promise.reject(new Error('boom')))).rejects.toThrow('boom');
    expect(await queue.run(async () => 'ok')).toBe('ok');
  });

  it('gives up waiting after the time limit (503 image_queue_timeout)', async () => {
    const queue = new ImageWorkQueue({ concurrency: 1, maxQueued: 4, timeoutMs: 50 });
    const gate = deferred();
    const first = queue.run(() => gate.promise);
    const waited = await rejection(queue.run(async () => 1));
    expect(waited).toMatchObject({ status: 503, code: 'image_queue_timeout' });
    expect(queue.queued).toBe(0);
    gate.resolve();
    await first;
    expect(queue.running).toBe(0);
  });

  it('hands each image a deadline that throws 413 image_processing_timeout once spent', async () => {
    const queue = new ImageWorkQueue({ concurrency: 1, timeoutMs: 20 });
    const err = await rejection(
      queue.run(async (deadline) => {
        await new Promise((r) => setTimeout(r, 40));
        deadline.check();
      }),
    );
    expect(err).toMatchObject({ status: 413, code: 'image_processing_timeout' });
  });
});

describe('decode budget', () => {
  const shape = { format: 'png' as const, width: 10_000, height: 10_000, channels: 4, bytesPerSample: 1, progressive: true };

  it('counts channels and bit depth for frames decoded whole, strips for streamed ones', () => {
    expect(estimateDecodeBytes(shape)).toBe(400_000_000);
    expect(estimateDecodeBytes({ ...shape, bytesPerSample: 2 })).toBe(800_000_000);
    expect(estimateDecodeBytes({ ...shape, channels: 3 })).toBe(300_000_000);
    expect(estimateDecodeBytes({ ...shape, progressive: false })).toBeLessThan(20_000_000);
    expect(estimateDecodeBytes({ ...shape, format: 'webp', progressive: false })).toBe(400_000_000);
    expect(estimateDecodeBytes({ ...shape, format: 'jpeg', channels: 3 })).toBe(600_000_000);
    expect(estimateDecodeBytes({ ...shape, format: 'jpeg', channels: 3, chromaSubsampling: '4:2:0' })).toBe(300_000_000);
  });

  it('refuses with 413 and says what it would have cost', () => {
    let error: { status?: number; message?: string } = {};
    try {
      assertDecodeBudget(shape, 256 * 1024 * 1024);
    } catch (e) {
      error = e as typeof error;
    }
    expect(error.status).toBe(413);
    expect(error.message).toMatch(/10000x10000 interlaced PNG .*382 MB.*256 MB/);
  });
});
