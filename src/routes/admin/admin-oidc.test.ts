import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startHarness, type Harness } from '../../test-support/gateway-harness.js';
import { freeLoopbackPort, oidcSettingsFor, startOidcTestProvider, type OidcTestProvider } from '../../test-support/oidc-test-provider.js';

/**
 * Single sign-on against a real OpenID Connect provider (oidc-provider on a loopback port),
 * driven like a browser: redirects followed by hand, cookies kept per name (all on 127.0.0.1).
 */
class Browser {
  readonly cookies = new Map<string, string>();

  private keep(response: Response) {
    for (const line of response.headers.getSetCookie()) {
      const [pair, ...attributes] = line.split(';');
      const at = pair!.indexOf('=');
      const name = pair!.slice(0, at).trim();
      const value = pair!.slice(at + 1).trim();
      const expired = attributes.some((a) => /^\s*max-age=0\s*$/i.test(a) || (/^\s*expires=/i.test(a) && Date.parse(a.split('=')[1]!) < Date.now()));
      if (!value || expired) this.cookies.delete(name);
      else this.cookies.set(name, value);
    }
  }

  async request(url: string, init: RequestInit = {}): Promise<Response> {
    const cookie = [...this.cookies].map(([k, v]) => `${k}=${v}`).join('; ');
    const response = await fetch(url, { ...init, redirect: 'manual', headers: { ...(init.headers as Record<string, string>), ...(cookie ? { cookie } : {}) } });
    this.keep(response);
    return response;
  }

  /**
   * From the console's "Sign in with SSO" to the console: follows redirects, types `login`
   * into the identity provider's form. Returns the last gateway answer (a redirect) and the
   * callback URL it went through.
   */
  async signIn(gatewayUrl: string, login: string, options: { stopAtCallback?: boolean } = {}): Promise<{ final: Response; callbackUrl: string | null }> {
    let url = `${gatewayUrl}/admin/auth/oidc/start?next=${encodeURIComponent('/keys')}`;
    let callbackUrl: string | null = null;
    for (let hop = 0; hop < 20; hop++) {
      const response = await this.request(url);
      if (url.startsWith(`${gatewayUrl}/admin/auth/oidc/callback`)) {
        callbackUrl = url;
        return { final: response, callbackUrl };
      }
      const location = response.headers.get('location');
      if (location) {
        const next = new URL(location, url).href;
        if (options.stopAtCallback && next.startsWith(`${gatewayUrl}/admin/auth/oidc/callback`)) return { final: response, callbackUrl: next };
        url = next;
        continue;
      }
      const html = await response.text();
      const action = /<form method="post" action="([^"]+)"/.exec(html)?.[1];
      if (!action) return { final: response, callbackUrl };
      const posted = await this.request(new URL(action, url).href, {
        method: 'POST',
        headers: { 'content-type': 'application/x-www-form-urlencoded' },
        body: new URLSearchParams({ login }).toString(),
      });
      url = new URL(posted.headers.get('location')!, url).href;
    }
    throw new Error('too many redirects');
  }
}

let idp: OidcTestProvider;
let h: Harness;

beforeAll(async () => {
  const port = await freeLoopbackPort();
  const gatewayUrl = `http://127.0.0.1:${port}`;
  idp = await startOidcTestProvider({
    redirectUris: [`${gatewayUrl}/admin/auth/oidc/callback`],
    accounts: {
      'ops-1': { preferred_username: 'olga', name: 'Olga Ops', email: 'olga@example.com', groups: ['staff', 'gw-operators'] },
      'boss-1': { preferred_username: 'admin', email: 'boss@example.com', groups: ['gw-admins'] },
      'guest-1': { preferred_username: 'guest', groups: ['staff'] },
      'pre-1': { preferred_username: 'pat', groups: [] },
    },
  });
  h = await startHarness({ listenPort: port, settings: { adminPassword: 'local-admin-password', oidc: oidcSettingsFor(idp, gatewayUrl) } });
}, 60_000);
afterAll(async () => {
  await h?.close();
  await idp?.close();
});

const me = async (browser: Browser) => (await browser.request(`${h.url}/admin/auth/me`)).json();

