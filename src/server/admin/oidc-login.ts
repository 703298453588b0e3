import type * as OpenIdClient from 'openid-client';
import type { Logger } from 'pino';
import { roleAllows, type AdminRole } from '../../core/admin-roles.js';
import type { OidcSettings } from '../../config/oidc-settings.js';
import { normalizeUsername, USERNAME_PATTERN, type AdminUser, type AdminUserRepository } from '../../storage/index.js';
import { isLoopbackHost } from '../lifecycle.js';

/** What the browser carries between /start and /callback (stored server-side, cookie holds an id). */
export interface PendingLogin {
  state: string;
  nonce: string;
  verifier: string;
  next: string;
}

export type SsoFailure = 'denied' | 'disabled' | 'failed';

export class SsoError extends Error {
  constructor(
    readonly reason: SsoFailure,
    message: string,
  ) {
    super(message);
  }
}

/** The audit log's actor for changes the identity provider causes (accounts created, roles synced). */
export const SSO_ACTOR = 'sso';

const claimValues = (value: unknown): string[] =>
  (Array.isArray(value) ? value : typeof value === 'string' ? value.split(/[\s,]+/) : [])
    .filter((v): v is string => typeof v === 'string' && v.length > 0 && v.length <= 200)
    .slice(0, 200);

type Oidc = typeof OpenIdClient;

/**
 * openid-client (with oauth4webapi and jose) is loaded on the first SSO login, not at
 * start-up: most gateways have no SSO configured, and those that do only need it at login.
 */
let loadedClient: Promise<Oidc> | null = null;
const openIdClient = (): Promise<Oidc> =>
  (loadedClient ??= import('openid-client').catch((error: unknown) => {
    // A failed load is retried at the next login rather than remembered.
    loadedClient = null;
    throw error;
  }));

/**
 * OpenID Connect login for the console: authorization code flow with PKCE (S256), state and
 * nonce, through `openid-client`. The provider's metadata is discovered on first use (and
 * again after a failure), so the gateway starts even while the identity provider is down.
 */
export class OidcLogin {
  private config: Promise<{ oidc: Oidc; config: OpenIdClient.Configuration }> | null = null;

  constructor(
    readonly settings: OidcSettings,
    private readonly users: AdminUserRepository,
    private readonly logger: Logger,
  ) {}

  private configuration(): Promise<{ oidc: Oidc; config: OpenIdClient.Configuration }> {
    if (!this.config) {
      const issuer = new URL(this.settings.issuerUrl);
      // Plain http only for an identity provider on this machine (development, tests).
      const insecure = issuer.protocol === 'http:' && isLoopbackHost(issuer.hostname);
      this.config = openIdClient()
        .then(async (oidc) => ({
          oidc,
          config: await oidc.discovery(issuer, this.settings.clientId, this.settings.clientSecret ?? undefined, undefined, {
            ...(insecure ? { execute: [oidc.allowInsecureRequests] } : {}),
            timeout: 10,
          }),
        }))
        .catch((error: unknown) => {
          this.config = null;
          throw error;
        });
    }
    return this.config;
  }

  /** The identity provider's authorization URL, and what the callback must check. */
  async start(next: string): Promise<{ url: string; pending: PendingLogin }> {
    const { oidc, config } = await this.configuration();
    const verifier = oidc.randomPKCECodeVerifier();
    const pending: PendingLogin = { state: oidc.randomState(), nonce: oidc.randomNonce(), verifier, next };
    const url = oidc.buildAuthorizationUrl(config, {
      redirect_uri: this.settings.redirectUrl,
      scope: this.settings.scopes,
      code_challenge: await oidc.calculatePKCECodeChallenge(verifier),
      code_challenge_method: 'S256',
      state: pending.state,
      nonce: pending.nonce,
    });
    return { url: url.href, pending };
  }

