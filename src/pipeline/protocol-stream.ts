import type { ServerResponse } from 'node:http';
import { once } from 'node:events';
import { StringDecoder } from 'node:string_decoder';
import { createParser, type EventSourceMessage } from 'eventsource-parser';
import { GatewayError } from '../core/gateway-error.js';
import type { StreamPart } from '../core/stream-part.js';
import type { Usage } from '../core/usage.js';
import type { DecodeOptions, EgressCodec, StreamEncoder } from '../protocols/codec.js';
import type { UpstreamResponse } from '../upstream/upstream-client.js';
import { flattenResponseHead } from '../upstream/relay-stream.js';
import type { StreamReasoningCapture } from '../providers/rules/reasoning-replay.js';

export interface ProtocolStreamOutcome {
  usage: Usage | null;
  /** What was generated, for a token estimate when the vendor sent no usage. */
  completionText: string;
  firstTokenAt: number | null;
  error: GatewayError | null;
  clientAborted: boolean;
}

export interface ProtocolStreamOptions {
  /** Decodes the vendor's stream (for accounting always, for translation too). */
  egress: EgressCodec;
  /** How this deployment's answers are read (think tags), from its rules. */
  decodeOptions?: DecodeOptions;
  /** Translation: re-encodes every part in the client's protocol. Null: passthrough of the vendor's events. */
  encoder: StreamEncoder | null;
  /** Passthrough: the model name the client sees in message_start. */
  publicModel: string;
  /** The client protocol's error event, for a passthrough stream the gateway has to end. */
  errorEvent: (error: GatewayError, lastSequence?: number) => string;
  providerName: string;
  drainOnDisconnect: boolean;
  /** After a client disconnect, how long to keep reading for the vendor's usage (ms); 0 stops at once. */
  disconnectGraceMs?: number;
  /** Told when the client goes away before the end (so shutdown can wait for the grace). */
  onClientGone?: () => void;
  /** Deployments whose vendor needs reasoning replayed: the answer's reasoning and first tool call are kept. */
  capture?: StreamReasoningCapture | null;
  /**
   * Passthrough of a Responses vendor: told the final response object (from
   * `response.completed` / `response.incomplete`, model already renamed) before that
   * event reaches the client, so a stored turn exists once the client sees the end.
   */
  onFinalResponse?: (response: Record<string, unknown>) => void;
}

