import type { IncomingMessage, ServerResponse } from 'node:http';
import { GatewayError } from '../server/errors.js';
import { anthropicErrorBody } from '../protocols/anthropic-messages/error-envelope.js';
import { geminiErrorBody } from '../protocols/gemini/error-envelope.js';
import type { SimulatorBehavior } from './types.js';

/**
 * One request/response pair plus the bookkeeping the behaviours need: whether the
 * client went away, abortable sleeps, and deliberate socket kills that must not
 * be counted as client aborts.
 */
export class Exchange {
  /** Set when the response closed before finishing (client abort or our own kill). */
  closed = false;
  /** Which envelope errors are answered in (the endpoint's protocol). */
  errorStyle: 'openai' | 'anthropic' | 'gemini' = 'openai';
  private selfDestroyed = false;
  private wakeSleeper: ((completed: boolean) => void) | null = null;
  private sleepTimer: NodeJS.Timeout | null = null;
  private closeWaiters: Array<() => void> = [];

  constructor(
    readonly req: IncomingMessage,
    readonly res: ServerResponse,
    private readonly onClientAbort: () => void,
  ) {
    res.once('close', this.handleClose);
  }

  private readonly handleClose = (): void => {
    if (this.res.writableFinished) return;
    this.closed = true;
    if (this.sleepTimer) clearTimeout(this.sleepTimer);
    this.sleepTimer = null;
    const wake = this.wakeSleeper;
    this.wakeSleeper = null;
    wake?.(false);
    for (const waiter of this.closeWaiters) waiter();
    this.closeWaiters = [];
    if (!this.selfDestroyed) this.onClientAbort();
  };

  /** Resolves true after `ms`, or false as soon as the client is gone. */
  sleep(ms: number | undefined): Promise<boolean> {
    if (this.closed) return Promise.resolve(false);
    if (!ms || ms <= 0) return Promise.resolve(true);
    return new Promise((resolve) => {
      this.wakeSleeper = resolve;
      this.sleepTimer = setTimeout(() => {
        this.sleepTimer = null;
        this.wakeSleeper = null;
        resolve(true);
      }, ms);
    });
  }

  /** `hang`: never answer; settles only when the client (or server shutdown) closes the socket. */
  waitForClose(): Promise<void> {
    if (this.closed) return Promise.resolve();
    return new Promise((resolve) => this.closeWaiters.push(resolve));
  }

  /** Kill the connection on purpose (simulated upstream failure); not counted as a client abort. */
  destroyNow(): void {
    this.selfDestroyed = true;
    this.res.socket?.destroy();
  }

  /** Write the last bytes, then kill the connection once they reached the socket. */
  writeThenDestroy(data: string): void {
    this.selfDestroyed = true;
    if (this.closed) return;
    this.res.write(data, () => this.destroyNow());
  }

  sendJson(status: number, payload: unknown, headers?: Record<string, string>): void {
    this.sendText(status, JSON.stringify(payload), headers);
  }

  sendText(status: number, body: string, headers?: Record<string, string>): void {
    if (this.closed || this.res.headersSent) return;
    this.res.writeHead(status, {
      'content-type': 'application/json',
      'content-length': Buffer.byteLength(body),
      ...headers,
    });
    this.res.end(body);
  }

  sendError(error: GatewayError): void {
    if (this.errorStyle === 'anthropic') {
      this.sendJson(error.status, anthropicErrorBody(error).body, error.headers);
      return;
    }
    if (this.errorStyle === 'gemini') {
      this.sendJson(error.status, geminiErrorBody(error).body, error.headers);
      return;
    }
    this.sendJson(error.status, error.toEnvelope(), error.headers);
  }

  /**
   * Non-stream JSON answer honouring the failure behaviours: truncated JSON, or a
   * connection killed halfway through a correctly-sized body.
   */
  sendJsonWithBehavior(payload: unknown, behavior: SimulatorBehavior): void {
    this.sendBodyWithBehavior(JSON.stringify(payload), behavior);
  }

  sendBodyWithBehavior(body: string, behavior: SimulatorBehavior): void {
    if (behavior.disconnectAfterChunks !== undefined) {
      if (this.closed) return;
      this.res.writeHead(200, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) });
      this.writeThenDestroy(body.slice(0, Math.floor(body.length / 2)));
      return;
    }
    this.sendText(200, behavior.malformedJson ? body.slice(0, Math.floor(body.length / 2)) : body);
  }
}

const statusCodes: Record<number, string> = {
  400: 'invalid_request',
  401: 'invalid_api_key',
  403: 'permission_denied',
  404: 'model_not_found',
  408: 'request_timeout',
  413: 'request_too_large',
  529: 'overloaded',
  429: 'rate_limit_exceeded',
  500: 'internal_error',
  502: 'bad_gateway',
  503: 'service_unavailable',
  504: 'gateway_timeout',
};

/** The error a simulated upstream answers with for `behavior.status`. */
export const simulatedError = (behavior: SimulatorBehavior, status: number): GatewayError =>
  new GatewayError(behavior.errorMessage ?? `Simulated upstream error (status ${status}).`, {
    status,
    code: statusCodes[status] ?? 'simulated_error',
    headers: behavior.retryAfter === undefined ? undefined : { 'retry-after': String(behavior.retryAfter) },
  });
