import { existsSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { defaultTestProviders, startHarness, type Harness } from '../../test-support/gateway-harness.js';
import { AdminTestClient, findSecrets } from './admin-test-client.js';
import { registeredAdminRoutes } from './register-admin-routes.js';

const ADMIN_PASSWORD = 'correct-horse-battery-staple';
const NEW_PASSWORD = 'a-brand-new-admin-password';

let h: Harness;
const recorded: string[] = [];
const client = () => new AdminTestClient(() => h.url, recorded);

beforeAll(async () => {
  h = await startHarness({ settings: { adminPassword: ADMIN_PASSWORD, trustProxy: 1 } });
});
afterAll(async () => h?.close());

/** Every contract endpoint; the enumeration below must find at least these. */
const CONTRACT = [
  'GET /admin/api/settings',
  'PUT /admin/api/settings',
  'POST /admin/api/password',
  'GET /admin/api/providers',
  'POST /admin/api/providers',
  'PATCH /admin/api/providers/:name',
  'DELETE /admin/api/providers/:name',
  'PUT /admin/api/providers/:name/key',
  'DELETE /admin/api/providers/:name/key',
  'POST /admin/api/providers/:name/test',
  'GET /admin/api/providers/:name/pool',
  'POST /admin/api/providers/:name/pool',
  'PATCH /admin/api/providers/:name/pool/:id',
  'DELETE /admin/api/providers/:name/pool/:id',
  'POST /admin/api/providers/:name/pool/:id/recheck',
  'GET /admin/api/teams',
  'POST /admin/api/teams',
  'GET /admin/api/teams/:id',
  'PATCH /admin/api/teams/:id',
  'DELETE /admin/api/teams/:id',
  'GET /admin/api/models',
  'POST /admin/api/models',
  'PATCH /admin/api/models/:key',
  'DELETE /admin/api/models/:key',
  'GET /admin/api/active-models',
  'PUT /admin/api/active-models',
  'GET /admin/api/keys',
  'POST /admin/api/keys',
  'PATCH /admin/api/keys/:id',
  'POST /admin/api/keys/:id/revoke',
  'GET /admin/api/usage/summary',
  'GET /admin/api/usage/timeseries',
  'GET /admin/api/usage/top',
  'GET /admin/api/logs',
  'GET /admin/api/logs/:id',
  'GET /admin/api/config/export',
  'POST /admin/api/config/import',
  'GET /admin/api/audit',
  'POST /admin/api/audit/:id/rollback',
  'POST /admin/api/playground/chat/completions',
  'POST /admin/api/playground/vision/completions',
];

describe('admin login and session', () => {
  it('tells the login page the platform name without a session', async () => {
    const info = await client().get('/admin/auth/info');
    expect(info.status).toBe(200);
    expect(info.json).toEqual({
      platformName: h.gateway.ctx.settings.platformName,
      version: expect.any(String),
      passwordLogin: true,
      generatedPassword: false,
      sso: { enabled: false, startUrl: null },
      demo: false,
    });
  });

  it('logs in, reports the session with its CSRF token, and logs out', async () => {
    const admin = client();
    // The session probe answers 200 for an anonymous browser (no 401 in its console).
    expect((await admin.get('/admin/auth/me')).status).toBe(200);
    expect((await admin.get('/admin/auth/me')).json).toEqual({ authenticated: false, user: null, role: null, csrfToken: null });
    const login = await admin.login(ADMIN_PASSWORD);
    expect(login.status).toBe(200);
    expect(login.json).toEqual({ ok: true, csrfToken: expect.any(String) });
    const cookie = login.headers.getSetCookie().find((c) => c.startsWith('skgw_session='))!;
    expect(cookie).toMatch(/HttpOnly/i);
    expect(cookie).toMatch(/SameSite=Strict/i);
    expect(cookie).toMatch(/Path=\/admin(;|$)/);
    expect(cookie).not.toMatch(/Secure/i);

    const me = await admin.get('/admin/auth/me');
    expect(me.json).toEqual({ authenticated: true, user: 'admin', role: 'admin', csrfToken: login.json.csrfToken });
    expect((await admin.get('/admin/api/settings')).status).toBe(200);

    const sessionCookie = admin.cookie;
    const logout = await admin.post('/admin/auth/logout');
    expect(logout.json).toEqual({ ok: true });
    expect(logout.headers.getSetCookie().join()).toMatch(/skgw_session=;/);
    admin.cookie = sessionCookie;
    const after = await admin.get('/admin/api/settings');
    expect(after.status).toBe(401);
    expect(after.json.error).toMatchObject({ code: 'unauthorized', type: 'authentication_error' });
    expect((await admin.get('/admin/auth/me')).json).toEqual({ authenticated: false, user: null, role: null, csrfToken: null });
  });

  it('marks the cookie Secure behind an https proxy (trustProxy)', async () => {
    const login = await client().login(ADMIN_PASSWORD, { 'x-forwarded-proto': 'https' });
    expect(login.status).toBe(200);
    expect(login.headers.getSetCookie().find((c) => c.startsWith('skgw_session='))).toMatch(/; Secure/i);
  });

  it('answers a wrong password with 401 invalid_credentials after a delay', async () => {
    const started = performance.now();
    const response = await client().login('wrong-password', { 'x-forwarded-for': '192.0.2.10' });
    const elapsed = performance.now() - started;
    expect(response.status).toBe(401);
    expect(response.json.error).toMatchObject({ code: 'invalid_credentials', type: 'authentication_error' });
    expect(elapsed).toBeGreaterThanOrEqual(480);
    expect(response.headers.getSetCookie()).toEqual([]);
  });

  it('rate-limits login attempts per address: 5 per minute, then 429 with Retry-After', async () => {
    const ip = { 'x-forwarded-for': '198.51.100.9' };
    const first = await Promise.all(Array.from({ length: 5 }, () => client().login('guess', ip)));
    expect(first.map((r) => r.status)).toEqual([401, 401, 401, 401, 401]);
    const limited = await client().login(ADMIN_PASSWORD, ip);
    expect(limited.status).toBe(429);
    expect(limited.json.error.code).toBe('too_many_login_attempts');
    expect(Number(limited.headers.get('retry-after'))).toBeGreaterThan(0);
    // Another address is not affected.
    expect((await client().login(ADMIN_PASSWORD, { 'x-forwarded-for': '198.51.100.10' })).status).toBe(200);
  });

  it('slides the session expiry on use and refuses an expired session', async () => {
    const admin = client();
    await admin.login(ADMIN_PASSWORD);
    const db = h.gateway.database.db;
    const soon = Date.now() + 60_000;
    await db.updateTable('admin_sessions').set({ expires_at: soon }).execute();
    const used = await admin.get('/admin/api/settings');
    expect(used.status).toBe(200);
    expect(used.headers.getSetCookie().find((c) => c.startsWith('skgw_session='))).toMatch(/Max-Age=43200/);
    const rows = await db.selectFrom('admin_sessions').select('expires_at').execute();
    expect(Math.max(...rows.map((r) => Number(r.expires_at)))).toBeGreaterThan(Date.now() + 11 * 3_600_000);

    await db.updateTable('admin_sessions').set({ expires_at: Date.now() - 1 }).execute();
    expect((await admin.get('/admin/api/settings')).status).toBe(401);
    expect((await admin.get('/admin/auth/me')).json).toEqual({ authenticated: false, user: null, role: null, csrfToken: null });
  });

  it('validates the login body', async () => {
    const response = await client().post('/admin/auth/login', { pass: 'x' });
    expect(response.status).toBe(400);
    expect(response.json.error.param).toBe('password');
  });
});

describe('every /admin/api route is guarded', () => {
  it('answers 401 without a session and 403 for mutating methods without the CSRF token', async () => {
    const fromHook = registeredAdminRoutes(h.gateway.app).filter((r) => r.url.startsWith('/admin/api'));
    const fromDocs = Object.entries((h.gateway.app.swagger() as { paths: Record<string, Record<string, unknown>> }).paths)
      .filter(([path]) => path.startsWith('/admin/api'))
      .flatMap(([path, methods]) => Object.keys(methods).map((m) => ({ method: m.toUpperCase(), url: path.replace(/\{(\w+)\}/g, ':$1') })));
    const routes = new Map([...fromHook, ...fromDocs].map((r) => [`${r.method} ${r.url}`, r]));
    for (const endpoint of CONTRACT) expect(routes.has(endpoint), endpoint).toBe(true);

    const admin = client();
    await admin.login(ADMIN_PASSWORD);
    for (const { method, url } of routes.values()) {
      const path = url.replace(/:(\w+)/g, 'x');
      const anonymous = await admin.request(method, path, { cookie: false, csrf: false });
      expect(anonymous.status, `${method} ${url} without a session`).toBe(401);
      if (method !== 'HEAD') expect(anonymous.json.error.code, `${method} ${url}`).toBe('unauthorized');
      if (['POST', 'PUT', 'PATCH', 'DELETE'].includes(method)) {
        const noCsrf = await admin.request(method, path, { csrf: false });
        expect(noCsrf.status, `${method} ${url} without CSRF`).toBe(403);
        expect(noCsrf.json.error.code).toBe('invalid_csrf_token');
        const wrongCsrf = await admin.request(method, path, { csrf: false, headers: { 'x-csrf-token': 'forged' } });
        expect(wrongCsrf.status, `${method} ${url} with a wrong CSRF token`).toBe(403);
      }
    }
    // Unknown paths under the prefix are guarded too, also when encoded.
    expect((await admin.get('/admin/api/no-such-thing', { cookie: false })).status).toBe(401);
    expect((await admin.get('/admin/%61pi/settings', { cookie: false })).status).toBe(401);
  });
});

describe('settings and password', () => {
  it('round-trips the platform name and shows it on the login page', async () => {
    const admin = client();
    await admin.login(ADMIN_PASSWORD);
    expect((await admin.get('/admin/api/settings')).json).toEqual({ platformName: h.gateway.ctx.settings.platformName });
    const put = await admin.put('/admin/api/settings', { platformName: 'Team Gateway' });
    expect(put.json).toEqual({ platformName: 'Team Gateway' });
    expect((await admin.get('/admin/api/settings')).json).toEqual({ platformName: 'Team Gateway' });
    expect((await admin.get('/admin/auth/info')).json.platformName).toBe('Team Gateway');
    const bad = await admin.put('/admin/api/settings', { platformName: '  ' });
    expect(bad.status).toBe(400);
    expect(bad.json.error.param).toBe('platformName');
    const audit = await admin.get('/admin/api/audit');
    expect(audit.json.data[0]).toMatchObject({ actor: 'admin', action: 'settings.update', target: 'platformName' });
  });

  it('changes the password: wrong current is 401, other sessions end, this one continues', async () => {
    const admin = client();
    const other = client();
    await admin.login(ADMIN_PASSWORD);
    await other.login(ADMIN_PASSWORD);
    const wrong = await admin.post('/admin/api/password', { currentPassword: 'nope', newPassword: NEW_PASSWORD });
    expect(wrong.status).toBe(401);
    expect(wrong.json.error.code).toBe('invalid_credentials');
    const short = await admin.post('/admin/api/password', { currentPassword: ADMIN_PASSWORD, newPassword: 'short' });
    expect(short.status).toBe(400);
    expect(short.json.error.param).toBe('newPassword');

    const changed = await admin.post('/admin/api/password', { currentPassword: ADMIN_PASSWORD, newPassword: NEW_PASSWORD });
    expect(changed.status).toBe(200);
    expect(changed.json).toEqual({ ok: true });
    expect((await other.get('/admin/api/settings')).status).toBe(401);
    expect((await admin.get('/admin/api/settings')).status).toBe(200);
    expect((await admin.put('/admin/api/settings', { platformName: 'Still Works' })).status).toBe(200);

    // The stored password now wins over ADMIN_PASSWORD, also after a restart.
    await h.restart();
    expect((await client().login(ADMIN_PASSWORD)).status).toBe(401);
    expect((await client().login(NEW_PASSWORD)).status).toBe(200);
    expect((await admin.get('/admin/api/settings')).status).toBe(200);

    const audit = await admin.get('/admin/api/audit?pageSize=200');
    const entry = audit.json.data.find((e: { target: string }) => e.target === 'adminPasswordHash');
    expect(entry).toMatchObject({ actor: 'admin', action: 'settings.update' });
    expect(audit.text).not.toContain('scrypt$');
  });

  it('leaked no secret in any response or log line', () => {
    const secrets = [ADMIN_PASSWORD, NEW_PASSWORD, ...defaultTestProviders().map((p) => p.key ?? '')];
    expect(recorded.length).toBeGreaterThan(50);
    expect(findSecrets([...recorded, ...h.logLines], secrets)).toEqual([]);
  });
});

describe('initial admin password', () => {
  it('is generated once on a fresh start, printed once to the terminal (not the log), written 0600, and works across restarts', async () => {
    const printed: string[] = [];
    const spy = vi.spyOn(process.stderr, 'write').mockImplementation((chunk: string | Uint8Array) => {
      printed.push(String(chunk));
      return true;
    });
    const fresh = await startHarness().finally(() => spy.mockRestore());
    try {
      const generatedLines = () => fresh.logLines.filter((line) => line.includes('admin password was generated'));
      expect(generatedLines()).toHaveLength(1);
      expect(JSON.parse(generatedLines()[0]!).level).toBe(40);
      const file = join(fresh.dataDir, 'initial-admin-password.txt');
      const password = readFileSync(file, 'utf8').trim();
      expect(password).toMatch(/^[A-Za-z0-9_][A-Za-z0-9_-]{23}$/);
      // On a line of its own on stderr, and nowhere in the JSON log.
      expect(printed.join('').split('\n')).toContain(password);
      expect(fresh.logLines.join('\n')).not.toContain(password);
      expect(statSync(file).mode & 0o777).toBe(0o600);
      expect(statSync(fresh.dataDir).mode & 0o777).toBe(0o700);
      for (const suffix of ['', '-wal', '-shm']) {
        const db = join(fresh.dataDir, `gateway.db${suffix}`);
        if (suffix === '' || existsSync(db)) expect(statSync(db).mode & 0o777, db).toBe(0o600);
      }
      // The login page is told a generated password is in use (it says where to find it).
      expect((await (await fetch(`${fresh.url}/admin/auth/info`)).json()).generatedPassword).toBe(true);

      const admin = new AdminTestClient(() => fresh.url);
      expect((await admin.login(password)).status).toBe(200);
      await fresh.restart();
      expect(generatedLines()).toHaveLength(1);
      expect((await new AdminTestClient(() => fresh.url).login(password)).status).toBe(200);

      // Changing it retires the file.
      expect((await admin.post('/admin/api/password', { currentPassword: password, newPassword: NEW_PASSWORD })).status).toBe(200);
      expect(existsSync(file)).toBe(false);
      expect((await new AdminTestClient(() => fresh.url).login(NEW_PASSWORD)).status).toBe(200);
      expect((await (await fetch(`${fresh.url}/admin/auth/info`)).json()).generatedPassword).toBe(false);
    } finally {
      await fresh.close();
    }
  });

  it('deletes the generated password file once ADMIN_PASSWORD is set', async () => {
    const spy = vi.spyOn(process.stderr, 'write').mockImplementation(() => true);
    const fresh = await startHarness().finally(() => spy.mockRestore());
    try {
      const file = join(fresh.dataDir, 'initial-admin-password.txt');
      expect(existsSync(file)).toBe(true);
      await fresh.restart({ settings: { adminPassword: ADMIN_PASSWORD } });
      expect(existsSync(file)).toBe(false);
      expect((await new AdminTestClient(() => fresh.url).login(ADMIN_PASSWORD)).status).toBe(200);
    } finally {
      await fresh.close();
    }
  });

  it('uses the master key when ADMIN_PASSWORD is not set (nothing generated)', async () => {
    const masterKey = 'sk-master-key-for-admin-login';
    const withKey = await startHarness({ settings: { masterKey } });
    try {
      expect(withKey.logLines.some((line) => line.includes('admin password was generated'))).toBe(false);
      expect(existsSync(join(withKey.dataDir, 'initial-admin-password.txt'))).toBe(false);
      expect((await new AdminTestClient(() => withKey.url).login(masterKey)).status).toBe(200);
      expect(withKey.logLines.some((line) => line.includes(masterKey))).toBe(false);
    } finally {
      await withKey.close();
    }
  });
});