  /**
   * Exchanges the code (checking state, nonce and PKCE), maps the claims to a role and
   * finds, links or creates the account. `query` is the callback's query string; the URL
   * is rebuilt from the configured redirect URL, never from the request's Host header.
   */
  async finish(query: string, pending: PendingLogin): Promise<AdminUser> {
    const { oidc, config } = await this.configuration();
    const current = new URL(this.settings.redirectUrl);
    current.search = query;
    let claims: Record<string, unknown>;
    try {
      const tokens = await oidc.authorizationCodeGrant(config, current, {
        pkceCodeVerifier: pending.verifier,
        expectedState: pending.state,
        expectedNonce: pending.nonce,
        idTokenExpected: true,
      });
      claims = { ...(tokens.claims() ?? {}) };
      if (claims[this.settings.roleClaim] === undefined && tokens.access_token) {
        // Some providers put groups only in userinfo.
        const info = await oidc.fetchUserInfo(config, tokens.access_token, String(claims.sub));
        claims = { ...info, ...claims };
      }
    } catch (error) {
      this.logger.warn({ err: { message: (error as Error).message?.slice(0, 300), code: (error as { code?: string }).code } }, 'SSO login failed');
      throw new SsoError('failed', 'The identity provider did not confirm the login.');
    }
    const sub = typeof claims.sub === 'string' ? claims.sub.slice(0, 255) : '';
    if (!sub) throw new SsoError('failed', 'The ID token has no subject.');
    return this.account(`${config.serverMetadata().issuer.slice(0, 300)}|${sub}`, claims);
  }

  /** The highest role the role claim maps to, or null when none of its values is mapped. */
  mappedRole(claims: Record<string, unknown>): AdminRole | null {
    let best: AdminRole | null = null;
    for (const value of claimValues(claims[this.settings.roleClaim])) {
      const role = this.settings.roleMap[value];
      if (role && (!best || roleAllows(role, best))) best = role;
    }
    return best;
  }

  private usernameFrom(claims: Record<string, unknown>, sub: string): string {
    const raw = [claims[this.settings.usernameClaim], claims.email, sub].find((v) => typeof v === 'string' && v.trim()) as string;
    const cleaned = normalizeUsername(raw).replace(/[^a-z0-9._@-]+/g, '-').replace(/^[^a-z0-9]+/, '').slice(0, 56);
    return USERNAME_PATTERN.test(cleaned) ? cleaned : 'sso-user';
  }

  /**
   * Linked account → itself (its role follows the mapping when a value maps); an unlinked
   * account of the same name WITHOUT a password (pre-created for SSO by an admin) → linked;
   * otherwise a new account. A local password account is never taken over by name.
   */
  private async account(subject: string, claims: Record<string, unknown>): Promise<AdminUser> {
    const mapped = this.mappedRole(claims);
    const displayName = typeof claims.name === 'string' ? claims.name.slice(0, 100) : null;
    let user = await this.users.bySubject(subject);
    if (!user) {
      const wanted = this.usernameFrom(claims, subject.split('|').pop()!);
      const sameName = await this.users.byUsername(wanted);
      if (sameName && !sameName.hasPassword && !sameName.oidcSubject) {
        user = await this.users.update(sameName.id, { oidc_subject: subject }, { actor: SSO_ACTOR, action: 'user.sso_link' });
      } else {
        const role = mapped ?? (this.settings.defaultRole === 'deny' ? null : this.settings.defaultRole);
        if (!role) throw new SsoError('denied', 'Your identity provider account has no role in this console.');
        let username = wanted;
        for (let n = 1; await this.users.byUsername(username); n++) username = `${wanted.slice(0, 56)}-sso${n > 1 ? n : ''}`;
        return this.users.create({ username, role, displayName, oidcSubject: subject }, SSO_ACTOR);
      }
    }
    if (user.disabled) throw new SsoError('disabled', 'This account is disabled.');
    if (mapped && mapped !== user.role) user = await this.users.update(user.id, { role: mapped }, { actor: SSO_ACTOR, action: 'user.role' });
    return user;
  }
}
