import { ADMIN_ROLES, isAdminRole, type AdminRole } from '../core/admin-roles.js';

/** Single sign-on for the admin console (OpenID Connect), from OIDC_* variables. */
export interface OidcSettings {
  issuerUrl: string;
  clientId: string;
  clientSecret: string | null;
  /** Where the identity provider sends the browser back: https://<gateway>/admin/auth/oidc/callback */
  redirectUrl: string;
  scopes: string;
  /** The ID-token (or userinfo) claim that decides the role, e.g. `groups` or `roles`. */
  roleClaim: string;
  /** Claim value → role; the highest role any value maps to wins. */
  roleMap: Record<string, AdminRole>;
  /** For people none of whose values map: a role, or `deny` (no console access). */
  defaultRole: AdminRole | 'deny';
  /** The claim the account name is made from (falls back to email, then sub). */
  usernameClaim: string;
}

/** `value=role` pairs separated by commas (or a JSON object), e.g. `gw-admins=admin,gw-ops=operator`. */
export const parseRoleMap = (text: string | undefined): Record<string, AdminRole> => {
  const map: Record<string, AdminRole> = {};
  const raw = text?.trim();
  if (!raw) return map;
  const pairs: Array<[string, unknown]> = raw.startsWith('{')
    ? Object.entries(JSON.parse(raw) as Record<string, unknown>)
    : raw.split(',').map((pair) => {
        const at = pair.lastIndexOf('=');
        return [pair.slice(0, at).trim(), pair.slice(at + 1).trim()];
      });
  for (const [value, role] of pairs) {
    if (!value || !isAdminRole(role)) throw new Error(`OIDC_ROLE_MAP: "${value}=${String(role)}" needs a claim value and one of ${ADMIN_ROLES.join(', ')}`);
    map[value] = role;
  }
  return map;
};

export const readOidcSettings = (env: NodeJS.ProcessEnv): OidcSettings | null => {
  const issuerUrl = env.OIDC_ISSUER_URL?.trim();
  if (!issuerUrl) return null;
  const clientId = env.OIDC_CLIENT_ID?.trim();
  const redirectUrl = env.OIDC_REDIRECT_URL?.trim();
  if (!clientId || !redirectUrl) throw new Error('OIDC_ISSUER_URL is set, so OIDC_CLIENT_ID and OIDC_REDIRECT_URL are needed too');
  for (const [name, value] of [['OIDC_ISSUER_URL', issuerUrl], ['OIDC_REDIRECT_URL', redirectUrl]] as const) {
    if (!URL.canParse(value)) throw new Error(`${name} must be an absolute URL, got "${value}"`);
  }
  const defaultRole = env.OIDC_DEFAULT_ROLE?.trim() || 'deny';
  if (defaultRole !== 'deny' && !isAdminRole(defaultRole)) throw new Error(`OIDC_DEFAULT_ROLE must be deny or one of ${ADMIN_ROLES.join(', ')}`);
  return {
    issuerUrl,
    clientId,
    clientSecret: env.OIDC_CLIENT_SECRET?.trim() || null,
    redirectUrl,
    scopes: env.OIDC_SCOPES?.trim() || 'openid profile email',
    roleClaim: env.OIDC_ROLE_CLAIM?.trim() || 'groups',
    roleMap: parseRoleMap(env.OIDC_ROLE_MAP),
    defaultRole,
    usernameClaim: env.OIDC_USERNAME_CLAIM?.trim() || 'preferred_username',
  };
};
