import { availableParallelism } from 'node:os';
import { GatewayError } from '../server/errors.js';
import { ImageErrorCode } from './image-errors.js';

export interface ImageWorkQueueOptions {
  /** Images decoded/encoded at once (default: `defaultImageConcurrency()`, 2 on a default setup). */
  concurrency?: number;
  /** Images allowed to wait for a slot; beyond it the request is refused (default 32). */
  maxQueued?: number;
  /** Longest one image may take once started, and longest it may wait for a slot (default 20 s). */
  timeoutMs?: number;
}

/** A running image's time budget: work checks it between steps and gives sharp the rest. */
export interface ImageDeadline {
  readonly at: number;
  readonly timeoutMs: number;
  /** Milliseconds left (never below 1). */
  remainingMs(): number;
  /** Throws the per-image timeout error once the budget is spent. */
  check(): void;
}

export const DEFAULT_IMAGE_TIMEOUT_MS = 20_000;
export const DEFAULT_MAX_QUEUED_IMAGES = 32;
/**
 * sharp runs on libuv's thread pool (4 threads unless UV_THREADPOOL_SIZE says otherwise),
 * which DNS lookups, file access and zlib share: leave two threads for them, and never
 * run more images at once than there are cores. 2 on a default setup.
 */
export const defaultImageConcurrency = (): number => {
  const pool = Number(process.env.UV_THREADPOOL_SIZE) || 4;
  return Math.max(1, Math.min(availableParallelism(), pool - 2));
};

export const imageProcessingTimeout = (timeoutMs: number, cause?: unknown) =>
  new GatewayError(
    `Processing the image took longer than ${timeoutMs} ms, the per-image limit; send a smaller or simpler image.`,
    { status: 413, code: ImageErrorCode.processingTimeout, cause },
  );

const busy = (message: string, retryAfterSeconds: number, code: string) =>
  new GatewayError(message, {
    status: 503,
    code,
    type: 'server_error',
    headers: { 'retry-after': String(retryAfterSeconds) },
  });

const makeDeadline = (timeoutMs: number): ImageDeadline => {
  const at = Date.now() + timeoutMs;
  return {
    at,
    timeoutMs,
    remainingMs: () => Math.max(1, at - Date.now()),
    check: () => {
      if (Date.now() >= at) throw imageProcessingTimeout(timeoutMs);
    },
  };
};

interface Waiter {
  start: () => void;
  timer: NodeJS.Timeout;
}

/**
 * Decoding is the gateway's most memory-hungry work (tens to hundreds of MB per image)
 * and runs on libuv's small thread pool, so it is admitted here: a fixed number of images
 * at a time, a bounded wait list, and a time limit per image. Refusals are 503 with
 * Retry-After: the image is fine, the gateway is busy.
 */
export class ImageWorkQueue {
  readonly concurrency: number;
  readonly maxQueued: number;
  readonly timeoutMs: number;
  #running = 0;
  readonly #waiting: Waiter[] = [];
  /** Moving average of how long one image takes, for Retry-After. */
  #averageMs = 500;

  constructor(options: ImageWorkQueueOptions = {}) {
    this.concurrency = Math.max(1, Math.floor(options.concurrency ?? defaultImageConcurrency()));
    this.maxQueued = Math.max(0, Math.floor(options.maxQueued ?? DEFAULT_MAX_QUEUED_IMAGES));
    this.timeoutMs = Math.max(1, Math.floor(options.timeoutMs ?? DEFAULT_IMAGE_TIMEOUT_MS));
  }

  get running(): number {
    return this.#running;
  }

  get queued(): number {
    return this.#waiting.length;
  }

  #retryAfterSeconds(): number {
    const ahead = this.#waiting.length + this.#running;
    return Math.min(60, Math.max(1, Math.ceil((ahead * this.#averageMs) / this.concurrency / 1000)));
  }

  /** Run `work` when a slot is free; it gets the image's deadline, counted from its start. */
  async run<T>(work: (deadline: ImageDeadline) => Promise<T>): Promise<T> {
    if (this.#running >= this.concurrency) await this.#wait();
    else this.#running += 1;
    const started = Date.now();
    try {
      return await work(makeDeadline(this.timeoutMs));
    } finally {
      this.#averageMs = this.#averageMs * 0.8 + (Date.now() - started) * 0.2;
      this.#release();
    }
  }

  #wait(): Promise<void> {
    if (this.#waiting.length >= this.maxQueued) {
      return Promise.reject(
        busy(
          `The gateway is busy processing images (${this.#running} running, ${this.#waiting.length} waiting); retry shortly.`,
          this.#retryAfterSeconds(),
          ImageErrorCode.queueFull,
        ),
      );
    }
    return new Promise<void>((resolve, reject) => {
      const waiter: Waiter = {
        // The slot is handed over by #release, which does not decrement #running.
        start: () => {
          clearTimeout(waiter.timer);
          resolve();
        },
        timer: setTimeout(() => {
          const index = this.#waiting.indexOf(waiter);
          if (index >= 0) this.#waiting.splice(index, 1);
          reject(
            busy(
              `The image waited more than ${this.timeoutMs} ms for the gateway's image workers; retry shortly.`,
              this.#retryAfterSeconds(),
              ImageErrorCode.queueTimeout,
            ),
          );
        }, this.timeoutMs),
      };
      waiter.timer.unref();
      this.#waiting.push(waiter);
    });
  }

  #release(): void {
    const next = this.#waiting.shift();
    if (next) next.start();
    else this.#running -= 1;
  }
}
