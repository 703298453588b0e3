import { Agent, errors as undiciErrors, type Dispatcher } from 'undici';
import type { Timeouts } from '../config/types.js';
import { GatewayError } from '../server/errors.js';

export interface UpstreamRequest {
  url: string;
  method?: 'GET' | 'POST';
  headers: Record<string, string>;
  body?: string | Buffer;
  timeouts: Timeouts;
  /** Aborted when the client goes away. */
  signal?: AbortSignal;
}

export interface UpstreamResponse {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  body: Dispatcher.ResponseData['body'];
  /** Clears the total-timeout timer; call when the response is fully consumed. */
  done(): void;
  /** Map an error raised while reading the body (idle or total timeout, reset). */
  mapError(error: unknown): GatewayError;
  /** Abort the upstream request (client went away). */
  abort(): void;
}

export type TimeoutPhase = 'connect' | 'first-byte' | 'idle' | 'total';

export const upstreamTimeout = (phase: TimeoutPhase, provider: string, cause?: unknown) =>
  new GatewayError(`The upstream provider ${provider} timed out (${phase}).`, {
    status: 504,
    code: 'upstream_timeout',
    details: { phase },
    cause,
  });

/** Turn undici's failures into gateway errors without leaking addresses or internals. */
export const mapUpstreamFailure = (error: unknown, provider: string, totalTimedOut: boolean): GatewayError => {
  if (error instanceof GatewayError) return error;
  if (totalTimedOut) return upstreamTimeout('total', provider, error);
  if (error instanceof undiciErrors.HeadersTimeoutError) return upstreamTimeout('first-byte', provider, error);
  if (error instanceof undiciErrors.BodyTimeoutError) return upstreamTimeout('idle', provider, error);
  if (error instanceof undiciErrors.ConnectTimeoutError) return upstreamTimeout('connect', provider, error);
  const code = (error as { code?: string })?.code ?? (error as { cause?: { code?: string } })?.cause?.code;
  return new GatewayError(`The upstream provider ${provider} could not be reached${code ? ` (${code})` : ''}.`, {
    status: 502,
    code: 'upstream_unreachable',
    cause: error,
  });
};

/**
 * One keep-alive dispatcher per connect timeout (the only per-provider setting undici
 * fixes at the agent level). Pools are unbounded per origin so thousands of concurrent
 * streams each get a socket instead of queueing behind each other.
 */
export class UpstreamClient {
  private readonly agents = new Map<number, Agent>();

  private agentFor(connectTimeout: number): Agent {
    let agent = this.agents.get(connectTimeout);
    if (!agent) {
      agent = new Agent({
        connections: null,
        pipelining: 1,
        keepAliveTimeout: 30_000,
        keepAliveMaxTimeout: 600_000,
        connect: { timeout: connectTimeout, noDelay: true, keepAlive: true },
      });
      this.agents.set(connectTimeout, agent);
    }
    return agent;
  }

  async request(provider: string, request: UpstreamRequest): Promise<UpstreamResponse> {
    const url = new URL(request.url);
    const controller = new AbortController();
    let totalTimedOut = false;
    const timer = setTimeout(() => {
      totalTimedOut = true;
      controller.abort(upstreamTimeout('total', provider));
    }, request.timeouts.total);
    timer.unref();
    const onClientAbort = () => controller.abort(request.signal?.reason);
    if (request.signal) {
      if (request.signal.aborted) onClientAbort();
      else request.signal.addEventListener('abort', onClientAbort, { once: true });
    }
    const done = () => {
      clearTimeout(timer);
      request.signal?.removeEventListener('abort', onClientAbort);
    };
    try {
      const response = await this.agentFor(request.timeouts.connect).request({
        origin: url.origin,
        path: url.pathname + url.search,
        method: request.method ?? 'POST',
        headers: request.headers,
        body: request.body,
        signal: controller.signal,
        headersTimeout: request.timeouts.firstByte,
        bodyTimeout: request.timeouts.idle,
      });
      return {
        status: response.statusCode,
        headers: response.headers,
        body: response.body,
        done,
        mapError: (error) => mapUpstreamFailure(error, provider, totalTimedOut),
        abort: () => controller.abort(),
      };
    } catch (error) {
      done();
      throw mapUpstreamFailure(error, provider, totalTimedOut);
    }
  }

  async close(): Promise<void> {
    await Promise.all([...this.agents.values()].map((a) => a.close().catch(() => undefined)));
    this.agents.clear();
  }
}
