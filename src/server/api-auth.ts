import * as crypto from 'node:crypto';
import { timingSafeEqual } from 'node:crypto';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { GatewayError } from './errors.js';

export interface ApiCaller {
  kind: 'master' | 'virtual' | 'anonymous';
  keyId: string | null;
  keyName: string | null;
}

/** Bearer token from `Authorization`, or `x-api-key` (Anthropic-style clients), or `x-goog-api-key` (Gemini clients). */
export const presentedKey = (request: FastifyRequest): string | null => {
  const header = request.headers.authorization;
  if (typeof header === 'string') {
    const match = /^Bearer\s+(.+)$/i.exec(header.trim());
    if (match) return match[1]!.trim();
  }
  const apiKey = request.headers['x-api-key'] ?? request.headers['x-goog-api-key'];
  return typeof apiKey === 'string' && apiKey.trim() !== '' ? apiKey.trim() : null;
};

// One-shot crypto.hash (Node ≥ 20.12) makes no Hash object per call (this runs once per /v1
// request); older 20.x releases keep createHash.
const digest: (value: string) => Buffer =
  typeof crypto.hash === 'function'
    ? (value) => crypto.hash('sha256', value, 'buffer')
    : (value) => crypto.createHash('sha256').update(value).digest();

/** Compare through fixed-length digests so neither content nor length leaks through timing. */
export const constantTimeEqual = (a: string, b: string): boolean => timingSafeEqual(digest(a), digest(b));

export const sha256 = digest;

/**
 * Checks a presented key against the master key with one hash per request: the
 * master key's digest is computed once, and the presented key's digest is reused (as
 * hex) to look up virtual keys, which are stored as SHA-256 hashes.
 */
export const createKeyMatcher = (masterKey: string | null) => {
  const master = masterKey ? digest(masterKey) : null;
  return (presented: string): { isMaster: boolean; hash: string } => {
    const presentedDigest = digest(presented);
    return { isMaster: master !== null && timingSafeEqual(presentedDigest, master), hash: presentedDigest.toString('hex') };
  };
};

export const missingKeyError = () =>
  new GatewayError('You must provide an API key: `Authorization: Bearer <key>`.', {
    status: 401,
    code: 'missing_api_key',
    type: 'authentication_error',
  });

export const invalidKeyError = () =>
  new GatewayError('The API key is not valid for this gateway.', {
    status: 401,
    code: 'invalid_api_key',
    type: 'authentication_error',
  });

export const masterKeyCaller: ApiCaller = { kind: 'master', keyId: null, keyName: 'master' };
export const anonymousCaller: ApiCaller = { kind: 'anonymous', keyId: null, keyName: null };

declare module 'fastify' {
  interface FastifyRequest {
    /** The authenticated `/v1` caller, set once per request (see installEarlyApiAuth). */
    apiCaller: ApiCaller | null;
  }
}

const isApiPath = (url: string) => url.startsWith('/v1/') || url.startsWith('/api/v1/') || url === '/v1' || url === '/api/v1';

/**
 * Authenticates `/v1` requests in `onRequest`, i.e. from the headers alone, before a byte
 * of the body is read: a missing or wrong key is answered 401 at once and the connection
 * closed, so an unauthenticated client cannot hold it open by dripping a body.
 */
export const installEarlyApiAuth = (app: FastifyInstance, ctx: { authenticate(request: FastifyRequest): ApiCaller }) => {
  app.decorateRequest('apiCaller', null);
  app.addHook('onRequest', (request, reply, done) => {
    if (!isApiPath(request.url)) return done();
    try {
      ctx.authenticate(request);
    } catch (error) {
      // The unread body is not worth draining: close after the answer.
      reply.header('connection', 'close');
      return done(error as Error);
    }
    done();
  });
};
