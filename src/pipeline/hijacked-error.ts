import type { ServerResponse } from 'node:http';
import { GatewayError } from '../core/gateway-error.js';

interface HijackedReply {
  readonly raw: ServerResponse;
  readonly log: { error(details: object, message: string): void };
}

/**
 * For a hijacked reply (streams) that failed before or while writing its headers: answer
 * with the error envelope if nothing was sent yet, else cut the connection; either way
 * the client is not left waiting. `envelope` renders the client protocol's error body
 * (OpenAI's by default).
 */
export const endHijackedWithError = (
  reply: HijackedReply,
  requestId: string,
  error: unknown,
  envelope: (error: GatewayError) => { status: number; body: unknown } = (mapped) => ({ status: mapped.status, body: mapped.toEnvelope() }),
) => {
  const raw = reply.raw;
  reply.log.error({ err: error, request_id: requestId }, 'failed to write the response headers');
  if (raw.headersSent || raw.destroyed) {
    raw.destroy();
    return;
  }
  const mapped = new GatewayError('The gateway could not write the response headers; the request was not completed.', {
    status: 500,
    code: 'response_header_error',
    type: 'server_error',
  });
  for (const name of raw.getHeaderNames()) raw.removeHeader(name);
  const { status, body } = envelope(mapped);
  const text = JSON.stringify(body);
  raw.writeHead(status, { 'content-type': 'application/json; charset=utf-8', 'content-length': Buffer.byteLength(text), 'x-request-id': requestId });
  raw.end(text);
};
