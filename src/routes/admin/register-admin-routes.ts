import type { FastifyInstance, HTTPMethods } from 'fastify';
import type { AdminRole } from '../../core/admin-roles.js';
import { AdminPassword } from '../../server/admin/admin-password.js';
import { AdminSessions, installAdminGuard } from '../../server/admin/admin-session.js';
import { AccountLockout, lockoutKeyPrefix } from '../../server/admin/account-lockout.js';
import { LoginLimiter } from '../../server/admin/login-limiter.js';
import { OidcLogin } from '../../server/admin/oidc-login.js';
import type { AdminDeps, AdminServices } from './admin-http.js';
import { registerAccessRoutes } from './access-routes.js';
import { registerAuthRoutes } from './auth-routes.js';
import { registerConfigRoutes } from './config-routes.js';
import { registerKeyRoutes } from './key-routes.js';
import { registerModelRoutes } from './model-routes.js';
import { registerPlaygroundRoutes } from './playground-routes.js';
import { registerProviderRoutes } from './provider-routes.js';
import { registerSettingsRoutes } from './settings-routes.js';
import { registerUsageRoutes } from './usage-routes.js';
import { registerUserRoutes } from './user-routes.js';
import { registerOidcRoutes } from './oidc-routes.js';
import { registerRoutingRoutes } from './routing-routes.js';
import { registerPoolKeyRoutes } from './pool-key-routes.js';
import { registerTeamRoutes } from './team-routes.js';

export type { AdminDeps } from './admin-http.js';

export interface RegisteredRoute {
  method: string;
  url: string;
  /** The role declared in the route's config (undefined: none declared, so `admin`). */
  role?: AdminRole;
}

const seenRoutes = new WeakMap<FastifyInstance, RegisteredRoute[]>();

/** Every `/admin/...` route registered after registerAdminRoutes started (for tests and docs). */
export const registeredAdminRoutes = (app: FastifyInstance): RegisteredRoute[] => [...(seenRoutes.get(app) ?? [])];

const SESSION_SWEEP_MS = 60 * 60 * 1000;

/**
 * The admin API (docs/admin-api.md): login/session under /admin/auth, everything else under
 * /admin/api behind the session + CSRF guard.
 */
export const registerAdminRoutes = async (app: FastifyInstance, deps: AdminDeps): Promise<void> => {
  const routes: RegisteredRoute[] = [];
  seenRoutes.set(app, routes);
  app.addHook('onRoute', (route) => {
    if (!route.url.startsWith('/admin')) return;
    const methods = ([] as HTTPMethods[]).concat(route.method as HTTPMethods | HTTPMethods[]);
    for (const method of methods) routes.push({ method, url: route.url, role: route.config?.adminRole });
  });

  const password = new AdminPassword(deps.settings, deps.repositories.settings, deps.ctx.logger);
  await password.ensureInitialPassword();
  // Upgrades and first starts: the console password becomes the first account, `admin`.
  await deps.repositories.users.ensureInitial();
  const sessions = new AdminSessions(deps.repositories.sessions, deps.repositories.users);
  const accounts = new AccountLockout({ ...deps.loginBackoff, redis: deps.redis ?? null, keyPrefix: lockoutKeyPrefix(deps.settings) });
  const oidc = deps.settings.oidc ? new OidcLogin(deps.settings.oidc, deps.repositories.users, deps.ctx.logger) : null;
  const services: AdminServices = { ...deps, password, sessions, limiter: new LoginLimiter(), accounts, oidc };
  await installAdminGuard(app, sessions);

  registerAuthRoutes(app, services);
  if (oidc) registerOidcRoutes(app, services, oidc);
  registerUserRoutes(app, services);
  registerAccessRoutes(app, services);
  registerSettingsRoutes(app, services);
  registerProviderRoutes(app, services);
  registerModelRoutes(app, services);
  registerKeyRoutes(app, services);
  registerUsageRoutes(app, services);
  registerConfigRoutes(app, services);
  registerRoutingRoutes(app, services);
  registerPoolKeyRoutes(app, services);
  registerTeamRoutes(app, services);
  await registerPlaygroundRoutes(app, services);

  const sweep = setInterval(() => {
    deps.repositories.sessions.deleteExpiredSessions().catch((error) => deps.ctx.logger.warn({ err: error }, 'expired session sweep failed'));
  }, SESSION_SWEEP_MS);
  sweep.unref();
  app.addHook('onClose', async () => clearInterval(sweep));
};
