import { describe, expect, it } from 'vitest';
import { readRuntimeSettings } from './env.js';

describe('slow-client and proxy settings', () => {
  it('has sensible defaults', () => {
    const settings = readRuntimeSettings({});
    expect(settings).toMatchObject({ headersTimeoutMs: 15_000, bodyTimeoutMs: 60_000, maxConnectionsPerClient: 256, connectionLimitExempt: ['loopback'], trustProxy: false });
    expect(settings.settingWarnings).toEqual([]);
  });

  it('reads the variables and refuses malformed ones', () => {
    const settings = readRuntimeSettings({
      GATEWAY_HEADERS_TIMEOUT_MS: '5000',
      GATEWAY_BODY_TIMEOUT_MS: '30000',
      GATEWAY_MAX_CONNECTIONS_PER_CLIENT: '0',
      GATEWAY_CONNECTION_LIMIT_EXEMPT: '10.0.0.0/8, ::1, loopback',
      GATEWAY_TRUST_PROXY: 'true',
    });
    expect(settings).toMatchObject({ headersTimeoutMs: 5_000, bodyTimeoutMs: 30_000, maxConnectionsPerClient: 0, connectionLimitExempt: ['10.0.0.0/8', '::1', 'loopback'], trustProxy: 1 });
    expect(settings.settingWarnings[0]).toMatch(/GATEWAY_TRUST_PROXY=true is deprecated/);
    expect(readRuntimeSettings({ GATEWAY_TRUST_PROXY: '1' }).settingWarnings).toEqual([]);
    expect(() => readRuntimeSettings({ GATEWAY_CONNECTION_LIMIT_EXEMPT: 'proxy.local' })).toThrow(/GATEWAY_CONNECTION_LIMIT_EXEMPT/);
    // Loopback (a same-host reverse proxy) is exempt unless the operator sets the list, even to nothing.
    expect(readRuntimeSettings({}).connectionLimitExempt).toEqual(['loopback']);
    expect(readRuntimeSettings({ GATEWAY_CONNECTION_LIMIT_EXEMPT: '' }).connectionLimitExempt).toEqual([]);
    expect(() => readRuntimeSettings({ GATEWAY_BODY_TIMEOUT_MS: 'soon' })).toThrow(/GATEWAY_BODY_TIMEOUT_MS/);
  });
});
