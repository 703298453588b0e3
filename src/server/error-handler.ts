import type { FastifyError, FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { GatewayError } from './errors.js';
import { isValidHeaderValue } from './header-value.js';

/** Map anything thrown by Fastify, a plugin or a route to the OpenAI error envelope. */
export const toGatewayError = (error: unknown): GatewayError => {
  if (error instanceof GatewayError) return error;
  const fastifyError = error as FastifyError & { validation?: Array<{ instancePath?: string; message?: string; params?: Record<string, unknown> }> };
  switch (fastifyError?.code) {
    case 'FST_ERR_CTP_INVALID_JSON_BODY':
    case 'FST_ERR_CTP_EMPTY_JSON_BODY':
      return new GatewayError('The request body is not valid JSON.', { status: 400, code: 'invalid_json' });
    case 'FST_ERR_CTP_BODY_TOO_LARGE':
      return new GatewayError('The request body is larger than this gateway accepts.', { status: 413, code: 'request_too_large' });
    case 'FST_ERR_CTP_INVALID_MEDIA_TYPE':
      return new GatewayError('Unsupported Content-Type for this endpoint.', { status: 415, code: 'unsupported_media_type' });
    case 'FST_REQ_FILE_TOO_LARGE':
    case 'FST_FILES_LIMIT':
    case 'FST_PARTS_LIMIT':
      return new GatewayError('The upload is larger than this gateway accepts.', { status: 413, code: 'upload_too_large' });
    case 'FST_INVALID_MULTIPART_CONTENT_TYPE':
      return new GatewayError('The request is not multipart/form-data.', { status: 415, code: 'unsupported_media_type' });
    default:
      break;
  }
  // Only pathological nesting (a 100k-deep JSON body) overflows the stack on the request
  // path; it is the client's input, so a 400, and not worth a stack trace in the log.
  if (error instanceof RangeError && /call stack/i.test(error.message)) {
    return new GatewayError('The request body is nested too deeply.', { status: 400, code: 'json_too_deep' });
  }
  if (fastifyError?.validation && fastifyError.validation.length > 0) {
    const first = fastifyError.validation[0]!;
    const field = `${first.instancePath ?? ''}${first.params?.missingProperty ? `/${String(first.params.missingProperty)}` : ''}`
      .replace(/^\//, '')
      .replace(/\//g, '.');
    return new GatewayError(`Invalid request: ${field ? `\`${field}\` ` : ''}${first.message ?? 'is invalid'}.`, {
      status: 400,
      code: 'invalid_request',
      param: field || null,
    });
  }
  const status = typeof fastifyError?.statusCode === 'number' ? fastifyError.statusCode : 500;
  if (status >= 400 && status < 500) {
    return new GatewayError(fastifyError.message || 'Bad request.', { status, code: 'invalid_request' });
  }
  return new GatewayError('The gateway hit an internal error; the request was not completed.', {
    status: 500,
    code: 'internal_error',
    type: 'server_error',
  });
};

/**
 * A header a route set before failing (e.g. one carrying a name Node refuses) would make
 * the error answer fail too and Fastify fall back to a bare 500: drop such headers first.
 */
const dropInvalidHeaders = (reply: FastifyReply) => {
  const headers = reply.getHeaders();
  for (const name in headers) if (!isValidHeaderValue(headers[name])) reply.removeHeader(name);
};

export const sendGatewayError = (reply: FastifyReply, error: GatewayError) => {
  dropInvalidHeaders(reply);
  for (const [name, value] of Object.entries(error.headers)) reply.header(name, value);
  reply.header('x-request-id', reply.request.id);
  return reply.code(error.status).type('application/json; charset=utf-8').send(error.toEnvelope());
};

export { endHijackedWithError } from '../pipeline/hijacked-error.js';

export const registerErrorHandler = (app: FastifyInstance) => {
  app.setErrorHandler((error: unknown, request: FastifyRequest, reply: FastifyReply) => {
    const mapped = toGatewayError(error);
    if (mapped.status >= 500 && mapped.code === 'internal_error') {
      request.log.error({ err: error, request_id: request.id }, 'unhandled error');
    } else if (mapped.logDetail) {
      request.log.warn({ request_id: request.id, code: mapped.code, detail: mapped.logDetail, upstream_status: mapped.details?.upstream_status }, mapped.message);
    }
    return sendGatewayError(reply, mapped);
  });
  app.setNotFoundHandler((request, reply) =>
    sendGatewayError(
      reply,
      new GatewayError(`No route for ${request.method} ${request.url.split('?')[0]}.`, { status: 404, code: 'route_not_found' }),
    ),
  );
};
