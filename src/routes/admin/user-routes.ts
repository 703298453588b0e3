import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import { hashPassword, MAX_PASSWORD_LENGTH } from '../../server/admin/password-hash.js';
import { ADMIN_ROLES } from '../../core/admin-roles.js';
import { badRequest, conflict } from '../../server/errors.js';
import type { AdminUser, AdminUserPatch } from '../../storage/index.js';
import { actorOf, adminRoute, idParams, iso, parseWith, sessionOf, type AdminServices } from './admin-http.js';

const role = z.enum(ADMIN_ROLES);
const password = z.string().min(8, 'must be at least 8 characters').max(MAX_PASSWORD_LENGTH);
const displayName = z.string().trim().max(100).nullable();
const userCreateBody = z.object({
  username: z.string().trim().min(1).max(64),
  role,
  /** Omitted: an account that signs in with SSO only (linked on its first SSO login by name). */
  password: password.optional(),
  displayName: displayName.optional(),
});
const userPatchBody = z.object({ role: role.optional(), disabled: z.boolean().optional(), displayName: displayName.optional() });
const passwordResetBody = z.object({ password });

/** What the API shows of an account: never a hash, never the SSO subject itself. */
export const userView = (user: AdminUser) => ({
  id: user.id,
  username: user.username,
  displayName: user.displayName,
  role: user.role,
  disabled: user.disabled,
  passwordLogin: user.hasPassword,
  sso: user.oidcSubject !== null,
  initial: user.isInitial,
  createdAt: iso(user.createdAt),
  updatedAt: iso(user.updatedAt),
  lastLoginAt: iso(user.lastLoginAt),
});

const notYourself = (what: string) => conflict(`You cannot ${what} your own account; ask another admin.`, 'cannot_change_self');

/**
 * Admin accounts (admin role only). Disabling an account, changing its role, resetting its
 * password or deleting it ends its sessions at once; the last enabled admin stays.
 */
export const registerUserRoutes = (app: FastifyInstance, services: AdminServices) => {
  const { users, sessions } = services.repositories;

  app.get('/admin/api/users', {
    ...adminRoute('Admin accounts with their roles', { role: 'admin' }),
    handler: async () => ({ data: (await users.list()).map(userView) }),
  });

  app.post('/admin/api/users', {
    ...adminRoute('Create an admin account (no password: SSO only)', { body: userCreateBody, role: 'admin' }),
    handler: async (request, reply) => {
      const body = parseWith(userCreateBody, request.body);
      const created = await users.create(
        {
          username: body.username,
          role: body.role,
          displayName: body.displayName ?? null,
          passwordHash: body.password ? await hashPassword(body.password) : null,
        },
        actorOf(request),
      );
      reply.code(201);
      return userView(created);
    },
  });

  app.patch('/admin/api/users/:id', {
    ...adminRoute('Change an account: role, disabled, display name', { body: userPatchBody, params: idParams, role: 'admin' }),
    handler: async (request) => {
      const { id } = parseWith(idParams, request.params);
      const body = parseWith(userPatchBody, request.body);
      const self = sessionOf(request).userId === id;
      if (self && body.disabled === true) throw notYourself('disable');
      if (self && body.role !== undefined && body.role !== sessionOf(request).role) throw notYourself('change the role of');
      const patch: AdminUserPatch = {};
      if (body.role !== undefined) patch.role = body.role;
      if (body.disabled !== undefined) patch.disabled = body.disabled ? 1 : 0;
      if (body.displayName !== undefined) patch.display_name = body.displayName;
      if (Object.keys(patch).length === 0) throw badRequest('Nothing to change: send `role`, `disabled` or `displayName`.');
      const before = await users.get(id);
      const action = body.disabled === true ? 'user.disable' : body.disabled === false ? 'user.enable' : body.role !== undefined ? 'user.role' : 'user.update';
      const after = await users.update(id, patch, { actor: actorOf(request), action });
      // Sessions carry no role: the guard reads the account on every request, so this
      // delete is for hygiene (and for a disabled account, so its cookies die for good).
      if (before && (before.role !== after.role || (!before.disabled && after.disabled))) await sessions.deleteSessionsOfUser(id);
      return userView(after);
    },
  });

  app.post('/admin/api/users/:id/password', {
    ...adminRoute("Set an account's password (its sessions end)", { body: passwordResetBody, params: idParams, role: 'admin' }),
    handler: async (request) => {
      const { id } = parseWith(idParams, request.params);
      const body = parseWith(passwordResetBody, request.body);
      const after = await users.update(id, { password_hash: await hashPassword(body.password) }, { actor: actorOf(request), action: 'user.password_reset' });
      await sessions.deleteSessionsOfUser(id, id === sessionOf(request).userId ? request.cookies?.skgw_session : undefined);
      return userView(after);
    },
  });

  app.delete('/admin/api/users/:id', {
    ...adminRoute('Delete an account (not your own, not the last admin)', { params: idParams, role: 'admin' }),
    handler: async (request) => {
      const { id } = parseWith(idParams, request.params);
      if (sessionOf(request).userId === id) throw notYourself('delete');
      await users.remove(id, actorOf(request));
      return { ok: true };
    },
  });
};
