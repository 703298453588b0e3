import type { EgressCodec, IngressCodec } from '../codec.js';
import { buildAnthropicRequest } from './build-request.js';
import { decodeAnthropicResponse } from './decode-response.js';
import { encodeAnthropicResponse } from './encode-response.js';
import { anthropicErrorBody, anthropicErrorEvent, parseAnthropicError } from './error-envelope.js';
import { parseAnthropicRequest } from './parse-request.js';
import { createAnthropicStreamDecoder } from './stream-decoder.js';
import { createAnthropicStreamEncoder } from './stream-encoder.js';

/** Clients speaking the Anthropic Messages API (Claude Code, the Anthropic SDKs). */
export const anthropicIngress: IngressCodec = {
  protocol: 'anthropic',
  parseRequest: parseAnthropicRequest,
  encodeResponse: encodeAnthropicResponse,
  createStreamEncoder: createAnthropicStreamEncoder,
  errorBody: anthropicErrorBody,
  errorEvent: anthropicErrorEvent,
};

/** Vendors speaking the Anthropic Messages API (Anthropic, the Chinese vendors' `/anthropic` endpoints). */
export const anthropicEgress: EgressCodec = {
  protocol: 'anthropic',
  buildRequest: buildAnthropicRequest,
  decodeResponse: decodeAnthropicResponse,
  createStreamDecoder: createAnthropicStreamDecoder,
  parseError: parseAnthropicError,
};
