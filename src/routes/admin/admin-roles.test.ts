import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ADMIN_ROLES, roleAllows, type AdminRole } from '../../core/admin-roles.js';
import { startHarness, type Harness } from '../../test-support/gateway-harness.js';
import { AdminTestClient } from './admin-test-client.js';
import { registeredAdminRoutes } from './register-admin-routes.js';

const ADMIN_PASSWORD = 'roles-test-admin-password';

/**
 * The least role each admin API route needs. A new route must be added here (the test
 * fails otherwise), so widening or narrowing access is always a visible, reviewed change.
 */
const EXPECTED: Record<string, AdminRole> = {
  'GET /admin/api/settings': 'admin',
  'PUT /admin/api/settings': 'admin',
  'POST /admin/api/password': 'viewer',
  'GET /admin/api/users': 'admin',
  'POST /admin/api/users': 'admin',
  'PATCH /admin/api/users/:id': 'admin',
  'POST /admin/api/users/:id/password': 'admin',
  'DELETE /admin/api/users/:id': 'admin',
  'GET /admin/api/providers': 'viewer',
  'POST /admin/api/providers': 'operator',
  'PATCH /admin/api/providers/:name': 'operator',
  'DELETE /admin/api/providers/:name': 'operator',
  'PUT /admin/api/providers/:name/key': 'operator',
  'DELETE /admin/api/providers/:name/key': 'operator',
  'POST /admin/api/providers/:name/test': 'operator',
  'GET /admin/api/models': 'viewer',
  'POST /admin/api/models': 'operator',
  'PATCH /admin/api/models/:key': 'operator',
  'DELETE /admin/api/models/:key': 'operator',
  'GET /admin/api/active-models': 'viewer',
  'PUT /admin/api/active-models': 'operator',
  'GET /admin/api/keys': 'viewer',
  'POST /admin/api/keys': 'operator',
  'PATCH /admin/api/keys/:id': 'operator',
  'POST /admin/api/keys/:id/revoke': 'operator',
  'GET /admin/api/usage/summary': 'viewer',
  'GET /admin/api/usage/timeseries': 'viewer',
  'GET /admin/api/usage/top': 'viewer',
  'GET /admin/api/logs': 'viewer',
  'GET /admin/api/logs/:id': 'viewer',
  'GET /admin/api/config/export': 'operator',
  'POST /admin/api/config/import': 'admin',
  'GET /admin/api/audit': 'viewer',
  'POST /admin/api/audit/:id/rollback': 'admin',
  'GET /admin/api/routing/groups': 'viewer',
  'PUT /admin/api/routing/groups/:name': 'operator',
  'DELETE /admin/api/routing/groups/:name': 'operator',
  'GET /admin/api/routing/health': 'viewer',
  'GET /admin/api/access': 'viewer',
  'GET /admin/api/providers/:name/pool': 'viewer',
  'POST /admin/api/providers/:name/pool': 'operator',
  'PATCH /admin/api/providers/:name/pool/:id': 'operator',
  'DELETE /admin/api/providers/:name/pool/:id': 'operator',
  'POST /admin/api/providers/:name/pool/:id/recheck': 'operator',
  'GET /admin/api/teams': 'viewer',
  'POST /admin/api/teams': 'operator',
  'GET /admin/api/teams/:id': 'viewer',
  'PATCH /admin/api/teams/:id': 'operator',
  'DELETE /admin/api/teams/:id': 'operator',
  'POST /admin/api/playground/chat/completions': 'operator',
  'POST /admin/api/playground/responses': 'operator',
  'POST /admin/api/playground/vision/completions': 'operator',
};

let h: Harness;
const clients = {} as Record<AdminRole, AdminTestClient>;

beforeAll(async () => {
  h = await startHarness({ settings: { adminPassword: ADMIN_PASSWORD } });
  clients.admin = new AdminTestClient(() => h.url);
  expect((await clients.admin.login(ADMIN_PASSWORD)).status).toBe(200);
  for (const role of ['operator', 'viewer'] as const) {
    const created = await clients.admin.post('/admin/api/users', { username: `${role}-1`, role, password: `${role}-password-123` });
    expect(created.status).toBe(201);
    clients[role] = new AdminTestClient(() => h.url);
    expect((await clients[role].post('/admin/auth/login', { username: `${role}-1`, password: `${role}-password-123` })).status).toBe(200);
    clients[role].csrfToken = (await clients[role].get('/admin/auth/me')).json.csrfToken;
  }
});
afterAll(async () => h?.close());

/** Every /admin/api route, from Fastify's own route table (onRoute) and the OpenAPI document. */
const allRoutes = () => {
  const fromHook = registeredAdminRoutes(h.gateway.app).filter((r) => r.url.startsWith('/admin/api'));
  const fromDocs = Object.entries((h.gateway.app.swagger() as { paths: Record<string, Record<string, unknown>> }).paths)
    .filter(([path]) => path.startsWith('/admin/api'))
    .flatMap(([path, methods]) => Object.keys(methods).map((m) => `${m.toUpperCase()} ${path.replace(/\{(\w+)\}/g, ':$1')}`));
  const declared = new Map(fromHook.filter((r) => r.method !== 'HEAD').map((r) => [`${r.method} ${r.url}`, r.role]));
  for (const route of fromDocs) if (!declared.has(route)) declared.set(route, undefined);
  return declared;
};

describe('roles on every admin API route', () => {
  it('every route declares its role, and it is the one this table expects', () => {
    const declared = allRoutes();
    expect(declared.size).toBeGreaterThanOrEqual(Object.keys(EXPECTED).length);
    const undeclared = [...declared].filter(([, role]) => role === undefined).map(([route]) => route);
    expect(undeclared, 'routes without config.adminRole').toEqual([]);
    const unlisted = [...declared.keys()].filter((route) => !(route in EXPECTED));
    expect(unlisted, 'routes missing from EXPECTED in this test').toEqual([]);
    for (const [route, role] of declared) expect(role, route).toBe(EXPECTED[route]);
  });

  it('each role against each route: allowed ones get past the guard, the others 403 insufficient_role', async () => {
    const declared = allRoutes();
    const outcomes: string[] = [];
    // Least powerful first, so an allowed-but-destructive call (there are none with these
    // empty bodies and made-up ids) could not change what later roles see.
    for (const role of ADMIN_ROLES) {
      for (const route of declared.keys()) {
        const [method, url] = route.split(' ') as [string, string];
        const response = await clients[role].request(method, url.replace(/:(\w+)/g, 'no-such-x'), method === 'GET' ? {} : { body: {} });
        const need = EXPECTED[route]!;
        const refused = response.status === 403 && response.json?.error?.code === 'insufficient_role';
        if (roleAllows(role, need) === refused) outcomes.push(`${role} ${route}: ${response.status} ${response.text.slice(0, 120)}`);
        if (refused) expect(response.json.error.type).toBe('permission_error');
        expect(response.status, `${role} ${route}`).toBeLessThan(500);
      }
    }
    expect(outcomes).toEqual([]);
  });

  it('shows each account its own role in /me', async () => {
    for (const role of ADMIN_ROLES) expect((await clients[role].get('/admin/auth/me')).json).toMatchObject({ authenticated: true, role });
  });
});
