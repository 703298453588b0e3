import type { ServerResponse } from 'node:http';
import { StringDecoder } from 'node:string_decoder';
import { createParser, type EventSourceMessage } from 'eventsource-parser';
import type { ChatChunk, ProviderAdapter, TokenUsage } from '../providers/spec/provider-adapter.js';
import { GatewayError } from '../server/errors.js';
import { withOpenAIUsageDetails } from '../core/usage.js';
import type { UpstreamResponse } from './upstream-client.js';
import type { StreamReasoningCapture } from '../providers/rules/reasoning-replay.js';
import type { StreamReasoningNormalizer } from '../providers/rules/reasoning-fields.js';

export interface StreamOutcome {
  usage: TokenUsage | null;
  completionText: string;
  firstTokenAt: number | null;
  /** Set when the stream ended with an error event instead of [DONE]. */
  error: GatewayError | null;
  clientAborted: boolean;
  /** The first finish_reason the stream carried (for tracing). */
  finishReason: string | null;
  /** The vendor's own error event, when it sent one (bounded), to tell request-caused errors from vendor trouble. */
  vendorErrorText: string | null;
}

export interface RelayOptions {
  requestedModel: string;
  clientWantsUsage: boolean;
  adapter: ProviderAdapter;
  providerName: string;
  /** When true a client disconnect lets the upstream finish so usage is still counted. */
  drainOnDisconnect: boolean;
  /**
   * After a client disconnect in the middle of an answer, how long to keep reading the
   * upstream for the vendor's usage (ms); 0 stops at once. The vendor bills the answer
   * either way, and its usage chunk usually follows the last content within milliseconds.
   */
  disconnectGraceMs?: number;
  /** Told when the client goes away before the end (so shutdown can wait for the grace). */
  onClientGone?: () => void;
  /** Set only for deployments whose vendor needs reasoning replayed: sees every chunk. Null costs nothing. */
  capture?: StreamReasoningCapture | null;
  /** Set only for deployments whose reasoning arrives in another field or in think tags (rule reasoningField). */
  normalize?: StreamReasoningNormalizer | null;
}

/** Resolves when `res` can take more, or when the client is gone (no 'drain' will come). */
const writable = (res: ServerResponse) =>
  new Promise<void>((resolve) => {
    const done = () => {
      res.off('drain', done);
      res.off('close', done);
      resolve();
    };
    res.on('drain', done);
    res.on('close', done);
  });

/**
 * Node keeps a response's head (`_header`) for as long as the response lives, as the rope
 * of small strings it was concatenated from (four per header line): ~2 kB for a stream's
 * fifteen headers, held for the whole stream. Converting it to a number makes V8 flatten the
 * rope in place into one string of the head's length (~0.5 kB), as writing it to the socket
 * would anyway; the value is unchanged. Measured: ~1.4 kB less per open stream
 * (docs/benchmarks.md, "Memory per open stream"). The comparison keeps the conversion from
 * being optimised away.
 */
export const flattenResponseHead = (res: ServerResponse): boolean => {
  const head = (res as unknown as { _header?: unknown })._header;
  return typeof head === 'string' && Number.isNaN(Number(head));
};

/**
 * What makes a chunk need the parse-and-rewrite path: a usage object, or an error. One regex
 * scan for both (~37 ns a chunk, where a usage regex plus `includes('"error"')` took ~190 ns:
 * a search led by `"` restarts at every quote of a JSON chunk).
 */
