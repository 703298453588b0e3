import type { EgressCodec, IngressCodec } from '../codec.js';
import { buildOpenAIChatRequest } from './build-request.js';
import { decodeOpenAIChatResponse } from './decode-response.js';
import { encodeOpenAIChatResponse } from './encode-response.js';
import { openAIChatErrorBody, openAIChatErrorEvent, parseOpenAIError } from './error-envelope.js';
import { parseOpenAIChatRequest } from './parse-request.js';
import { createOpenAIChatStreamDecoder } from './stream-decoder.js';
import { createOpenAIChatStreamEncoder } from './stream-encoder.js';

/** Clients speaking OpenAI Chat Completions, when the deployment speaks something else. */
export const openAIChatIngress: IngressCodec = {
  protocol: 'openai',
  parseRequest: parseOpenAIChatRequest,
  encodeResponse: encodeOpenAIChatResponse,
  createStreamEncoder: createOpenAIChatStreamEncoder,
  errorBody: openAIChatErrorBody,
  errorEvent: openAIChatErrorEvent,
};

/** OpenAI-protocol vendors, when the client speaks something else. */
export const openAIChatEgress: EgressCodec = {
  protocol: 'openai',
  buildRequest: buildOpenAIChatRequest,
  decodeResponse: decodeOpenAIChatResponse,
  createStreamDecoder: createOpenAIChatStreamDecoder,
  parseError: parseOpenAIError,
};
