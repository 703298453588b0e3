import type { EgressCodec, EncodeContext, IngressCodec } from '../codec.js';
import type { Json } from '../request-checks.js';
import { buildGeminiRequest } from './build-request.js';
import { decodeGeminiResponse } from './decode-response.js';
import { encodeGeminiResponse } from './encode-response.js';
import { geminiErrorBody, geminiErrorEvent, parseGeminiError } from './error-envelope.js';
import { parseGeminiRequest } from './parse-request.js';
import { createGeminiStreamDecoder } from './stream-decoder.js';
import { createGeminiStreamEncoder, type GeminiStreamFraming } from './stream-encoder.js';

/**
 * Clients speaking the Gemini API (the Gemini CLI, @google/genai). The model and whether
 * to stream are in the URL, not the body, so the route builds one per request.
 */
export const geminiIngressFor = (model: string, stream: boolean, framing: GeminiStreamFraming): IngressCodec => ({
  protocol: 'gemini',
  parseRequest: (body: Json) => parseGeminiRequest(body, model, stream),
  encodeResponse: encodeGeminiResponse,
  createStreamEncoder: (context: EncodeContext) => createGeminiStreamEncoder(context, framing),
  errorBody: geminiErrorBody,
  errorEvent: geminiErrorEvent,
});

export const geminiIngress: IngressCodec = geminiIngressFor('', false, 'sse');

/** Vendors speaking the Gemini API (Google AI Studio's generativelanguage.googleapis.com). */
export const geminiEgress: EgressCodec = {
  protocol: 'gemini',
  buildRequest: buildGeminiRequest,
  decodeResponse: decodeGeminiResponse,
  createStreamDecoder: createGeminiStreamDecoder,
  parseError: parseGeminiError,
};
