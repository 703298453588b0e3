import type { GatewayError } from '../../core/gateway-error.js';
import type { Json } from '../request-checks.js';

/**
 * Before a stream began, the Responses API answers errors in OpenAI's envelope
 * `{"error":{"message","type","param","code"}}`; after it began, with an `error` event
 * and `response.failed` whose `response.error.code` is one of OpenAI's few codes.
 */
export const responsesErrorBody = (error: GatewayError): { status: number; body: Json } => ({
  status: error.status,
  body: error.toEnvelope() as unknown as Json,
});

/** `response.error.code` of a failed response: the codes OpenAI documents for it. */
export const responsesErrorCode = (error: GatewayError): string => {
  if (error.status === 429) return 'rate_limit_exceeded';
  if (error.status === 400) return 'invalid_prompt';
  return 'server_error';
};

/** The event a passthrough stream ends with when the gateway has to cut it: numbered after the vendor's last. */
export const responsesErrorEvent = (error: GatewayError, lastSequence?: number): string =>
  `event: error\ndata: ${JSON.stringify({ type: 'error', code: responsesErrorCode(error), message: error.message, param: error.param ?? null, sequence_number: lastSequence === undefined ? 0 : lastSequence + 1 })}\n\n`;
