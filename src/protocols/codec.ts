import type { NeutralRequest } from '../core/neutral-request.js';
import type { NeutralResponse } from '../core/neutral-response.js';
import type { StreamPart } from '../core/stream-part.js';
import type { GatewayError } from '../core/gateway-error.js';

/** The wire protocols the gateway speaks, on either side. */
export type ProtocolName = 'openai' | 'anthropic' | 'openai-responses' | 'gemini';
/** What a client may speak (every vendor protocol). */
export type ClientProtocolName = ProtocolName;

export interface UpstreamErrorInfo {
  message: string;
  code: string | null;
  type: string | null;
}

/** One server-sent event as the parser hands it over. */
export interface SseEvent {
  event?: string;
  data: string;
}

/** Neutral parts in, protocol SSE text out; `end()` closes the stream properly. */
export interface StreamEncoder {
  encode(part: StreamPart): string;
  /** The closing events (or the error event when the last part was an error). */
  end(): string;
}

/** Protocol SSE events in, neutral parts out (through `emit`, no array per event). */
export interface StreamDecoder {
  push(event: SseEvent): void;
  /** True once the protocol's own end marker arrived (message_stop, [DONE], a finish reason). */
  readonly finished: boolean;
  /** Flushes what is still open (tool calls, usage, finish) once the body ended. */
  end(): void;
}

export interface EncodeContext {
  /** The model name the client asked for (what it sees in responses). */
  model: string;
  /** Prompt estimate for protocols that announce input tokens before any output. */
  estimatedInputTokens?: number;
  /** OpenAI `stream_options.include_usage`. */
  includeUsage?: boolean;
}

/** What a client-facing protocol implements. */
export interface IngressCodec {
  readonly protocol: ClientProtocolName;
  /** Validates and converts a client body; throws a GatewayError (400) on bad input. */
  parseRequest(body: Record<string, unknown>): NeutralRequest;
  encodeResponse(response: NeutralResponse, context: EncodeContext): Record<string, unknown>;
  createStreamEncoder(context: EncodeContext): StreamEncoder;
  /** Status and body of the error envelope for this protocol. */
  errorBody(error: GatewayError): { status: number; body: Record<string, unknown> };
  /**
   * The SSE event that ends a stream which failed after it began. `lastSequence`: the
   * highest `sequence_number` the client already saw (passthrough of a numbered stream).
   */
  errorEvent(error: GatewayError, lastSequence?: number): string;
}

export interface EgressTarget {
  upstreamModel: string;
  /** The model's configured output limit, for protocols that require max_tokens. */
  maxOutputTokens: number | null;
  /** Whether the vendor takes OpenAI's `reasoning_effort` (else thinking settings are dropped). */
  acceptsReasoningEffort?: boolean;
  /** Whether to ask for usage in the stream (`stream_options.include_usage`). */
  askForStreamUsage?: boolean;
  /** Send assistant reasoning back as `reasoning_content` (OpenAI-protocol vendors whose rules require it). */
  sendReasoning?: boolean;
}

export interface EgressRequest {
  /** Appended to the provider's base URL. */
  path: string;
  body: Record<string, unknown>;
}

/** How a deployment's answers are read, from its rules. */
export interface DecodeOptions {
  /** `<think>…</think>` in the text is reasoning (rule `reasoningField: 'think-tags'`, OpenAI protocol). */
  thinkTags?: boolean;
}

/** What a vendor-facing protocol implements. */
export interface EgressCodec {
  readonly protocol: ProtocolName;
  buildRequest(request: NeutralRequest, target: EgressTarget): EgressRequest;
  decodeResponse(json: Record<string, unknown>, options?: DecodeOptions): NeutralResponse;
  createStreamDecoder(emit: (part: StreamPart) => void, providerName: string, options?: DecodeOptions): StreamDecoder;
  parseError(status: number, body: string): UpstreamErrorInfo;
}
