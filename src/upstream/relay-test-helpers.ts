import { EventEmitter } from 'node:events';
import { ResponseBody } from './response-body.js';
import type { UpstreamResponse } from './upstream-client.js';

/** Collects what the relay writes, like a client socket would (relay tests only). */
export class CollectingResponse extends EventEmitter {
  written = '';
  writableFinished = false;
  destroyed = false;
  write(chunk: string) {
    this.written += chunk;
    return true;
  }
  end(chunk?: string) {
    if (chunk) this.written += chunk;
    this.writableFinished = true;
  }
}

/** An upstream answer whose body delivers `pieces` on the next microtask, then ends. */
export const upstreamOf = (pieces: Buffer[]): UpstreamResponse => {
  const body = new ResponseBody();
  queueMicrotask(() => {
    for (const piece of pieces) body.push(piece);
    body.end();
  });
  return { status: 200, headers: {}, body, done: () => undefined, mapError: (e) => e as never, abort: () => undefined };
};
