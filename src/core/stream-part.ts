import type { GatewayError } from './gateway-error.js';
import type { FinishReason } from './finish-reason.js';
import type { Usage } from './usage.js';

/**
 * What a stream decoder emits and a stream encoder consumes, in the spirit of
 * vercel/ai's LanguageModelV2StreamPart. Tool calls are identified by `id`; a decoder
 * always sends start before deltas and end after them.
 */
export type StreamPart =
  | { type: 'start'; id?: string; model?: string; usage?: Usage }
  | { type: 'text-delta'; text: string }
  | { type: 'reasoning-delta'; text: string; signature?: undefined }
  /** The signature that closes a reasoning block (Anthropic `signature_delta`). */
  | { type: 'reasoning-signature'; signature: string }
  | { type: 'redacted-reasoning'; data: string }
  | { type: 'tool-call-start'; id: string; name: string }
  | { type: 'tool-call-delta'; id: string; argumentsDelta: string }
  | { type: 'tool-call-end'; id: string }
  | { type: 'usage'; usage: Usage }
  | { type: 'finish'; reason: FinishReason; stopSequence?: string | null }
  | { type: 'error'; error: GatewayError };
