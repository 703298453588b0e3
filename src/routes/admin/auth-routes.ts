import { randomInt } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { z } from 'zod';
import { hashPassword, MAX_PASSWORD_LENGTH, verifyPassword } from '../../server/admin/password-hash.js';
import { GatewayError } from '../../server/errors.js';
import { version } from '../../server/version.js';
import type { AdminUser } from '../../storage/index.js';
import { adminRoute, parseWith, type AdminServices } from './admin-http.js';

const loginBody = z.object({
  /** Optional: a password alone logs in to the first account (created from the console password). */
  username: z.string().trim().min(1).max(64).optional(),
  password: z.string().min(1).max(MAX_PASSWORD_LENGTH),
});

/** Wrong passwords answer late (~0.5–0.75 s) so guessing is slow even below the rate limit. */
export const FAILED_LOGIN_DELAY_MS = 500;
export const failedLoginDelay = () => sleep(FAILED_LOGIN_DELAY_MS + randomInt(250));

export const invalidCredentials = (message = 'The user name or password is not correct.') =>
  new GatewayError(message, { status: 401, code: 'invalid_credentials', type: 'authentication_error' });

/** Spent on unknown names too, so timing does not tell which accounts exist. */
let dummyHash: Promise<string> | null = null;

/** Does the password open this account? (The first account may still use the console password.) */
export const accountPasswordMatches = async (services: AdminServices, user: AdminUser | null, candidate: string): Promise<boolean> => {
  if (user?.usesConsolePassword) return services.password.verify(candidate);
  if (user?.passwordHash) return verifyPassword(candidate, user.passwordHash);
  dummyHash ??= hashPassword('not-a-password');
  await verifyPassword(candidate, await dummyHash);
  return false;
};

/**
 * Checks a password with the per-address limit and the failure delay; used by login and
 * by the password change (whose "current password" is just as guessable). A disabled
 * account answers exactly like a wrong password.
 */
export const checkPassword = async (services: AdminServices, request: FastifyRequest, user: AdminUser | null, candidate: string): Promise<boolean> => {
  const admission = services.limiter.admit(request.ip);
  if (!admission.allowed) {
    throw new GatewayError(`Too many login attempts; try again in ${admission.retryAfterSeconds} s.`, {
      status: 429,
      code: 'too_many_login_attempts',
      type: 'rate_limit_error',
      headers: { 'retry-after': String(admission.retryAfterSeconds) },
    });
  }
  // Unknown names share one bucket: they lock out nobody real and cannot grow the table.
  const account = await services.accounts.admit(user?.username ?? '(unknown)');
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
  const matches = await accountPasswordMatches(services, user, candidate);
  if (matches && user && !user.disabled) {
    admission.release();
    await account.succeeded();
    return true;
  }
  request.log.warn({ ip: request.ip, account: user?.username ?? null }, 'admin login failed');
  await failedLoginDelay();
  return false;
};

/** Starts a session for an account (fresh id on every login: no session fixation). */
export const startSession = async (services: AdminServices, request: FastifyRequest, reply: FastifyReply, user: AdminUser) => {
  const previous = request.cookies?.skgw_session;
  if (previous) await services.repositories.sessions.deleteSession(previous);
  const session = await services.sessions.create(request, reply, user);
  await services.repositories.users.touchLogin(user.id);
  return session;
};

export const registerAuthRoutes = (app: FastifyInstance, services: AdminServices) => {
  const { repositories, settings, sessions } = services;

  app.get('/admin/auth/info', {
    ...adminRoute('Platform name and login methods (no session needed)', { public: true }),
    handler: async () => ({
      platformName: await repositories.settings.getPlatformName(settings.platformName),
      version,
      passwordLogin: true,
      sso: services.oidc ? { enabled: true, startUrl: '/admin/auth/oidc/start' } : { enabled: false, startUrl: null },
      // Only whether the first-start password is still the one (not the password or a path).
      generatedPassword: await services.password.usesGeneratedPassword(),
      // Public like the name: the login page shows the demo banner too.
      demo: settings.demo === true,
    }),
  });

  app.post('/admin/auth/login', {
    ...adminRoute('Log in with a user name and password (no name: the first account); sets the session cookie', {
      body: loginBody,
      public: true,
    }),
    handler: async (request, reply) => {
      const { username, password } = parseWith(loginBody, request.body);
      const user = username ? await repositories.users.byUsername(username) : await repositories.users.initial();
      if (!(await checkPassword(services, request, user, password))) throw invalidCredentials();
      const session = await startSession(services, request, reply, user!);
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
    ...adminRoute('The logged-in account, its role and the CSRF token; `{ authenticated: false }` (200) when not signed in', { public: true }),
    handler: async (request, reply) => {
      // A session probe, not a guarded call: "not signed in" is an answer, not an error, so
      // a fresh browser's console shows no 401 on the login page.
      const session = await sessions.fromRequest(request, reply);
      if (!session) return { authenticated: false, user: null, role: null, csrfToken: null };
      return { authenticated: true, user: session.user, role: session.role, csrfToken: session.csrfToken };
    },
  });
};
