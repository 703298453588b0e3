import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import { hashPassword, MAX_PASSWORD_LENGTH } from '../../server/admin/password-hash.js';
import { actorOf, adminRoute, parseWith, sessionOf, type AdminServices } from './admin-http.js';
import { checkPassword, invalidCredentials } from './auth-routes.js';

const settingsBody = z.object({ platformName: z.string().trim().min(1, 'must not be empty').max(100) });
const passwordBody = z.object({
  currentPassword: z.string().min(1).max(MAX_PASSWORD_LENGTH),
  newPassword: z.string().min(8, 'must be at least 8 characters').max(MAX_PASSWORD_LENGTH),
});

export const registerSettingsRoutes = (app: FastifyInstance, services: AdminServices) => {
  const { repositories, settings } = services;
  const current = async () => ({ platformName: await repositories.settings.getPlatformName(settings.platformName) });

  app.get('/admin/api/settings', {
    ...adminRoute('Console settings (platform name: stored value, else PLATFORM_NAME)', { role: 'admin' }),
    handler: current,
  });

  app.put('/admin/api/settings', {
    ...adminRoute('Change console settings', { body: settingsBody, role: 'admin' }),
    handler: async (request) => {
      const body = parseWith(settingsBody, request.body);
      await repositories.settings.set('platformName', body.platformName, actorOf(request));
      return current();
    },
  });

  app.post('/admin/api/password', {
    ...adminRoute('Change your own password (your other sessions are logged out)', { body: passwordBody, role: 'viewer' }),
    handler: async (request, reply) => {
      const body = parseWith(passwordBody, request.body);
      const user = await repositories.users.get(sessionOf(request).userId);
      if (!(await checkPassword(services, request, user, body.currentPassword))) {
        throw invalidCredentials('The current password is not correct.');
      }
      // The first account keeps the console password's rules (it wins over ADMIN_PASSWORD,
      // retires the generated file); other accounts store their own hash.
      if (user!.usesConsolePassword) await services.password.change(body.newPassword, actorOf(request));
      else await repositories.users.update(user!.id, { password_hash: await hashPassword(body.newPassword) }, { actor: actorOf(request), action: 'user.password' });
      await services.sessions.replaceAll(request, reply, sessionOf(request));
      return { ok: true };
    },
  });
};
