import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { OidcLogin, PendingLogin } from '../../server/admin/oidc-login.js';
import { LoginLimiter } from '../../server/admin/login-limiter.js';
import { SsoError } from '../../server/admin/oidc-login.js';
import { GatewayError } from '../../server/errors.js';
import { isJsonObject } from '../../storage/json.js';
import { adminRoute, type AdminServices } from './admin-http.js';
import { startSession } from './auth-routes.js';

const FLOW_COOKIE = 'skgw_oidc';
const FLOW_PATH = '/admin/auth/oidc';
/** Time to get through the identity provider's login page. */
const FLOW_TTL_MS = 10 * 60 * 1000;

/** Only a path inside the console; never another origin (`//host`, `/\host`). */
const safeNext = (value: unknown): string =>
  typeof value === 'string' && value.length <= 500 && /^\/(?![/\\])/.test(value) ? value : '/';

const consoleUrl = (path: string) => `/admin${path === '/' ? '/' : path}`;
const loginError = (reason: string) => `/admin/login?sso_error=${encodeURIComponent(reason)}`;

/**
 * Single sign-on: /start sends the browser to the identity provider, /callback finishes.
 * The state, nonce and PKCE verifier are kept server-side in a short-lived row of the
 * session table (so any worker can finish the login); the browser holds only its id, in a
 * cookie that is SameSite=Lax because the callback is a cross-site top-level redirect.
 */
export const registerOidcRoutes = (app: FastifyInstance, services: AdminServices, sso: OidcLogin) => {
  const sessions = services.repositories.sessions;
  // Each start stores a pending login: bounded per address so nobody fills the table.
  const starts = new LoginLimiter({ maxAttempts: 30, windowMs: 60_000 });
  const cookieOptions = (request: FastifyRequest) => ({ httpOnly: true, sameSite: 'lax' as const, path: FLOW_PATH, secure: request.protocol === 'https' });

  app.get('/admin/auth/oidc/start', {
    ...adminRoute('Single sign-on: redirect to the identity provider', { public: true }),
    handler: async (request, reply: FastifyReply) => {
      const admission = starts.admit(request.ip);
      if (!admission.allowed) {
        throw new GatewayError(`Too many sign-in attempts; try again in ${admission.retryAfterSeconds} s.`, {
          status: 429,
          code: 'too_many_login_attempts',
          type: 'rate_limit_error',
          headers: { 'retry-after': String(admission.retryAfterSeconds) },
        });
      }
      const next = safeNext((request.query as Record<string, unknown> | undefined)?.next);
      let started: Awaited<ReturnType<OidcLogin['start']>>;
      try {
        started = await sso.start(next);
      } catch (error) {
        request.log.warn({ err: { message: (error as Error).message?.slice(0, 300) } }, 'identity provider unreachable');
        return reply.redirect(loginError('unavailable'));
      }
      const { id } = await sessions.createSession(FLOW_TTL_MS, { kind: 'oidc', ...started.pending });
      reply.setCookie(FLOW_COOKIE, id, { ...cookieOptions(request), maxAge: FLOW_TTL_MS / 1000 });
      return reply.redirect(started.url);
    },
  });

  app.get('/admin/auth/oidc/callback', {
    ...adminRoute('Single sign-on: the identity provider returns here', { public: true }),
    handler: async (request, reply) => {
      const flowId = request.cookies?.[FLOW_COOKIE];
      reply.clearCookie(FLOW_COOKIE, cookieOptions(request));
      const flow = flowId ? await sessions.getSession(flowId) : null;
      // One use only: a replayed callback finds nothing.
      if (flowId) await sessions.deleteSession(flowId);
      const data = flow?.data;
      if (!flow || flow.userId !== null || !isJsonObject(data) || data.kind !== 'oidc') return reply.redirect(loginError('expired'));
      const pending = data as unknown as PendingLogin;
      const query = request.url.includes('?') ? request.url.slice(request.url.indexOf('?')) : '';
      try {
        const user = await sso.finish(query.slice(0, 8192), pending);
        await startSession(services, request, reply, user);
        request.log.info({ account: user.username }, 'SSO login');
        return reply.redirect(consoleUrl(safeNext(pending.next)));
      } catch (error) {
        if (error instanceof SsoError) return reply.redirect(loginError(error.reason));
        throw error;
      }
    },
  });
};
