import type { Server } from 'node:http';
import type { Socket } from 'node:net';
import { addressMatcher, normalizeAddress } from './network-address.js';

export interface ConnectionGuardOptions {
  /** Open connections allowed per client address; 0 turns the cap off. */
  maxPerClient: number;
  /** Addresses/CIDRs the cap does not apply to (a reverse proxy that carries many clients). */
  exempt: readonly string[];
}

const body = JSON.stringify({
  error: {
    message: 'Too many open connections from your address; close some and retry.',
    type: 'rate_limit_error',
    param: null,
    code: 'too_many_connections',
  },
});
const refusal =
  'HTTP/1.1 429 Too Many Requests\r\nconnection: close\r\ncontent-type: application/json; charset=utf-8\r\n' +
  `retry-after: 1\r\ncontent-length: ${Buffer.byteLength(body)}\r\n\r\n${body}`;

/**
 * Caps open connections per peer address at accept time, before a byte is parsed or anyone
 * is authenticated: a single client dripping request bodies cannot take every file
 * descriptor. Counts the TCP peer (never X-Forwarded-For, which the client writes itself).
 */
export const installConnectionGuard = (server: Server, options: ConnectionGuardOptions): { openFor(address: string): number } => {
  const counts = new Map<string, number>();
  const isExempt = addressMatcher(options.exempt);
  if (options.maxPerClient > 0) {
    server.on('connection', (socket: Socket) => {
      const raw = socket.remoteAddress;
      if (!raw || isExempt(raw)) return;
      const address = normalizeAddress(raw);
      const open = (counts.get(address) ?? 0) + 1;
      if (open > options.maxPerClient) {
        // Destroyed once the answer is flushed, so nothing read from it meanwhile is served;
        // a peer that never reads loses it after a second anyway.
        socket.end(refusal, () => socket.destroy());
        setTimeout(() => socket.destroy(), 1_000).unref();
        return;
      }
      counts.set(address, open);
      socket.once('close', () => {
        const left = (counts.get(address) ?? 1) - 1;
        if (left <= 0) counts.delete(address);
        else counts.set(address, left);
      });
    });
  }
  return { openFor: (address) => counts.get(normalizeAddress(address)) ?? 0 };
};
