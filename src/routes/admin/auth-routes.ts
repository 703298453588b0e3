import { randomInt } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { z } from 'zod';
import { MAX_PASSWORD_LENGTH } from '../../server/admin/password-hash.js';
import { GatewayError } from '../../server/errors.js';
import { version } from '../../server/version.js';
import { adminRoute, parseWith, type AdminServices } from './admin-http.js';

const loginBody = z.object({ password: z.string().min(1).max(MAX_PASSWORD_LENGTH) });

/** Wrong passwords answer late (~0.5–0.75 s) so guessing is slow even below the rate limit. */
export const FAILED_LOGIN_DELAY_MS = 500;
/** The console has one account. */
const ADMIN_ACCOUNT = 'admin';
export const failedLoginDelay = () => sleep(FAILED_LOGIN_DELAY_MS + randomInt(250));

export const invalidCredentials = (message = 'The password is not correct.') =>
  new GatewayError(message, { status: 401, code: 'invalid_credentials', type: 'authentication_error' });

/**
 * Checks a password with the per-address limit and the failure delay; used by login and
 * by the password change (whose "current password" is just as guessable).
 */
export const checkPassword = async (services: AdminServices, request: FastifyRequest, candidate: string): Promise<boolean> => {
  const admission = services.limiter.admit(request.ip);
  if (!admission.allowed) {
    throw new GatewayError(`Too many login attempts; try again in ${admission.retryAfterSeconds} s.`, {
      status: 429,
      code: 'too_many_login_attempts',
      type: 'rate_limit_error',
      headers: { 'retry-after': String(admission.retryAfterSeconds) },
    });
  }
  const account = await services.accounts.admit(ADMIN_ACCOUNT);
  if (!account.allowed) {
    // Not evaluated at all: guesses spread over many addresses meet this limit too.
    admission.release();
    throw new GatewayError(`Too many failed logins for this account; try again in ${account.retryAfterSeconds} s.`, {
      status: 429,
      code: 'too_many_login_attempts',
      type: 'rate_limit_error',
      headers: { 'retry-after': String(account.retryAfterSeconds) },
    });
  }
  if (await services.password.verify(candidate)) {
    admission.release();
    await account.succeeded();
    return true;
  }
  request.log.warn({ ip: request.ip }, 'admin login failed');
  await failedLoginDelay();
  return false;
};

export const registerAuthRoutes = (app: FastifyInstance, services: AdminServices) => {
  const { repositories, settings, sessions } = services;

  app.get('/admin/auth/info', {
    ...adminRoute('Platform name and login method (no session needed)', { public: true }),
    handler: async () => ({
      platformName: await repositories.settings.getPlatformName(settings.platformName),
      version,
      passwordLogin: true,
      // Only whether the first-start password is still the one (not the password or a path).
      generatedPassword: await services.password.usesGeneratedPassword(),
      // Public like the name: the login page shows the demo banner too.
      demo: settings.demo === true,
    }),
  });

  app.post('/admin/auth/login', {
    ...adminRoute('Log in with the admin password; sets the session cookie', { body: loginBody, public: true }),
    handler: async (request, reply) => {
      const { password } = parseWith(loginBody, request.body);
      if (!(await checkPassword(services, request, password))) throw invalidCredentials();
      // A fresh id on every login (no session fixation); the old one, if any, ends.
      const previous = request.cookies?.skgw_session;
      if (previous) await repositories.sessions.deleteSession(previous);
      const session = await sessions.create(request, reply);
      return { ok: true, csrfToken: session.csrfToken };
    },
  });

  app.post('/admin/auth/logout', {
    ...adminRoute('End the session and clear the cookie', { public: true }),
    handler: async (request, reply) => {
      await sessions.destroy(request, reply);
      return { ok: true };
    },
  });

  app.get('/admin/auth/me', {
    ...adminRoute('The logged-in user and the CSRF token; `{ authenticated: false }` (200) when not signed in', { public: true }),
    handler: async (request, reply) => {
      // A session probe, not a guarded call: "not signed in" is an answer, not an error, so
      // a fresh browser's console shows no 401 on the login page.
      const session = await sessions.fromRequest(request, reply);
      if (!session) return { authenticated: false, user: null, csrfToken: null };
      return { authenticated: true, user: session.user, csrfToken: session.csrfToken };
    },
  });
};