const USAGE_OR_ERROR = /"(?:usage"\s*:\s*\{|error")/;
const CONTENT_STARTED = /"(?:content|reasoning_content)"\s*:\s*"(?!")|"tool_calls"\s*:\s*\[/;
const FINISH_REASON = /"finish_reason"\s*:\s*"/;

export const sseErrorEvent = (error: GatewayError) => `data: ${JSON.stringify(error.toEnvelope())}\n\n`;

const deltaText = (chunk: ChatChunk): string => {
  let text = '';
  for (const choice of chunk.choices ?? []) {
    const delta = choice?.delta as Record<string, unknown> | undefined;
    if (delta && typeof delta.content === 'string') text += delta.content;
    if (delta && typeof delta.reasoning_content === 'string') text += delta.reasoning_content;
    if (delta?.tool_calls) text += JSON.stringify(delta.tool_calls);
  }
  return text;
};

/**
 * Relay an upstream SSE stream chunk by chunk with correct `data: …\n\n` framing.
 * Chunks whose model already matches and that carry no usage pass through as text;
 * others are rewritten (model name, usage taken out). Usage is re-emitted once, in
 * OpenAI's shape, only when the client asked for it.
 */
export const relayStream = async (
  upstream: UpstreamResponse,
  res: ServerResponse,
  options: RelayOptions,
): Promise<StreamOutcome> => {
  const outcome: StreamOutcome = { usage: null, completionText: '', firstTokenAt: null, error: null, clientAborted: false, finishReason: null, vendorErrorText: null };
  flattenResponseHead(res);
  const textParts: string[] = [];
  const rawChunks: string[] = [];
  const modelNeedle = `"model":${JSON.stringify(options.requestedModel)}`;
  let pending = '';
  let sawDone = false;
  let sawFinish = false;
  let malformed = false;
  let template: { id?: unknown; created?: unknown; system_fingerprint?: unknown } = {};
  // After a disconnect: keep reading (for usage) until this is cleared or the grace ends.
  let readingAfterClose = false;
  let graceTimer: NodeJS.Timeout | null = null;
  const capture = options.capture ?? null;
  const normalize = options.normalize ?? null;

  const onClose = () => {
    if (res.writableFinished) return;
    outcome.clientAborted = true;
    options.onClientGone?.();
    if (options.drainOnDisconnect) {
      readingAfterClose = true;
      return;
    }
    const grace = options.disconnectGraceMs ?? 0;
    // Nothing generated yet: stop now and charge the prompt. Mid-answer: the vendor
    // bills it anyway, so wait a little for its usage instead of guessing.
    if (grace > 0 && (outcome.firstTokenAt !== null || sawFinish) && !outcome.usage) {
      readingAfterClose = true;
      graceTimer = setTimeout(() => {
        readingAfterClose = false;
        upstream.abort();
      }, grace);
      graceTimer.unref();
    } else upstream.abort();
  };
  res.once('close', onClose);

  const handle = (event: EventSourceMessage) => {
    const data = event.data;
    if (data === '[DONE]') {
      sawDone = true;
      return;
    }
    if (malformed) return;
    // Most chunks need no rewrite (the model name already matches, no usage to strip):
    // they pass through as text, and only cheap string checks keep what accounting needs.
    if (
      template.id !== undefined &&
      data.charCodeAt(data.length - 1) === 125 &&
      data.includes(modelNeedle) &&
      !USAGE_OR_ERROR.test(data) &&
      (normalize === null || !normalize.needs(data))
    ) {
      rawChunks.push(data);
      if (capture) capture.raw(data);
      if (outcome.firstTokenAt === null && CONTENT_STARTED.test(data)) outcome.firstTokenAt = performance.now();
      if (!sawFinish && FINISH_REASON.test(data)) sawFinish = true;
      pending += `data: ${data}\n\n`;
      return;
    }
    let chunk: ChatChunk;
    try {
      chunk = JSON.parse(data) as ChatChunk;
    } catch {
      malformed = true;
      return;
    }
    if (template.id === undefined) template = { id: chunk.id, created: chunk.created, system_fingerprint: chunk.system_fingerprint };
    if (capture) capture.chunk(chunk as unknown as Record<string, unknown>);
    const text = deltaText(chunk);
    if (text) {
      textParts.push(text);
      if (outcome.firstTokenAt === null) outcome.firstTokenAt = performance.now();
    }
    if (!sawFinish && chunk.choices) {
      for (const c of chunk.choices) {
        if (c && c.finish_reason) {
          sawFinish = true;
          outcome.finishReason = String(c.finish_reason);
          break;
        }
      }
    }
    if ((chunk as { error?: unknown }).error) {
      outcome.vendorErrorText ??= data.slice(0, 2000);
      pending += `data: ${data}\n\n`;
      return;
    }
    const usage = options.adapter.takeChunkUsage(chunk);
    if (usage) outcome.usage = usage;
    // A chunk that only carried usage is re-emitted at the end, in OpenAI's shape, if asked for.
    if (usage && Array.isArray(chunk.choices) && chunk.choices.length === 0) return;
    if (normalize) normalize.chunk(chunk as unknown as Record<string, unknown>);
    chunk.model = options.requestedModel;
    pending += `data: ${JSON.stringify(chunk)}\n\n`;
  };
  const parser = createParser({ onEvent: handle });
  // StringDecoder keeps a multi-byte character split across chunks intact, like
  // TextDecoder, without an ICU converter per stream.
  const decoder = new StringDecoder('utf8');

  try {
    for await (const piece of upstream.body) {
      parser.feed(decoder.write(piece as Buffer));
      if (malformed) break;
      if (pending) {
        if (!outcome.clientAborted && !res.write(pending)) await writable(res);
        pending = '';
      }
      if (outcome.clientAborted) {
        if (!readingAfterClose) break;
        // The usage is all that was still wanted from a client that left.
        if (outcome.usage && !options.drainOnDisconnect) {
          upstream.abort();
          break;
        }
      }
    }
    if (malformed) {
      outcome.error = new GatewayError(`The upstream provider ${options.providerName} sent a malformed stream chunk.`, {
        status: 502,
        code: 'upstream_malformed_response',
      });
      upstream.abort();
    } else if (!sawDone && !sawFinish && !outcome.clientAborted) {
      outcome.error = new GatewayError(`The upstream provider ${options.providerName} ended the stream early.`, {
        status: 502,
        code: 'upstream_stream_interrupted',
      });
    }
  } catch (error) {
    if (!outcome.clientAborted) {
      const mapped = upstream.mapError(error);
      outcome.error =
        mapped.code === 'upstream_unreachable'
          ? new GatewayError(`The upstream provider ${options.providerName} closed the stream unexpectedly.`, {
              status: 502,
              code: 'upstream_stream_interrupted',
            })
          : mapped;
    }
  } finally {
    if (graceTimer) clearTimeout(graceTimer);
    upstream.done();
    res.off('close', onClose);
  }

  if (!outcome.usage) {
    // Only now, and only when the vendor sent no usage, is the passed-through text needed.
    for (const raw of rawChunks) {
      try {
        const text = deltaText(JSON.parse(raw) as ChatChunk);
        if (text) textParts.push(text);
      } catch {
        // passed through as the vendor sent it; nothing to count
      }
    }
  }
  outcome.completionText = textParts.join('');
  // A whole answer only: a broken stream's tool call is not one the client will send back.
  if (capture && !outcome.error && !malformed) capture.finish();
  if (outcome.clientAborted || res.destroyed) return outcome;
  let tail = pending;
  if (outcome.error) {
    tail += sseErrorEvent(outcome.error);
  } else {
    if (options.clientWantsUsage && outcome.usage) {
      tail += `data: ${JSON.stringify({
        id: template.id,
        object: 'chat.completion.chunk',
        created: template.created,
        model: options.requestedModel,
        ...(template.system_fingerprint ? { system_fingerprint: template.system_fingerprint } : {}),
        choices: [],
        // OpenAI's cache and reasoning fields added when the vendor used its own names.
        usage: withOpenAIUsageDetails(outcome.usage) ?? outcome.usage,
      })}\n\n`;
    }
    tail += 'data: [DONE]\n\n';
  }
  res.end(tail);
  return outcome;
};
