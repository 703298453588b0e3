import type { FastifyInstance } from 'fastify';
import { adminRoute, type AdminServices } from './admin-http.js';

/**
 * How `/v1` callers are authenticated, for the console's keys page: without a master key,
 * requests that present no key at all are served anonymously (loopback only), so a key's
 * limits bind only callers that use it.
 */
export const registerAccessRoutes = (app: FastifyInstance, services: AdminServices) => {
  app.get('/admin/api/access', {
    ...adminRoute('How API callers are authenticated (master key set, anonymous access)', { role: 'viewer' }),
    handler: async () => ({
      masterKeyConfigured: services.settings.masterKey !== null,
      anonymousAccess: services.settings.masterKey === null ? 'loopback' : 'none',
    }),
  });
};
