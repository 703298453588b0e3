/**
 * JSON schemas used for the OpenAPI document only. Bodies are validated by hand in the
 * handlers so unknown fields pass through untouched and errors name the field.
 */
export const errorEnvelopeSchema = {
  type: 'object',
  properties: {
    error: {
      type: 'object',
      properties: {
        message: { type: 'string' },
        type: { type: 'string' },
        param: { type: ['string', 'null'] },
        code: { type: ['string', 'null'] },
      },
    },
  },
} as const;

export const chatRequestSchema = {
  type: 'object',
  required: ['messages'],
  additionalProperties: true,
  properties: {
    model: { type: 'string', description: 'Model name, alias or `provider/model`; absent means the active language model.' },
    messages: {
      type: 'array',
      items: {
        type: 'object',
        additionalProperties: true,
        properties: { role: { type: 'string' }, content: {} },
      },
    },
    stream: { type: 'boolean' },
    stream_options: { type: 'object', properties: { include_usage: { type: 'boolean' } } },
    temperature: { type: 'number' },
    max_tokens: { type: 'integer' },
    tools: { type: 'array', items: { type: 'object', additionalProperties: true } },
    response_format: { type: 'object', additionalProperties: true },
  },
} as const;

export const chatResponseSchema = {
  type: 'object',
  additionalProperties: true,
  description: 'An OpenAI `chat.completion`, or `text/event-stream` of `chat.completion.chunk` when `stream` is true.',
  properties: {
    id: { type: 'string' },
    object: { type: 'string' },
    created: { type: 'integer' },
    model: { type: 'string' },
    choices: { type: 'array', items: { type: 'object', additionalProperties: true } },
    usage: { type: 'object', additionalProperties: true },
  },
} as const;

export const errorResponses = {
  400: { description: 'Invalid request', ...errorEnvelopeSchema },
  401: { description: 'Missing or invalid API key', ...errorEnvelopeSchema },
  404: { description: 'Unknown model', ...errorEnvelopeSchema },
  413: { description: 'Body too large', ...errorEnvelopeSchema },
  429: { description: 'Rate limited (by the gateway or upstream)', ...errorEnvelopeSchema },
  502: { description: 'Upstream failed or unreachable', ...errorEnvelopeSchema },
  503: { description: 'Provider not configured (missing key)', ...errorEnvelopeSchema },
  504: { description: 'Upstream timeout', ...errorEnvelopeSchema },
} as const;

/** Skip Fastify's own body validation (it would coerce and strip fields); docs only. */
export const noValidation = () => (data: unknown) => ({ value: data });
