import { Agent, errors as undiciErrors, type Dispatcher } from 'undici';
import type { IncomingHttpHeaders } from 'node:http';
import type { Timeouts } from '../config/types.js';
import { GatewayError } from '../server/errors.js';
import { ResponseBody } from './response-body.js';

/**
 * What an upstream exchange needs of a cancellation signal. An AbortSignal is one; the
 * request path passes a lighter one (src/pipeline/request-account.ts) because creating an
 * AbortController per request is a measurable share of the gateway's own work.
 */
export interface CancelSignal {
  readonly aborted: boolean;
  addEventListener(type: 'abort', listener: () => void, options?: { once?: boolean }): void;
  removeEventListener(type: 'abort', listener: () => void): void;
}

/** A real AbortSignal following `signal`, for the APIs that need one (timers' sleep); off the hot path. */
export const toAbortSignal = (signal: CancelSignal): AbortSignal => {
  if (signal instanceof AbortSignal) return signal;
  const controller = new AbortController();
  if (signal.aborted) controller.abort();
  else signal.addEventListener('abort', () => controller.abort(), { once: true });
  return controller.signal;
};

export interface UpstreamRequest {
  url: string;
  method?: 'GET' | 'POST';
  headers: Record<string, string>;
  body?: string | Buffer;
  timeouts: Timeouts;
  /** Aborted when the client goes away. */
  signal?: CancelSignal;
}

export interface UpstreamResponse {
  status: number;
  headers: IncomingHttpHeaders;
  body: ResponseBody;
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

const clientAborted = () => new GatewayError('The client closed the request.', { status: 499, code: 'client_disconnected' });

/**
 * One in-flight upstream exchange driven by undici's dispatch handler API: no
 * AbortController, no Readable stream and no promise per chunk on the hot path.
 */
class Exchange implements Dispatcher.DispatchHandler {
  body = new ResponseBody();
  private controller: Dispatcher.DispatchController | null = null;
  private timer: NodeJS.Timeout;
  private totalTimedOut = false;
  private settled = false;
  private abortReason: Error | null = null;
  private onSignal: (() => void) | null = null;
  private signal: CancelSignal | undefined;

  // undici keeps finished requests (and so their handlers) in its per-connection queue
  // for a while; everything large is dropped at the end of the exchange so it does not
  // outlive the request and get promoted by the garbage collector.
  constructor(
    private readonly provider: string,
    request: UpstreamRequest,
    private resolve: ((response: UpstreamResponse) => void) | null,
    private reject: ((error: GatewayError) => void) | null,
  ) {
    this.signal = request.signal;
    this.timer = setTimeout(() => {
      this.totalTimedOut = true;
      this.abort(upstreamTimeout('total', provider));
    }, request.timeouts.total);
    this.timer.unref();
    const signal = this.signal;
    if (signal) {
      if (signal.aborted) this.abortReason = clientAborted();
      else {
        this.onSignal = () => this.abort(clientAborted());
        signal.addEventListener('abort', this.onSignal, { once: true });
      }
    }
  }

  private abort(reason: Error): void {
    this.abortReason ??= reason;
    this.controller?.abort(reason);
  }

  done = (): void => {
    clearTimeout(this.timer);
    if (this.onSignal) this.signal?.removeEventListener('abort', this.onSignal);
    this.onSignal = null;
    this.signal = undefined;
  };

  private map = (error: unknown): GatewayError => mapUpstreamFailure(error, this.provider, this.totalTimedOut);

  onRequestStart(controller: Dispatcher.DispatchController): void {
    this.controller = controller;
    this.body.attach(controller);
    if (this.abortReason) controller.abort(this.abortReason);
  }

  onResponseStart(controller: Dispatcher.DispatchController, statusCode: number, headers: IncomingHttpHeaders): void {
    // undici keeps the raw header Buffers (a dozen objects, and the socket read they point
    // into) on the controller for the whole response; `headers` has them parsed already.
    // ~1.3 kB per open stream (docs/benchmarks.md, "Memory per open stream").
    controller.rawHeaders = null;
    if (statusCode < 200 || this.settled) return;
    this.settled = true;
    const resolve = this.resolve!;
    this.resolve = null;
    this.reject = null;
    resolve({
      status: statusCode,
      headers,
      body: this.body,
      done: this.done,
      mapError: this.map,
      abort: () => this.abort(clientAborted()),
    });
  }

  onResponseData(_controller: Dispatcher.DispatchController, chunk: Buffer): void {
    this.body.push(chunk);
  }

  onResponseEnd(): void {
    this.body.end();
  }

  onResponseError(_controller: Dispatcher.DispatchController, error: Error): void {
    if (!this.settled) {
      this.settled = true;
      this.done();
      const reject = this.reject!;
      this.resolve = null;
      this.reject = null;
      reject(this.map(this.abortReason ?? error));
      return;
    }
    this.body.fail(this.abortReason ?? error);
  }
}

/**
 * One keep-alive dispatcher per connect timeout (the only per-provider setting undici
 * fixes at the agent level). Pools are unbounded per origin so thousands of concurrent
 * streams each get a socket instead of queueing behind each other.
 */
export class UpstreamClient {
  private readonly agents = new Map<number, Agent>();
  /** Parsed upstream URLs: a deployment sends every request to the same few, and parsing one is not free. */
  private readonly targets = new Map<string, { origin: string; path: string }>();

  private targetOf(url: string): { origin: string; path: string } {
    let target = this.targets.get(url);
    if (!target) {
      const parsed = new URL(url);
      target = { origin: parsed.origin, path: parsed.pathname + parsed.search };
      // Bounded whatever builds the URLs (the set is normally a handful per deployment).
      if (this.targets.size >= 1024) this.targets.clear();
      this.targets.set(url, target);
    }
    return target;
  }

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

  request(provider: string, request: UpstreamRequest): Promise<UpstreamResponse> {
    const target = this.targetOf(request.url);
    return new Promise<UpstreamResponse>((resolve, reject) => {
      const exchange = new Exchange(provider, request, resolve, reject);
      try {
        this.agentFor(request.timeouts.connect).dispatch(
          {
            origin: target.origin,
            path: target.path,
            method: request.method ?? 'POST',
            headers: request.headers,
            body: request.body,
            headersTimeout: request.timeouts.firstByte,
            bodyTimeout: request.timeouts.idle,
          },
          exchange,
        );
      } catch (error) {
        exchange.done();
        reject(mapUpstreamFailure(error, provider, false));
      }
    });
  }

  async close(): Promise<void> {
    await Promise.all([...this.agents.values()].map((a) => a.close().catch(() => undefined)));
    this.agents.clear();
  }
}
