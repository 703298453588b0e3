import type { IngressCodec } from '../codec.js';
import type { Json } from '../request-checks.js';
import { encodeResponsesResponse } from './encode-response.js';
import { responsesErrorBody, responsesErrorEvent } from './error-envelope.js';
import { parseResponsesRequest } from './parse-request.js';
import type { ResponseShell } from './response-object.js';
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
