import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import Provider from 'oidc-provider';
import type { OidcSettings } from '../config/oidc-settings.js';

/**
 * A REAL OpenID Connect provider for tests: `oidc-provider` (the certified implementation)
 * on a loopback port, in-process. Only its login page is ours: a plain HTML form where a
 * person (or Chromium in the browser tests) types one of the `accounts` below; consent is
 * granted at once. Tokens, PKCE, state, nonce, signatures and discovery are the library's.
 */
export interface TestIdentity {
  name?: string;
  email?: string;
  preferred_username?: string;
  groups?: string[];
}

export interface OidcTestProvider {
  issuer: string;
  clientId: string;
  clientSecret: string;
  /** Accounts that can sign in, by login name (the `sub`); mutable between logins. */
  accounts: Map<string, TestIdentity>;
  close(): Promise<void>;
}

const readForm = async (req: IncomingMessage): Promise<URLSearchParams> => {
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  return new URLSearchParams(Buffer.concat(chunks).toString('utf8'));
};

const html = (res: ServerResponse, status: number, body: string) => {
  res.writeHead(status, { 'content-type': 'text/html; charset=utf-8' });
  res.end(`<!doctype html><html><head><title>Test IdP</title></head><body>${body}</body></html>`);
};

/** A loopback port free right now (for a gateway whose SSO redirect URL must be known up front). */
export const freeLoopbackPort = async (): Promise<number> => {
  const probe = createServer();
  await new Promise<void>((resolve) => probe.listen(0, '127.0.0.1', resolve));
  const { port } = probe.address() as AddressInfo;
  await new Promise<void>((resolve) => probe.close(() => resolve()));
  return port;
};

/** The gateway's OIDC settings for this provider (role claim `groups`). */
export const oidcSettingsFor = (idp: OidcTestProvider, gatewayUrl: string, overrides: Partial<OidcSettings> = {}): OidcSettings => ({
  issuerUrl: idp.issuer,
  clientId: idp.clientId,
  clientSecret: idp.clientSecret,
  redirectUrl: `${gatewayUrl}/admin/auth/oidc/callback`,
  scopes: 'openid profile email',
  roleClaim: 'groups',
  roleMap: { 'gw-admins': 'admin', 'gw-operators': 'operator' },
  defaultRole: 'deny',
  usernameClaim: 'preferred_username',
  ...overrides,
});

export const startOidcTestProvider = async (options: { redirectUris: string[]; accounts?: Record<string, TestIdentity> }): Promise<OidcTestProvider> => {
  const accounts = new Map(Object.entries(options.accounts ?? {}));
  const clientId = 'skgw-console';
  const clientSecret = 'test-client-secret-0123456789abcdef';
  let server: Server | null = null;
  server = createServer();
  await new Promise<void>((resolve) => server!.listen(0, '127.0.0.1', resolve));
  const issuer = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;

  const provider = new Provider(issuer, {
    clients: [
      {
        client_id: clientId,
        client_secret: clientSecret,
        redirect_uris: options.redirectUris,
        response_types: ['code'],
        grant_types: ['authorization_code'],
        token_endpoint_auth_method: 'client_secret_post',
      },
    ],
    claims: { openid: ['sub'], profile: ['name', 'preferred_username', 'groups'], email: ['email'] },
    scopes: ['openid', 'profile', 'email'],
    features: { devInteractions: { enabled: false } },
    interactions: { url: (_ctx: unknown, interaction: { uid: string }) => `/interaction/${interaction.uid}` },
    cookies: { keys: ['oidc-test-provider-cookie-key'] },
    ttl: { Interaction: 600, Session: 3600, Grant: 3600, AccessToken: 600, IdToken: 600, AuthorizationCode: 60 },
    findAccount: async (_ctx: unknown, id: string) => {
      const identity = accounts.get(id);
      if (!identity) return undefined;
      return { accountId: id, claims: async () => ({ sub: id, ...identity }) };
    },
  });
  // Quiet: the library warns about its development keys, which is what a test wants.
  provider.on('server_error', (_ctx: unknown, error: unknown) => console.error('oidc test provider error', error));
  const callback = provider.callback();

  server.on('request', async (req: IncomingMessage, res: ServerResponse) => {
    const match = /^\/interaction\/([\w-]+)(\/login)?$/.exec((req.url ?? '').split('?')[0]!);
    if (!match) return void callback(req, res);
    try {
      const details = await provider.interactionDetails(req, res);
      if (match[2] && req.method === 'POST') {
        const login = (await readForm(req)).get('login')?.trim() ?? '';
        if (!accounts.has(login)) return html(res, 200, `<p id="error">Unknown user</p>${loginForm(details.uid)}`);
        return void (await provider.interactionFinished(req, res, { login: { accountId: login } }, { mergeWithLastSubmission: false }));
      }
      if (details.prompt.name === 'login') return html(res, 200, loginForm(details.uid));
      // Consent: grant what was asked.
      const grant = new provider.Grant({ accountId: details.session!.accountId, clientId: String(details.params.client_id) });
      const missing = details.prompt.details as { missingOIDCScope?: string[]; missingOIDCClaims?: string[] };
      if (missing.missingOIDCScope) grant.addOIDCScope(missing.missingOIDCScope.join(' '));
      if (missing.missingOIDCClaims) grant.addOIDCClaims(missing.missingOIDCClaims);
      const grantId = await grant.save();
      await provider.interactionFinished(req, res, { consent: { grantId } }, { mergeWithLastSubmission: true });
    } catch (error) {
      html(res, 400, `<p id="error">${String((error as Error).message).replace(/[<>&]/g, '')}</p>`);
    }
  });

  return {
    issuer,
    clientId,
    clientSecret,
    accounts,
    close: () => new Promise<void>((resolve) => (server ? server.close(() => resolve()) : resolve())),
  };
};

const loginForm = (uid: string) =>
  `<form method="post" action="/interaction/${uid}/login"><label>User <input name="login" id="login" autofocus></label>` +
  `<button type="submit" id="sign-in">Sign in</button></form>`;