const MODEL_IN_START = /"type"\s*:\s*"message_start"/;
/** Responses API events that carry the whole response object (and so its model). */
const RESPONSE_SNAPSHOT_EVENTS = new Set(['response.created', 'response.in_progress', 'response.completed', 'response.incomplete', 'response.failed']);
/** The ones that end a response well: what a stored response is made of. */
const RESPONSE_FINAL_EVENTS = new Set(['response.completed', 'response.incomplete']);
/** A vendor that leaves out the `event:` line still names the type first in the data. */
const TYPE_IN_DATA = /^\{\s*"type"\s*:\s*"(response\.[a-z_.]+)"/;
/** Responses events are numbered; an event the gateway adds continues the vendor's numbering. */
const SEQUENCE_NUMBER = /"sequence_number"\s*:\s*(\d+)/;

/**
 * Relays a vendor stream that is not the OpenAI passthrough (src/upstream/relay-stream.ts
 * keeps that path): either translating it part by part, or passing the vendor's events
 * through while decoding them for usage. A stream that breaks after it began is ended
 * with the client protocol's error event; the attempt is never retried then.
 */
export const relayProtocolStream = async (upstream: UpstreamResponse, res: ServerResponse, options: ProtocolStreamOptions): Promise<ProtocolStreamOutcome> => {
  const outcome: ProtocolStreamOutcome = { usage: null, completionText: '', firstTokenAt: null, error: null, clientAborted: false };
  // The head was written before the relay: a long stream should not keep it as a rope.
  flattenResponseHead(res);
  const text: string[] = [];
  const encoder = options.encoder;
  const capture = options.capture ?? null;
  let pending = '';
  let lastSequence: number | undefined;

  const onPart = (part: StreamPart) => {
    switch (part.type) {
      case 'text-delta':
        if (outcome.firstTokenAt === null) outcome.firstTokenAt = performance.now();
        text.push(part.text);
        break;
      case 'reasoning-delta':
        if (outcome.firstTokenAt === null) outcome.firstTokenAt = performance.now();
        text.push(part.text);
        capture?.reasoningDelta(part.text);
        break;
      case 'tool-call-start':
        if (outcome.firstTokenAt === null) outcome.firstTokenAt = performance.now();
        text.push(part.name);
        capture?.toolCall(part.id);
        break;
      case 'tool-call-delta':
        text.push(part.argumentsDelta);
        break;
      case 'usage':
        outcome.usage = part.usage;
        break;
      case 'error':
        outcome.error = part.error;
        break;
      default:
        break;
    }
    if (encoder) pending += encoder.encode(part);
  };
  const decoder = options.egress.createStreamDecoder(onPart, options.providerName, options.decodeOptions);

  const handle = (event: EventSourceMessage) => {
    decoder.push({ event: event.event, data: event.data });
    if (encoder) return;
    let data = event.data;
    const kind = event.event ?? TYPE_IN_DATA.exec(data.slice(0, 60))?.[1];
    if (kind !== undefined && kind.startsWith('response.')) {
      const numbered = SEQUENCE_NUMBER.exec(data);
      if (numbered) lastSequence = Number(numbered[1]);
    }
    if (kind !== undefined && RESPONSE_SNAPSHOT_EVENTS.has(kind)) {
      try {
        const parsed = JSON.parse(data) as { response?: Record<string, unknown> };
        if (parsed.response) {
          parsed.response.model = options.publicModel;
          if (RESPONSE_FINAL_EVENTS.has(kind)) options.onFinalResponse?.(parsed.response);
        }
        data = JSON.stringify(parsed);
      } catch {
        // the decoder has reported it
      }
    } else if (event.event === 'message_start' || MODEL_IN_START.test(data.slice(0, 40))) {
      try {
        const parsed = JSON.parse(data) as { message?: { model?: unknown } };
        if (parsed.message) parsed.message.model = options.publicModel;
        data = JSON.stringify(parsed);
      } catch {
        // the decoder has reported it
      }
    }
    pending += event.event ? `event: ${event.event}\ndata: ${data}\n\n` : `data: ${data}\n\n`;
  };
  const parser = createParser({ onEvent: handle });
  const utf8 = new StringDecoder('utf8');
  const grace = options.disconnectGraceMs ?? 0;
  let graceTimer: NodeJS.Timeout | null = null;
  const onClose = () => {
    if (res.writableFinished) return;
    outcome.clientAborted = true;
    options.onClientGone?.();
    if (options.drainOnDisconnect) return;
    // The vendor bills the answer anyway: read on briefly for its usage, then stop.
    if (grace > 0) {
      graceTimer = setTimeout(() => upstream.abort(), grace);
      graceTimer.unref();
    } else upstream.abort();
  };
  res.once('close', onClose);

  try {
    for await (const piece of upstream.body) {
      parser.feed(utf8.write(piece as Buffer));
      if (pending) {
        if (!outcome.clientAborted && !res.write(pending)) await once(res, 'drain');
        pending = '';
      }
      if (outcome.error) {
        upstream.abort();
        break;
      }
      if (outcome.clientAborted && !options.drainOnDisconnect && (grace <= 0 || outcome.usage)) break;
    }
    decoder.end();
    if (!outcome.error && !decoder.finished && !outcome.clientAborted) {
      outcome.error = new GatewayError(`The upstream provider ${options.providerName} ended the stream early.`, { status: 502, code: 'upstream_stream_interrupted' });
    }
  } catch (error) {
    if (!outcome.clientAborted) {
      const mapped = upstream.mapError(error);
      outcome.error =
        mapped.code === 'upstream_unreachable'
          ? new GatewayError(`The upstream provider ${options.providerName} closed the stream unexpectedly.`, { status: 502, code: 'upstream_stream_interrupted' })
          : mapped;
    }
  } finally {
    if (graceTimer) clearTimeout(graceTimer);
    if (outcome.clientAborted) upstream.abort();
    upstream.done();
    res.off('close', onClose);
  }
  outcome.completionText = text.join('');
  if (capture && !outcome.error) capture.finish();
  if (outcome.clientAborted || res.destroyed) return outcome;
  let tail = pending;
  if (encoder) {
    // An error part was already encoded (and ended the encoder); an interruption is not a part.
    tail += outcome.error && decoder.finished ? '' : outcome.error ? encoder.encode({ type: 'error', error: outcome.error }) : '';
    tail += encoder.end();
  } else if (outcome.error && !decoder.finished) {
    tail += options.errorEvent(outcome.error, lastSequence);
  }
  res.end(tail);
  return outcome;
};
