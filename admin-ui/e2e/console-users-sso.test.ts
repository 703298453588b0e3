import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { freeLoopbackPort, oidcSettingsFor, startOidcTestProvider, type OidcTestProvider } from '../../src/test-support/oidc-test-provider.js';
import { newContext, screenshot, skipBrowserSuites } from './support/browser.js';
import { ADMIN_PASSWORD, useConsoleSuite } from './support/console-suite.js';

const TIMEOUT = 60_000;

// The identity provider must know the gateway's callback before either starts: fix the port.
const port = await freeLoopbackPort();
const gatewayUrl = `http://127.0.0.1:${port}`;
let idp: OidcTestProvider;

beforeAll(async () => {
  idp = await startOidcTestProvider({
    redirectUris: [`${gatewayUrl}/admin/auth/oidc/callback`],
    accounts: { 'ops-7': { preferred_username: 'sso.operator', name: 'Sso Operator', groups: ['gw-operators'] } },
  });
});
afterAll(async () => idp?.close());

describe.skipIf(skipBrowserSuites)('admin console in Chromium: users, roles and single sign-on', () => {
  // The provider's issuer is only known once it listens; the harness reads settings at boot,
  // which happens in the suite's beforeAll (after ours above).
  const s = useConsoleSuite({
    harness: {
      listenPort: port,
      get settings() {
        return { oidc: oidcSettingsFor(idp, gatewayUrl) };
      },
    },
  });

  it('signs in with a user name, adds a viewer on the Users page and changes its role', { timeout: TIMEOUT }, async () => {
    const { page } = s;
    await page.goto(s.admin('/login'));
    await page.getByTestId('login-sso').waitFor();
    expect(await page.getByTestId('login-username').inputValue()).toBe('admin');
    await page.getByTestId('login-password').fill(ADMIN_PASSWORD);
    await page.getByTestId('login-submit').click();
    await page.getByTestId('nav-users').click();
    await page.getByTestId('users-table').waitFor();
    expect(await page.getByTestId('account-name').textContent()).toBe('admin');
    await page.getByTestId('user-row-admin').waitFor();

    await page.getByTestId('create-user-button').click();
    await page.getByTestId('user-username').fill('vic');
    await page.getByTestId('user-display-name').fill('Vic Viewer');
    await page.getByTestId('user-password').fill('vic-password-1');
    await page.getByTestId('user-submit').click();
    await page.getByTestId('user-row-vic').waitFor();
    await screenshot(page, 'users');

    // Role to operator through the select, then back to viewer via the API check.
    await page.getByTestId('user-role-vic').click();
    await page.getByRole('option', { name: 'Operator' }).click();
    await expect
      .poll(async () => ((await (await s.context.request.get(`${s.harness.url}/admin/api/users`)).json()).data as Array<{ username: string; role: string }>).find((u) => u.username === 'vic')?.role)
      .toBe('operator');
    await page.getByTestId('user-role-vic').click();
    await page.getByRole('option', { name: 'Viewer' }).click();
    await expect
      .poll(async () => ((await (await s.context.request.get(`${s.harness.url}/admin/api/users`)).json()).data as Array<{ username: string; role: string }>).find((u) => u.username === 'vic')?.role)
      .toBe('viewer');
  });

  it('shows a viewer only what it may read, with no edit buttons, in Chinese too', { timeout: TIMEOUT }, async () => {
    const viewerContext = await newContext(s.browser, { locale: 'zh-CN' });
    try {
      const page = await viewerContext.newPage();
      page.setDefaultTimeout(15_000);
      await page.goto(s.admin('/login'));
      await page.getByTestId('login-username').fill('vic');
      await page.getByTestId('login-password').fill('vic-password-1');
      await page.getByTestId('login-submit').click();
      await page.getByTestId('navbar').waitFor();
      expect(await page.getByTestId('account-name').textContent()).toBe('vic');
      expect(await page.getByTestId('account-role').textContent()).toBe('只读');
      await page.getByTestId('nav-keys').waitFor();
      expect(await page.getByTestId('nav-users').count()).toBe(0);
      expect(await page.getByTestId('nav-playground').count()).toBe(0);
      await page.getByTestId('nav-keys').click();
      await page.getByTestId('page-title').waitFor();
      expect(await page.getByTestId('create-key-button').count()).toBe(0);
      await page.getByTestId('nav-providers').click();
      await page.waitForURL(/\/admin\/providers$/);
      await page.getByTestId('page-title').filter({ hasText: await page.evaluate(() => document.querySelector('[data-testid="nav-providers"]')?.textContent ?? '') }).waitFor();
      expect(await page.getByTestId('add-provider-button').count()).toBe(0);
      // Typing the URL does not open the Users page either.
      await page.goto(s.admin('/users'));
      await page.waitForURL(/\/admin\/?$/);
      await screenshot(page, 'viewer-dashboard');

      // The admin disables vic: the open console loses its session at once.
      const vic = ((await (await s.context.request.get(`${s.harness.url}/admin/api/users`)).json()).data as Array<{ id: string; username: string }>).find((u) => u.username === 'vic')!;
      await s.page.getByTestId('user-enabled-vic').click();
      await expect
        .poll(async () => ((await (await s.context.request.get(`${s.harness.url}/admin/api/users`)).json()).data as Array<{ id: string; disabled: boolean }>).find((u) => u.id === vic.id)?.disabled)
        .toBe(true);
      const probe = await page.request.get(`${s.harness.url}/admin/api/keys`);
      expect(probe.status()).toBe(401);
    } finally {
      await viewerContext.close();
    }
  });

  it('signs in with SSO end to end: the identity provider login page, back to the console as an operator', { timeout: TIMEOUT }, async () => {
    const context = await newContext(s.browser);
    try {
      const page = await context.newPage();
      page.setDefaultTimeout(15_000);
      await page.goto(s.admin('/login?next=%2Fkeys'));
      await page.getByTestId('login-sso').click();
      // The real provider's login page (its form, on its origin).
      await page.waitForURL((url) => url.origin === idp.issuer);
      await page.locator('#login').fill('ops-7');
      await page.locator('#sign-in').click();
      await page.waitForURL(`${s.harness.url}/admin/keys`);
      await page.getByTestId('account-name').waitFor();
      expect(await page.getByTestId('account-name').textContent()).toBe('sso.operator');
      expect(await page.getByTestId('account-role').textContent()).toBe('Operator');
      // An operator edits keys but has no Users page.
      await page.getByTestId('create-key-button').waitFor();
      expect(await page.getByTestId('nav-users').count()).toBe(0);
      await screenshot(page, 'sso-operator');
    } finally {
      await context.close();
    }
  });
});
