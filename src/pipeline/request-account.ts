import type { ServerResponse } from 'node:http';
import type { Usage } from '../core/usage.js';
import { GatewayError } from '../core/gateway-error.js';
import type { ApiCaller } from '../server/api-auth.js';
import type { GatewayContext } from '../server/gateway-context.js';
import type { CatalogModel } from '../router/model-catalog.js';
import type { RequestTrace } from '../observability/tracing.js';
import type { PoolKey } from '../router/key-pool.js';
import type { CancelSignal } from '../upstream/upstream-client.js';

/** OpenAI's `usage` object as a passthrough answer carries it (converted only when settled). */
export interface OpenAIWireUsage {
  prompt_tokens?: number;
  completion_tokens?: number;
  prompt_tokens_details?: { cached_tokens?: number } | null;
  completion_tokens_details?: { reasoning_tokens?: number } | null;
}

/**
 * The client's cancellation signal: aborted once, when the client leaves. The same contract
 * as an AbortSignal for the upstream exchange (src/upstream/upstream-client.ts), without the
 * AbortController and EventTarget set up on every request.
 */
export class ClientSignal implements CancelSignal {
  aborted = false;
  private listeners: Array<() => void> = [];

  addEventListener(_type: 'abort', listener: () => void): void {
    if (this.aborted) return;
    this.listeners.push(listener);
  }

  removeEventListener(_type: 'abort', listener: () => void): void {
    const index = this.listeners.indexOf(listener);
    if (index !== -1) this.listeners.splice(index, 1);
  }

  abort(): void {
    if (this.aborted) return;
    this.aborted = true;
    const listeners = this.listeners;
    this.listeners = [];
    for (const listener of listeners) listener();
  }
}

/**
 * Everything one request needs accounted, whatever its route or protocol: one object
 * per request (fields instead of closure-captured locals), settled exactly once by
 * `settleRequest` (src/pipeline/accounting.ts). It also owns the request's watch on its
 * client (abort the upstream when the client leaves, after a grace for a non-stream
 * answer already billed) and the shutdown hold that grace needs.
 */
export class RequestAccount {
  readonly started = performance.now();
  model: CatalogModel | null = null;
  status = 200;
  errorCode: string | null = null;
  /** Neutral usage (translated answers, Anthropic passthrough). */
  usage: Usage | null = null;
  /** An OpenAI passthrough's raw usage: converted when settled, not per chunk or per answer. */
  openaiUsage: OpenAIWireUsage | null = null;
  /** Quick prompt estimate (admission; the charge when nothing better is known). */
  promptEstimate = 0;
  /** OpenAI chat messages: tokenized only when a vendor sent no usage. */
  promptMessages: unknown = undefined;
  /** Embeddings input: tokenized only when a vendor sent no usage. */
  promptText: string | null = null;
  completionText = '';
  ttftMs: number | null = null;
  attempts = 0;
  cached = false;
  /** Set once an upstream request is about to go out: from then on the vendor may bill it. */
  reachedVendor = false;
  /** `client->deployment` protocols of the answering attempt (e.g. `anthropic->openai`), for headers. */
  protocolPair: string | null = null;
  /** The pool key that served (label for the usage row, key for its TPM), when the provider has a pool. */
  poolKey: PoolKey | null = null;
  /** The request span when tracing is on (ended with the usage row's tokens). */
  trace: RequestTrace | null = null;
  finishReasons: string[] | null = null;

  private controller: ClientSignal | null = null;
  private res: ServerResponse | null = null;
  private graceTimer: NodeJS.Timeout | null = null;
  private endGrace: (() => void) | null = null;

  constructor(
    readonly ctx: GatewayContext,
    readonly requestId: string,
    readonly caller: ApiCaller,
    /** The name the client sent (bounded before it is stored). */
    readonly requestedModel: string | undefined,
    readonly stream: boolean,
    /** The client protocol, for the usage row (openai-chat, openai-embeddings, anthropic-messages). */
    readonly protocol: string,
  ) {}

  /** Keeps shutdown waiting while a departed client's request is still billed (drain or grace). */
  readonly holdForGrace = (): void => {
    if (this.endGrace) return;
    void this.ctx.pending.track(new Promise<void>((resolve) => (this.endGrace = resolve)));
  };

  /** Releases the shutdown hold; called once the request is accounted. */
  releaseGrace(): void {
    this.endGrace?.();
  }

  /** Starts watching the client; the signal aborts the upstream attempts when it leaves. */
  watchClient(res: ServerResponse): CancelSignal {
    this.controller = new ClientSignal();
    this.res = res;
    res.once('close', this.onClientGone);
    return this.controller;
  }

  /** Stops watching once attempts are over (a stream's relay watches from then on). */
  unwatchClient(): void {
    this.res?.off('close', this.onClientGone);
    if (this.graceTimer) clearTimeout(this.graceTimer);
  }

  private readonly onClientGone = (): void => {
    if (this.res!.writableFinished) return;
    const controller = this.controller!;
    const graceMs = this.ctx.settings.disconnectGraceMs;
    // A non-stream answer on its way is billed by the vendor: give it a moment to arrive
    // so it is charged from its usage; a stream's headers are not even there yet.
    if (!this.stream && this.reachedVendor && graceMs > 0) {
      this.holdForGrace();
      this.graceTimer = setTimeout(() => controller.abort(), graceMs);
      this.graceTimer.unref();
    } else controller.abort();
  };

  /** Records how the request failed (a departed client counts as 499). */
  failed(error: unknown, res: ServerResponse): void {
    const mapped = error instanceof GatewayError ? error : null;
    this.status = mapped?.status ?? (res.destroyed ? 499 : 500);
    this.errorCode = mapped?.code ?? (res.destroyed ? 'client_disconnected' : 'internal_error');
  }

  /** The client left while its answer was on its way: still charged, recorded as 499. */
  clientDisconnected(): void {
    this.status = 499;
    this.errorCode = 'client_disconnected';
  }
}
