import { Pool } from 'undici';
import { chatBody, MODELS } from '../targets/workload.js';
import type { RunningTarget } from '../targets/target.js';
import { percentile } from './statistics.js';

export interface LatencyRound {
  p50Ms: number;
  p99Ms: number;
  meanMs: number;
  requests: number;
  errors: number;
}

/**
 * One keep-alive connection, strictly sequential non-stream requests: what is left
 * after subtracting the direct baseline is the time the hop itself adds.
 */
export class LatencyClient {
  private readonly pool: Pool;
  private readonly headers: Record<string, string>;
  private readonly body = chatBody(MODELS.fast, false);

  constructor(private readonly target: RunningTarget) {
    this.pool = new Pool(target.origin, {
      connections: 1,
      pipelining: 1,
      keepAliveTimeout: 60_000,
      keepAliveMaxTimeout: 600_000,
      headersTimeout: 10_000,
      bodyTimeout: 10_000,
    });
    this.headers = { 'content-type': 'application/json', ...target.headers };
  }

  /** Returns the duration in ms, or null when the request failed. */
  async once(): Promise<number | null> {
    const started = performance.now();
    try {
      const response = await this.pool.request({ path: this.target.chatPath, method: 'POST', headers: this.headers, body: this.body });
      const text = await response.body.text();
      const elapsed = performance.now() - started;
      return response.statusCode === 200 && text.length > 0 ? elapsed : null;
    } catch {
      return null;
    }
  }

  async round(requests: number): Promise<LatencyRound> {
    const durations: number[] = [];
    let errors = 0;
    for (let index = 0; index < requests; index += 1) {
      const duration = await this.once();
      if (duration === null) errors += 1;
      else durations.push(duration);
    }
    const sum = durations.reduce((total, value) => total + value, 0);
    return {
      p50Ms: percentile(durations, 50),
      p99Ms: percentile(durations, 99),
      meanMs: durations.length > 0 ? sum / durations.length : Number.NaN,
      requests,
      errors,
    };
  }

  close(): Promise<void> {
    return this.pool.close();
  }
}
