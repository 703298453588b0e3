import { randomBytes } from 'node:crypto';
import cookie from '@fastify/cookie';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { AdminUser, AdminUserRepository, SessionRepository } from '../../storage/index.js';
import { constantTimeEqual } from '../api-auth.js';
import { GatewayError } from '../errors.js';
import { roleAllows, type AdminRole } from '../../core/admin-roles.js';

export const SESSION_COOKIE = 'skgw_session';
export const CSRF_HEADER = 'x-csrf-token';
export const SESSION_TTL_MS = 12 * 60 * 60 * 1000;
/** Sliding expiry is written at most this often per session (not on every request). */
const EXTEND_AFTER_MS = 60_000;
const MUTATING = new Set(['POST', 'PUT', 'PATCH', 'DELETE']);

export interface AdminSessionInfo {
  id: string;
  userId: string;
  /** The account's login name: what the audit log records as the actor. */
  user: string;
  role: AdminRole;
  csrfToken: string;
  expiresAt: number;
}

declare module 'fastify' {
  interface FastifyContextConfig {
    /** The least admin role a `/admin/api` route needs (missing: `admin`, fail closed). */
    adminRole?: AdminRole;
  }
}

declare module 'fastify' {
  interface FastifyRequest {
    /** Set by the admin guard on `/admin/api/*` requests. */
    adminSession: AdminSessionInfo | null;
  }
}

export const unauthorizedError = () =>
  new GatewayError('Log in to the admin console first (session missing or expired).', {
    status: 401,
    code: 'unauthorized',
    type: 'authentication_error',
  });

export const forbiddenRoleError = (need: AdminRole) =>
  new GatewayError(`This needs the ${need} role; your account cannot do it.`, {
    status: 403,
    code: 'insufficient_role',
    type: 'permission_error',
  });

export const csrfError = () =>
  new GatewayError(`This request needs the \`${CSRF_HEADER}\` header with the token from login or /admin/auth/me.`, {
    status: 403,
    code: 'invalid_csrf_token',
    type: 'permission_error',
  });

/**
 * Admin sessions over SessionRepository (so every worker and a restarted process sees
 * them). The cookie holds a random id; the database stores only its hash plus a
 * per-session CSRF token (synchronizer token pattern, see README.md here).
 */
export class AdminSessions {
  constructor(
    private readonly repository: SessionRepository,
    private readonly users: AdminUserRepository,
    private readonly ttlMs = SESSION_TTL_MS,
  ) {}

  async create(request: FastifyRequest, reply: FastifyReply, user: AdminUser, csrfToken = randomBytes(32).toString('base64url')): Promise<AdminSessionInfo> {
    const { id, expiresAt } = await this.repository.createSession(this.ttlMs, { user: user.username, csrf: csrfToken }, user.id);
    this.setCookie(request, reply, id);
    return { id, userId: user.id, user: user.username, role: user.role, csrfToken, expiresAt };
  }

  /**
   * The request's session, extending it (sliding expiry); null when absent, expired, or its
   * account is gone or disabled. The account (and so its role) is read on every request, so
   * a disabled account or a changed role takes effect at once on every worker.
   */
  async fromRequest(request: FastifyRequest, reply: FastifyReply): Promise<AdminSessionInfo | null> {
    const id = request.cookies?.[SESSION_COOKIE];
    if (!id) return null;
    const session = await this.repository.getSession(id);
    if (!session || !session.userId || typeof session.data.csrf !== 'string' || !session.data.csrf) return null;
    const user = await this.users.get(session.userId);
    if (!user || user.disabled) {
      await this.repository.deleteSession(id);
      return null;
    }
    let expiresAt = session.expiresAt;
    if (expiresAt - Date.now() < this.ttlMs - EXTEND_AFTER_MS) {
      if (!(await this.repository.extendSession(id, this.ttlMs))) return null;
      expiresAt = Date.now() + this.ttlMs;
      this.setCookie(request, reply, id);
    }
    return { id, userId: user.id, user: user.username, role: user.role, csrfToken: session.data.csrf, expiresAt };
  }

  async destroy(request: FastifyRequest, reply: FastifyReply): Promise<void> {
    const id = request.cookies?.[SESSION_COOKIE];
    if (id) await this.repository.deleteSession(id);
    reply.clearCookie(SESSION_COOKIE, this.cookieOptions(request));
  }

  /** After a password change: the account's other browsers are logged out, this one keeps working. */
  async replaceAll(request: FastifyRequest, reply: FastifyReply, keep: AdminSessionInfo): Promise<AdminSessionInfo> {
    await this.repository.deleteSessionsOfUser(keep.userId);
    const user = await this.users.get(keep.userId);
    if (!user) throw unauthorizedError();
    return this.create(request, reply, user, keep.csrfToken);
  }

  private cookieOptions(request: FastifyRequest) {
    return {
      httpOnly: true,
      sameSite: 'strict' as const,
      path: '/admin',
      // request.protocol honours x-forwarded-proto only when GATEWAY_TRUST_PROXY is on.
      secure: request.protocol === 'https',
    };
  }

  private setCookie(request: FastifyRequest, reply: FastifyReply, id: string): void {
    reply.setCookie(SESSION_COOKIE, id, { ...this.cookieOptions(request), maxAge: Math.floor(this.ttlMs / 1000) });
  }
}

const pathOf = (url: string) => {
  const path = url.split('?')[0] ?? '';
  try {
    return decodeURIComponent(path);
  } catch {
    return path;
  }
};

/** By route pattern (what the router matched) and by path (unknown routes, encoded tricks). */
const isAdminApiPath = (p: string) => p === '/admin/api' || p.startsWith('/admin/api/');

export const isAdminApiRequest = (request: FastifyRequest): boolean => {
  if (isAdminApiPath(request.routeOptions?.url ?? '')) return true;
  const url = request.url;
  // Every /v1 request passes here: an admin path either spells "/admin" or is encoded.
  if (!url.includes('/admin') && !url.includes('%')) return false;
  return isAdminApiPath(pathOf(url));
};

/**
 * One root-level hook guards every `/admin/api/*` route, whoever registers it and
 * whenever (Fastify applies root hooks to all routes): no session → 401, a mutating
 * method without the session's CSRF token → 403, an account whose role is below the
 * route's `config.adminRole` → 403 insufficient_role. It runs before the body is parsed.
 */
export const installAdminGuard = async (app: FastifyInstance, sessions: AdminSessions): Promise<void> => {
  if (!app.hasRequestDecorator('cookies')) await app.register(cookie);
  app.decorateRequest('adminSession', null);
  const guard = async (request: FastifyRequest, reply: FastifyReply): Promise<void> => {
    const session = await sessions.fromRequest(request, reply);
    if (!session) throw unauthorizedError();
    if (MUTATING.has(request.method)) {
      const presented = request.headers[CSRF_HEADER];
      if (typeof presented !== 'string' || !constantTimeEqual(presented, session.csrfToken)) throw csrfError();
    }
    const need = request.routeOptions.config?.adminRole ?? 'admin';
    if (!roleAllows(session.role, need)) throw forbiddenRoleError(need);
    request.adminSession = session;
  };
  // A callback hook, not an async one: every /v1 request passes here and leaves at once,
  // without a promise and a microtask turn of its own.
  app.addHook('onRequest', (request, reply, done) => {
    if (!isAdminApiRequest(request)) return done();
    guard(request, reply).then(() => done(), done);
  });
};
