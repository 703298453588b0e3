import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import { MAX_PASSWORD_LENGTH } from '../../server/admin/password-hash.js';
import { ADMIN_ACTOR, adminRoute, parseWith, sessionOf, type AdminServices } from './admin-http.js';
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
    ...adminRoute('Console settings (platform name: stored value, else PLATFORM_NAME)'),
    handler: current,
  });

  app.put('/admin/api/settings', {
    ...adminRoute('Change console settings', { body: settingsBody }),
    handler: async (request) => {
      const body = parseWith(settingsBody, request.body);
      await repositories.settings.set('platformName', body.platformName, ADMIN_ACTOR);
      return current();
    },
  });

  app.post('/admin/api/password', {
    ...adminRoute('Change the admin password (other sessions are logged out)', { body: passwordBody }),
    handler: async (request, reply) => {
      const body = parseWith(passwordBody, request.body);
      if (!(await checkPassword(services, request, body.currentPassword))) {
        throw invalidCredentials('The current password is not correct.');
      }
      await services.password.change(body.newPassword, ADMIN_ACTOR);
      await services.sessions.replaceAll(request, reply, sessionOf(request));
      return { ok: true };
    },
  });
};
