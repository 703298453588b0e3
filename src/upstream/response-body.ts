import type { Dispatcher } from 'undici';

/**
 * An upstream response body fed by undici's dispatch handler: no Readable stream per
 * request, chunks handed straight to whoever reads (the JSON path collects them, the
 * SSE relay iterates). Reading pauses the socket when the reader falls behind.
 */
export class ResponseBody implements AsyncIterable<Buffer> {
  private readonly chunks: Buffer[] = [];
  private queued = 0;
  private ended = false;
  private failure: Error | null = null;
  private wake: (() => void) | null = null;
  private controller: Dispatcher.DispatchController | null = null;
  private static readonly highWaterMark = 256 * 1024;

  attach(controller: Dispatcher.DispatchController): void {
    this.controller = controller;
  }

  push(chunk: Buffer): void {
    this.chunks.push(chunk);
    this.queued += chunk.length;
    if (this.queued > ResponseBody.highWaterMark && this.controller && !this.controller.paused) this.controller.pause();
    this.notify();
  }

  end(): void {
    this.ended = true;
    this.notify();
  }

  fail(error: Error): void {
    this.failure = error;
    this.notify();
  }

  private notify(): void {
    const wake = this.wake;
    if (wake) {
      this.wake = null;
      wake();
    }
  }

  private waitForMore(): Promise<void> {
    return new Promise((resolve) => {
      this.wake = resolve;
    });
  }

  async text(): Promise<string> {
    while (!this.ended && !this.failure) {
      if (this.controller?.paused) this.controller.resume();
      await this.waitForMore();
    }
    if (this.failure) throw this.failure;
    const out = this.chunks.length === 1 ? this.chunks[0]!.toString('utf8') : Buffer.concat(this.chunks).toString('utf8');
    this.chunks.length = 0;
    this.queued = 0;
    return out;
  }

  async *[Symbol.asyncIterator](): AsyncIterator<Buffer> {
    for (;;) {
      if (this.chunks.length > 0) {
        const chunk = this.chunks.length === 1 ? this.chunks[0]! : Buffer.concat(this.chunks);
        this.chunks.length = 0;
        this.queued = 0;
        if (this.controller?.paused) this.controller.resume();
        yield chunk;
        continue;
      }
      if (this.failure) throw this.failure;
      if (this.ended) return;
      await this.waitForMore();
    }
  }
}
