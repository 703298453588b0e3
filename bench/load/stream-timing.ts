import { createParser } from 'eventsource-parser';
import { Pool } from 'undici';
import { chatBody, MODELS } from '../targets/workload.js';
import type { RunningTarget } from '../targets/target.js';
import { percentile } from './statistics.js';

export interface StreamSample {
  ttftMs: number;
  gapsMs: number[];
  events: number;
}

export interface StreamTimingRound {
  ttftP50Ms: number;
  gapP50Ms: number;
  gapP99Ms: number;
  maxGapMs: number;
  streams: number;
  errors: number;
}

/**
 * Sequential paced streams over one keep-alive connection. TTFT is request start to
 * the first SSE event; gaps are between consecutive events as the client sees them.
 */
export class StreamTimingClient {
  private readonly pool: Pool;
  private readonly headers: Record<string, string>;
  private readonly body = chatBody(MODELS.paced, true);

  constructor(private readonly target: RunningTarget) {
    this.pool = new Pool(target.origin, { connections: 1, pipelining: 1, keepAliveTimeout: 60_000, headersTimeout: 10_000, bodyTimeout: 10_000 });
    this.headers = { 'content-type': 'application/json', accept: 'text/event-stream', ...target.headers };
  }

  async once(): Promise<StreamSample | null> {
    const started = performance.now();
    const times: number[] = [];
    let done = false;
    const parser = createParser({
      onEvent: (event) => {
        times.push(performance.now());
        if (event.data === '[DONE]') done = true;
      },
    });
    try {
      const response = await this.pool.request({ path: this.target.chatPath, method: 'POST', headers: this.headers, body: this.body });
      if (response.statusCode !== 200) {
        await response.body.dump();
        return null;
      }
      const decoder = new TextDecoder();
      for await (const chunk of response.body) parser.feed(decoder.decode(chunk as Buffer, { stream: true }));
    } catch {
      return null;
    }
    if (!done || times.length < 2) return null;
    const gapsMs: number[] = [];
    for (let index = 1; index < times.length; index += 1) gapsMs.push(times[index] - times[index - 1]);
    return { ttftMs: times[0] - started, gapsMs, events: times.length };
  }

  /** `count` unpaced streams read to the end: JIT warm-up for the stream path, nothing measured. */
  async warm(count: number): Promise<void> {
    const body = chatBody(MODELS.fast, true);
    for (let index = 0; index < count; index += 1) {
      const response = await this.pool.request({ path: this.target.chatPath, method: 'POST', headers: this.headers, body });
      await response.body.dump();
    }
  }

  async round(streams: number): Promise<StreamTimingRound> {
    const ttfts: number[] = [];
    const gaps: number[] = [];
    let errors = 0;
    for (let index = 0; index < streams; index += 1) {
      const sample = await this.once();
      if (!sample) {
        errors += 1;
        continue;
      }
      ttfts.push(sample.ttftMs);
      // The last gap is the final chunk → [DONE] pair the simulator writes back to back; keep all of them.
      gaps.push(...sample.gapsMs);
    }
    return {
      ttftP50Ms: percentile(ttfts, 50),
      gapP50Ms: percentile(gaps, 50),
      gapP99Ms: percentile(gaps, 99),
      maxGapMs: gaps.length > 0 ? Math.max(...gaps) : Number.NaN,
      streams,
      errors,
    };
  }

  close(): Promise<void> {
    return this.pool.close();
  }
}
