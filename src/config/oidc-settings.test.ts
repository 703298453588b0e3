import { describe, expect, it } from 'vitest';
import { parseRoleMap, readOidcSettings } from './oidc-settings.js';

describe('OIDC settings from the environment', () => {
  it('is off without an issuer, and needs a client id and redirect URL with one', () => {
    expect(readOidcSettings({})).toBeNull();
    expect(() => readOidcSettings({ OIDC_ISSUER_URL: 'https://idp.example.com' })).toThrow(/OIDC_CLIENT_ID/);
    expect(() => readOidcSettings({ OIDC_ISSUER_URL: 'not a url', OIDC_CLIENT_ID: 'c', OIDC_REDIRECT_URL: 'https://gw/cb' })).toThrow(/absolute URL/);
  });

  it('reads the role map as pairs or JSON, defaults to deny, and refuses unknown roles', () => {
    const settings = readOidcSettings({
      OIDC_ISSUER_URL: 'https://idp.example.com/realms/x',
      OIDC_CLIENT_ID: 'gateway',
      OIDC_REDIRECT_URL: 'https://gw.example.com/admin/auth/oidc/callback',
      OIDC_ROLE_MAP: 'gw-admins=admin, cn=ops=operator',
    })!;
    expect(settings).toMatchObject({ clientSecret: null, roleClaim: 'groups', defaultRole: 'deny', scopes: 'openid profile email' });
    // The last `=` separates the role, so values with `=` work; values with commas (LDAP DNs) use JSON.
    expect(settings.roleMap).toEqual({ 'gw-admins': 'admin', 'cn=ops': 'operator' });
    expect(parseRoleMap('{"staff":"viewer","cn=ops,ou=groups":"operator"}')).toEqual({ staff: 'viewer', 'cn=ops,ou=groups': 'operator' });
    expect(() => parseRoleMap('staff=root')).toThrow(/OIDC_ROLE_MAP/);
    expect(() => readOidcSettings({ OIDC_ISSUER_URL: 'https://i', OIDC_CLIENT_ID: 'c', OIDC_REDIRECT_URL: 'https://g/cb', OIDC_DEFAULT_ROLE: 'root' })).toThrow(/OIDC_DEFAULT_ROLE/);
  });
});
