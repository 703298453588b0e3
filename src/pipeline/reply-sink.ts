import type { IncomingHttpHeaders, ServerResponse } from 'node:http';

/**
 * What the pipeline needs of the web framework's reply, structurally (a Fastify reply
 * is one): the pipeline never imports the framework, and the route passes its reply
 * object as is (no wrapper per request).
 */
export interface ReplySink {
  readonly raw: ServerResponse;
  code(status: number): ReplySink;
  headers(values: Record<string, string>): ReplySink;
  type(contentType: string): ReplySink;
  send(payload?: unknown): ReplySink;
  hijack(): ReplySink;
  readonly log: { error(details: object, message: string): void };
}

/** What the pipeline reads of the incoming request. */
export interface RequestInfo {
  readonly id: string;
  readonly headers: IncomingHttpHeaders;
  /** The matched route (the tracing span's route attribute). */
  readonly routeOptions: { readonly url?: string };
}