describe('single sign-on (OpenID Connect, code + PKCE)', () => {
  it('says on the login page that SSO is available', async () => {
    const info = await (await fetch(`${h.url}/admin/auth/info`)).json();
    expect(info.sso).toEqual({ enabled: true, startUrl: '/admin/auth/oidc/start' });
  });

  it('sends the browser to the provider with PKCE S256, state and nonce, on a Lax one-use cookie', async () => {
    const start = await fetch(`${h.url}/admin/auth/oidc/start`, { redirect: 'manual' });
    expect(start.status).toBe(302);
    const target = new URL(start.headers.get('location')!);
    expect(target.origin).toBe(idp.issuer);
    expect(target.searchParams.get('code_challenge_method')).toBe('S256');
    expect(target.searchParams.get('code_challenge')).toMatch(/^[\w-]{43}$/);
    expect(target.searchParams.get('state')).toBeTruthy();
    expect(target.searchParams.get('nonce')).toBeTruthy();
    expect(target.searchParams.get('redirect_uri')).toBe(`${h.url}/admin/auth/oidc/callback`);
    const cookie = start.headers.getSetCookie().find((c) => c.startsWith('skgw_oidc='))!;
    expect(cookie).toMatch(/HttpOnly/i);
    expect(cookie).toMatch(/SameSite=Lax/i);
    expect(cookie).toMatch(/Path=\/admin\/auth\/oidc/);
  });

  it('creates an account on first login with the role its groups map to, and returns to the page asked for', async () => {
    const browser = new Browser();
    const { final } = await browser.signIn(h.url, 'ops-1');
    expect(final.status).toBe(302);
    expect(final.headers.get('location')).toBe('/admin/keys');
    expect(await me(browser)).toMatchObject({ authenticated: true, user: 'olga', role: 'operator' });
    // The role holds on the API: operator may read keys, not users.
    expect((await browser.request(`${h.url}/admin/api/keys`)).status).toBe(200);
    expect((await browser.request(`${h.url}/admin/api/users`)).status).toBe(403);

    // A second login finds the same account (linked by issuer + subject), not a new one.
    const again = new Browser();
    await again.signIn(h.url, 'ops-1');
    expect(await me(again)).toMatchObject({ user: 'olga', role: 'operator' });
    const admin = new Browser();
    await admin.request(`${h.url}/admin/auth/login`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ password: 'local-admin-password' }) });
    const users = (await (await admin.request(`${h.url}/admin/api/users`)).json()).data as Array<{ username: string; sso: boolean; role: string; displayName: string }>;
    expect(users.filter((u) => u.username.startsWith('olga'))).toEqual([expect.objectContaining({ username: 'olga', sso: true, role: 'operator', displayName: 'Olga Ops' })]);
    // The audit log says the identity provider created it.
    const audit = await (await admin.request(`${h.url}/admin/api/audit`)).json();
    expect(audit.data.find((e: { action: string; target: string }) => e.action === 'user.create' && e.target === 'olga')).toMatchObject({ actor: 'sso' });
  });

  it('never takes over a local password account by name: `admin` from the provider gets its own account', async () => {
    const browser = new Browser();
    await browser.signIn(h.url, 'boss-1');
    const who = await me(browser);
    expect(who).toMatchObject({ authenticated: true, role: 'admin' });
    expect(who.user).not.toBe('admin');
    expect(who.user).toMatch(/^admin-sso/);
  });

  it('links an account an admin created without a password for that name', async () => {
    const admin = new Browser();
    const login = await admin.request(`${h.url}/admin/auth/login`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ password: 'local-admin-password' }) });
    const { csrfToken } = await login.json();
    const created = await admin.request(`${h.url}/admin/api/users`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'x-csrf-token': csrfToken },
      body: JSON.stringify({ username: 'pat', role: 'viewer' }),
    });
    expect(created.status).toBe(201);
    const browser = new Browser();
    await browser.signIn(h.url, 'pre-1');
    // No group maps, the default is deny, but the pre-created account lets pat in with its role.
    expect(await me(browser)).toMatchObject({ authenticated: true, user: 'pat', role: 'viewer' });
  });

  it('denies someone none of whose groups map when the default is deny', async () => {
    const browser = new Browser();
    const { final } = await browser.signIn(h.url, 'guest-1');
    expect(final.headers.get('location')).toBe('/admin/login?sso_error=denied');
    expect(browser.cookies.has('skgw_session')).toBe(false);
    expect((await me(browser)).authenticated).not.toBe(true);
  });

  it('refuses a tampered state, and a callback replayed after use', async () => {
    const browser = new Browser();
    const { callbackUrl } = await browser.signIn(h.url, 'ops-1', { stopAtCallback: true });
    const tampered = new URL(callbackUrl!);
    tampered.searchParams.set('state', 'forged-state');
    const bad = await browser.request(tampered.href);
    expect(bad.headers.get('location')).toBe('/admin/login?sso_error=failed');
    expect(browser.cookies.has('skgw_session')).toBe(false);
    // The pending login was used up by that attempt: the genuine URL no longer works either.
    const replay = await browser.request(callbackUrl!);
    expect(replay.headers.get('location')).toBe('/admin/login?sso_error=expired');
    // Without the flow cookie (another browser), nothing.
    expect((await fetch(callbackUrl!, { redirect: 'manual' })).headers.get('location')).toBe('/admin/login?sso_error=expired');
  });

  it('refuses a disabled SSO account at once, also its open session', async () => {
    const browser = new Browser();
    await browser.signIn(h.url, 'ops-1');
    expect((await browser.request(`${h.url}/admin/api/keys`)).status).toBe(200);
    const admin = new Browser();
    const { csrfToken } = await (
      await admin.request(`${h.url}/admin/auth/login`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ password: 'local-admin-password' }) })
    ).json();
    const olga = ((await (await admin.request(`${h.url}/admin/api/users`)).json()).data as Array<{ id: string; username: string }>).find((u) => u.username === 'olga')!;
    const disabled = await admin.request(`${h.url}/admin/api/users/${olga.id}`, {
      method: 'PATCH',
      headers: { 'content-type': 'application/json', 'x-csrf-token': csrfToken },
      body: JSON.stringify({ disabled: true }),
    });
    expect(disabled.status).toBe(200);
    expect((await browser.request(`${h.url}/admin/api/keys`)).status).toBe(401);
    const { final } = await new Browser().signIn(h.url, 'ops-1');
    expect(final.headers.get('location')).toBe('/admin/login?sso_error=disabled');
  });
});
