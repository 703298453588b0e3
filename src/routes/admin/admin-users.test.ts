import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startHarness, type Harness } from '../../test-support/gateway-harness.js';
import { AdminTestClient, findSecrets } from './admin-test-client.js';

const ADMIN_PASSWORD = 'users-test-admin-password';

let h: Harness;
const recorded: string[] = [];
const client = () => new AdminTestClient(() => h.url, recorded);
const loginAs = async (username: string, password: string) => {
  const c = client();
  const response = await c.post('/admin/auth/login', { username, password });
  if (response.status === 200) c.csrfToken = response.json.csrfToken;
  return { c, response };
};
let admin: AdminTestClient;

beforeAll(async () => {
  h = await startHarness({ settings: { adminPassword: ADMIN_PASSWORD } });
  admin = client();
  expect((await admin.login(ADMIN_PASSWORD)).status).toBe(200);
});
afterAll(async () => h?.close());

const userId = async (username: string, as = admin) =>
  ((await as.get('/admin/api/users')).json.data as Array<{ id: string; username: string }>).find((u) => u.username === username)!.id;

describe('admin accounts', () => {
  it('starts with the first account made from the console password; a password alone or `admin` opens it', async () => {
    const list = await admin.get('/admin/api/users');
    expect(list.json.data).toEqual([
      expect.objectContaining({ username: 'admin', role: 'admin', disabled: false, initial: true, passwordLogin: true, sso: false }),
    ]);
    expect(list.text).not.toContain('scrypt$');
    expect((await loginAs('admin', ADMIN_PASSWORD)).response.status).toBe(200);
    expect((await loginAs('ADMIN', ADMIN_PASSWORD)).response.status).toBe(200);
  });

  it('creates accounts (names validated, unique), logs them in by name, refuses wrong passwords alike', async () => {
    const created = await admin.post('/admin/api/users', { username: 'Olivia', role: 'operator', password: 'olivia-password-1', displayName: 'Olivia O.' });
    expect(created.status).toBe(201);
    expect(created.json).toMatchObject({ username: 'olivia', role: 'operator', displayName: 'Olivia O.', passwordLogin: true, initial: false });
    expect((await admin.post('/admin/api/users', { username: 'olivia', role: 'viewer', password: 'another-password' })).json.error.code).toBe('user_exists');
    const badName = await admin.post('/admin/api/users', { username: 'no spaces!', role: 'viewer', password: 'whatever-123' });
    expect(badName.status).toBe(400);
    expect(badName.json.error.param).toBe('username');
    expect((await admin.post('/admin/api/users', { username: 'x', role: 'root', password: 'whatever-123' })).json.error.param).toBe('role');
    expect((await admin.post('/admin/api/users', { username: 'y', role: 'viewer', password: 'short' })).json.error.param).toBe('password');

    const { c, response } = await loginAs('olivia', 'olivia-password-1');
    expect(response.status).toBe(200);
    expect((await c.get('/admin/auth/me')).json).toMatchObject({ user: 'olivia', role: 'operator' });
    const wrong = await loginAs('olivia', 'not-her-password');
    const unknown = await loginAs('nobody-here', 'not-her-password');
    expect([wrong.response.status, unknown.response.status]).toEqual([401, 401]);
    expect(unknown.response.json.error).toEqual(wrong.response.json.error);
  });

  it('records the account behind every change in the audit log', async () => {
    const { c } = await loginAs('olivia', 'olivia-password-1');
    const provider = await c.post('/admin/api/providers', { name: 'AuditedVendor', protocol: 'openai', baseUrl: 'http://127.0.0.1:9/v1' });
    expect(provider.status).toBe(201);
    const audit = (await admin.get('/admin/api/audit?pageSize=200')).json.data as Array<{ actor: string; action: string; target: string }>;
    expect(audit.find((e) => e.action === 'provider.create' && e.target === 'AuditedVendor')).toMatchObject({ actor: 'olivia' });
    expect(audit.find((e) => e.action === 'user.create' && e.target === 'olivia')).toMatchObject({ actor: 'admin' });
    // A viewer's own password change is recorded under the viewer, without the hash.
    await admin.post('/admin/api/users', { username: 'vera', role: 'viewer', password: 'vera-password-1' });
    const vera = await loginAs('vera', 'vera-password-1');
    expect((await vera.c.post('/admin/api/password', { currentPassword: 'vera-password-1', newPassword: 'vera-password-2' })).status).toBe(200);
    const after = await admin.get('/admin/api/audit?pageSize=200');
    expect(after.json.data.find((e: { action: string }) => e.action === 'user.password')).toMatchObject({ actor: 'vera', target: 'vera' });
    expect(after.text).not.toContain('scrypt$');
    expect((await loginAs('vera', 'vera-password-2')).response.status).toBe(200);
  });

  it("ends a disabled account's sessions at once, and lets it back in when enabled", async () => {
    const { c } = await loginAs('olivia', 'olivia-password-1');
    expect((await c.get('/admin/api/keys')).status).toBe(200);
    const id = await userId('olivia');
    const disabled = await admin.patch(`/admin/api/users/${id}`, { disabled: true });
    expect(disabled.json).toMatchObject({ disabled: true });
    const refused = await c.get('/admin/api/keys');
    expect(refused.status).toBe(401);
    expect(refused.json.error.code).toBe('unauthorized');
    expect((await loginAs('olivia', 'olivia-password-1')).response.status).toBe(401);
    expect((await admin.patch(`/admin/api/users/${id}`, { disabled: false })).json).toMatchObject({ disabled: false });
    expect((await loginAs('olivia', 'olivia-password-1')).response.status).toBe(200);
    const audit = (await admin.get('/admin/api/audit?pageSize=200')).json.data as Array<{ actor: string; action: string; target: string }>;
    expect(audit.filter((e) => e.target === 'olivia').map((e) => e.action)).toEqual(expect.arrayContaining(['user.disable', 'user.enable']));
  });

  it('applies a role change at once: the old session ends, the new role holds', async () => {
    const { c } = await loginAs('olivia', 'olivia-password-1');
    expect((await c.post('/admin/api/keys', { name: 'k-by-operator' })).status).toBe(201);
    const id = await userId('olivia');
    expect((await admin.patch(`/admin/api/users/${id}`, { role: 'viewer' })).json.role).toBe('viewer');
    expect((await c.get('/admin/api/keys')).status).toBe(401);
    const again = await loginAs('olivia', 'olivia-password-1');
    expect((await again.c.get('/admin/api/keys')).status).toBe(200);
    const refused = await again.c.post('/admin/api/keys', { name: 'k-by-viewer' });
    expect(refused.status).toBe(403);
    expect(refused.json.error.code).toBe('insufficient_role');
  });

  it('resets a password: the old one and its sessions stop working', async () => {
    const { c } = await loginAs('olivia', 'olivia-password-1');
    const id = await userId('olivia');
    expect((await admin.post(`/admin/api/users/${id}/password`, { password: 'olivia-new-password' })).status).toBe(200);
    expect((await c.get('/admin/api/keys')).status).toBe(401);
    expect((await loginAs('olivia', 'olivia-password-1')).response.status).toBe(401);
    expect((await loginAs('olivia', 'olivia-new-password')).response.status).toBe(200);
  });

  it('keeps the last admin and refuses changes to yourself; deletes others and their sessions', async () => {
    const self = await userId('admin');
    expect((await admin.delete(`/admin/api/users/${self}`)).json.error.code).toBe('cannot_change_self');
    expect((await admin.patch(`/admin/api/users/${self}`, { disabled: true })).json.error.code).toBe('cannot_change_self');
    expect((await admin.patch(`/admin/api/users/${self}`, { role: 'viewer' })).json.error.code).toBe('cannot_change_self');

    // With two admins, one may be demoted.
    await admin.post('/admin/api/users', { username: 'ada', role: 'admin', password: 'ada-password-12' });
    const ada = await loginAs('ada', 'ada-password-12');
    expect((await ada.c.patch(`/admin/api/users/${self}`, { role: 'operator' })).status).toBe(200);
    // Now ada is the last enabled admin: nobody can demote, disable or delete her.
    const adaId = await userId('ada', ada.c);
    const operatorAdmin = await loginAs('admin', ADMIN_PASSWORD);
    expect((await operatorAdmin.c.get('/admin/api/users')).status).toBe(403);
    const nowLast = await ada.c.post('/admin/api/users', { username: 'temp', role: 'operator', password: 'temp-password-1' });
    expect(nowLast.status).toBe(201);
    expect((await ada.c.patch(`/admin/api/users/${adaId}`, { role: 'viewer' })).json.error.code).toBe('cannot_change_self');
    // The repository refuses it too, whoever asks (e.g. a future bulk endpoint).
    await expect(h.gateway.repositories.users.update(adaId, { disabled: 1 }, { actor: 'test', action: 'user.disable' })).rejects.toMatchObject({ code: 'last_admin' });
    await expect(h.gateway.repositories.users.remove(adaId, 'test')).rejects.toMatchObject({ code: 'last_admin' });

    const temp = await loginAs('temp', 'temp-password-1');
    expect((await temp.c.get('/admin/api/keys')).status).toBe(200);
    expect((await ada.c.delete(`/admin/api/users/${nowLast.json.id}`)).json).toEqual({ ok: true });
    expect((await temp.c.get('/admin/api/keys')).status).toBe(401);
    expect((await ada.c.delete(`/admin/api/users/${nowLast.json.id}`)).status).toBe(404);
    // Restore the first account for the other tests' sake.
    expect((await ada.c.patch(`/admin/api/users/${self}`, { role: 'admin' })).status).toBe(200);
    admin = (await loginAs('admin', ADMIN_PASSWORD)).c;
  });

  it('keeps the first account across restarts and upgrades (the console password still opens it)', async () => {
    await h.restart();
    const { response } = await loginAs('admin', ADMIN_PASSWORD);
    expect(response.status).toBe(200);
    const first = client();
    expect((await first.login(ADMIN_PASSWORD)).status).toBe(200);
    expect(((await first.get('/admin/api/users')).json.data as unknown[]).length).toBeGreaterThan(3);
  });

  it('leaked no password in any response or log line', () => {
    const secrets = [ADMIN_PASSWORD, 'olivia-password-1', 'olivia-new-password', 'vera-password-2', 'ada-password-12'];
    expect(findSecrets([...recorded, ...h.logLines], secrets)).toEqual([]);
  });
});
