import type { EgressCodec, IngressCodec } from '../codec.js';
import { parseOpenAIError } from '../openai-chat/error-envelope.js';
import { createResponsesStreamDecoder, decodeResponsesResponse } from './egress-decode.js';
import { buildResponsesRequest } from './egress-request.js';
import type { Json } from '../request-checks.js';
import { encodeResponsesResponse } from './encode-response.js';
import { responsesErrorBody, responsesErrorEvent } from './error-envelope.js';
import { parseResponsesRequest } from './parse-request.js';
import { echoOfRequest, newItemId, type ResponseShell } from './response-object.js';
import { createResponsesStreamEncoder } from './stream-encoder.js';

export { parseResponsesRequest } from './parse-request.js';
export { echoOfRequest, newItemId, type ResponseShell } from './response-object.js';
export { responsesErrorBody } from './error-envelope.js';

/**
 * The Responses API as a client protocol. Made per request: the response id, the
 * request's echo and the final-response hook (stored responses) belong to one request.
 */
export const createResponsesIngress = (shell: ResponseShell, onFinal?: (response: Json) => void): IngressCodec => ({
  protocol: 'openai-responses',
  parseRequest: parseResponsesRequest,
  encodeResponse: (response, context) => {
    const encoded = encodeResponsesResponse(shell, response, context.model);
    onFinal?.(encoded);
    return encoded;
  },
  createStreamEncoder: (context) => createResponsesStreamEncoder({ shell, model: context.model, ...(onFinal ? { onFinal } : {}) }),
  errorBody: responsesErrorBody,
  errorEvent: responsesErrorEvent,
});

/** The registry's instance (a fresh id per encoded response; no stored-response hook). */
export const defaultResponsesIngress: IngressCodec = {
  ...createResponsesIngress({ id: '', createdAt: 0, echo: {}, includeReasoningContent: false }),
  encodeResponse: (response, context) =>
    encodeResponsesResponseFresh(response, context.model),
  createStreamEncoder: (context) => createResponsesStreamEncoder({ shell: freshShell(), model: context.model }),
};

const freshShell = (): ResponseShell => ({ id: newItemId('resp'), createdAt: Math.floor(Date.now() / 1000), echo: echoOfRequest({}), includeReasoningContent: false });
const encodeResponsesResponseFresh = (response: Parameters<typeof encodeResponsesResponse>[1], model: string) => encodeResponsesResponse(freshShell(), response, model);

/** Vendors that speak the Responses API (`protocol: openai-responses`), when the client speaks something else. */
export const openAIResponsesEgress: EgressCodec = {
  protocol: 'openai-responses',
  buildRequest: buildResponsesRequest,
  decodeResponse: decodeResponsesResponse,
  createStreamDecoder: createResponsesStreamDecoder,
  parseError: parseOpenAIError,
};
