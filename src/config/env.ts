import { existsSync } from 'node:fs';
import { isIP } from 'node:net';
import { resolve } from 'node:path';
import { config as loadDotenv } from 'dotenv';
import { readOidcSettings, type OidcSettings } from './oidc-settings.js';
import { parseKeyEnvAllow } from './key-env-policy.js';
import { DEFAULT_REASONING_REPLAY, type ReasoningReplaySettings } from '../providers/rules/reasoning-store.js';

/** Runtime settings that come from the environment (and `.env`, which never overrides it). */
export interface RuntimeSettings {
  host: string;
  port: number;
  configDir: string;
  dataDir: string;
  platformName: string;
  masterKey: string | null;
  adminPassword: string | null;
  databaseUrl: string | null;
  /** PostgreSQL schema for the gateway's tables (GATEWAY_DATABASE_SCHEMA); null: the connection's search_path. */
  databaseSchema: string | null;
  /** PostgreSQL connections per instance (GATEWAY_DATABASE_POOL_MAX). */
  databasePoolMax: number;
  redisUrl: string | null;
  /** Prefix of the gateway's shared keys and channel in Redis (GATEWAY_REDIS_PREFIX). */
  redisPrefix: string;
  bodyLimitBytes: number;
  logLevel: string;
  /**
   * Fastify `trustProxy`: false, a hop count, or a comma-separated list of proxy addresses/CIDRs
   * (GATEWAY_TRUST_PROXY). Never `true`: trusting every hop lets a client forge X-Forwarded-For.
   */
  trustProxy: false | number | string;
  /** Problems with settings that still work (deprecated forms), logged once at start. */
  settingWarnings: string[];
  /** Request headers must arrive within this (GATEWAY_HEADERS_TIMEOUT_MS). */
  headersTimeoutMs: number;
  /** The whole request, body included, must arrive within this (GATEWAY_BODY_TIMEOUT_MS). */
  bodyTimeoutMs: number;
  /** Open connections per client address before authentication (GATEWAY_MAX_CONNECTIONS_PER_CLIENT; 0 = no cap). */
  maxConnectionsPerClient: number;
  /** Addresses/CIDRs the per-client cap does not apply to (GATEWAY_CONNECTION_LIMIT_EXEMPT), e.g. a reverse proxy. */
  connectionLimitExempt: string[];
  /** Patterns a provider's `api_key_env` may match (GATEWAY_PROVIDER_KEY_ENV_ALLOW; src/config/key-env-policy.ts). */
  providerKeyEnvAllow: string[];
  timeouts: { connect: number; firstByte: number; idle: number; total: number };
  /** Days usage rows are kept (GATEWAY_USAGE_RETENTION_DAYS, default 30; 0: forever). Hourly roll-ups stay a year. */
  usageRetentionDays: number;
  /**
   * After a client hangs up mid-answer, how long the upstream is still read for the
   * vendor's usage (GATEWAY_DISCONNECT_GRACE_MS); 0 stops at once and estimates.
   */
  disconnectGraceMs: number;
  /** How many days stored Responses API responses are kept (GATEWAY_RESPONSES_RETENTION_DAYS); 0 turns storing off. */
  responsesRetentionDays: number;
  /** Single sign-on for the console (OIDC_*); null when not configured. */
  oidc: OidcSettings | null;
  /** Set only by `serve --demo` (src/demo): the console shows a "demo mode" banner. */
  demo?: boolean;
  /**
   * Re-check delays for a pool key taken out of rotation (GATEWAY_KEY_RECHECK_MS, a comma
   * list; the last step repeats). Empty: 30 s, 1, 2, 5, 15, 30 min.
   */
  keyRecheckMs: number[];
  /**
   * Reasoning replay for vendors that need it (src/providers/rules/reasoning-store.ts):
   * GATEWAY_REASONING_REPLAY_ENTRIES (0 turns it off), _MAX_BYTES, _TTL_MS.
   */
  reasoningReplay?: ReasoningReplaySettings;
}

const intFrom = (value: string | undefined, fallback: number, name: string): number => {
  if (value === undefined || value.trim() === '') return fallback;
  const parsed = Number(value);
  if (!Number.isFinite(parsed) || parsed < 0) throw new Error(`${name} must be a non-negative number, got "${value}"`);
  return Math.floor(parsed);
};

/** Address or CIDR (`10.0.0.0/8`, `fd00::/8`) or one of proxy-addr's names. */
const isAddressOrCidr = (value: string): boolean => {
  if (['loopback', 'linklocal', 'uniquelocal'].includes(value)) return true;
  const [address, bits, ...rest] = value.split('/');
  const family = isIP(address ?? '');
  if (family === 0 || rest.length > 0) return false;
  if (bits === undefined) return true;
  const n = Number(bits);
  return /^\d{1,3}$/.test(bits) && n >= 0 && n <= (family === 4 ? 32 : 128);
};

export const parseAddressList = (value: string | undefined, name: string): string[] => {
  const items = (value ?? '').split(',').map((item) => item.trim()).filter(Boolean);
  for (const item of items) {
    if (!isAddressOrCidr(item)) throw new Error(`${name}: "${item}" is not an IP address or CIDR (e.g. 10.0.0.1, 10.0.0.0/8, loopback)`);
  }
  return items;
};

/**
 * GATEWAY_TRUST_PROXY: a hop count (`1`: one proxy in front) or the proxies' addresses/CIDRs.
 * `true` used to mean "trust every hop", which let any client pick its own address; it now
 * means one hop, with a warning.
 */
export const parseTrustProxy = (value: string | undefined, warnings: string[] = []): false | number | string => {
  const text = value?.trim() ?? '';
  if (text === '' || text === 'false' || text === '0') return false;
  if (text.toLowerCase() === 'true') {
    warnings.push(
      'GATEWAY_TRUST_PROXY=true is deprecated and now means one proxy hop; set the hop count (1) or the proxy addresses (e.g. 10.0.0.5 or 10.0.0.0/8) instead.',
    );
    return 1;
  }
  if (/^\d+$/.test(text)) return Math.min(Number(text), 32);
  return parseAddressList(text, 'GATEWAY_TRUST_PROXY').join(',');
};

export const loadDotenvFile = (cwd = process.cwd()) => {
  const path = resolve(cwd, '.env');
  // dotenv never overrides variables that are already set: the real environment wins.
  if (existsSync(path)) loadDotenv({ path, quiet: true });
};

export const readRuntimeSettings = (
  env: NodeJS.ProcessEnv = process.env,
  overrides: Partial<RuntimeSettings> = {},
): RuntimeSettings => {
  const settingWarnings: string[] = [];
  const settings: RuntimeSettings = {
    host: env.HOST?.trim() || '127.0.0.1',
    port: intFrom(env.PORT, 8000, 'PORT'),
    configDir: resolve(env.GATEWAY_CONFIG_DIR?.trim() || 'config'),
    dataDir: resolve(env.GATEWAY_DATA_DIR?.trim() || 'data'),
    platformName: env.PLATFORM_NAME?.trim() || '大模型统一管理平台',
    masterKey: env.GATEWAY_MASTER_KEY?.trim() || null,
    adminPassword: env.ADMIN_PASSWORD?.trim() || null,
    databaseUrl: env.DATABASE_URL?.trim() || null,
    databaseSchema: env.GATEWAY_DATABASE_SCHEMA?.trim() || null,
    databasePoolMax: Math.max(1, intFrom(env.GATEWAY_DATABASE_POOL_MAX, 10, 'GATEWAY_DATABASE_POOL_MAX')),
    redisUrl: env.REDIS_URL?.trim() || null,
    redisPrefix: env.GATEWAY_REDIS_PREFIX?.trim() || 'skgw:',
    bodyLimitBytes: intFrom(env.GATEWAY_BODY_LIMIT_BYTES, 20 * 1024 * 1024, 'GATEWAY_BODY_LIMIT_BYTES'),
    logLevel: env.LOG_LEVEL?.trim() || 'info',
    trustProxy: parseTrustProxy(env.GATEWAY_TRUST_PROXY, settingWarnings),
    settingWarnings,
    headersTimeoutMs: intFrom(env.GATEWAY_HEADERS_TIMEOUT_MS, 15_000, 'GATEWAY_HEADERS_TIMEOUT_MS'),
    bodyTimeoutMs: intFrom(env.GATEWAY_BODY_TIMEOUT_MS, 60_000, 'GATEWAY_BODY_TIMEOUT_MS'),
    maxConnectionsPerClient: intFrom(env.GATEWAY_MAX_CONNECTIONS_PER_CLIENT, 256, 'GATEWAY_MAX_CONNECTIONS_PER_CLIENT'),
    // Loopback is exempt unless the operator says otherwise: a reverse proxy on the same host
    // (or a local benchmark) arrives from 127.0.0.1 and would otherwise share one cap.
    connectionLimitExempt:
      env.GATEWAY_CONNECTION_LIMIT_EXEMPT === undefined
        ? ['loopback']
        : parseAddressList(env.GATEWAY_CONNECTION_LIMIT_EXEMPT, 'GATEWAY_CONNECTION_LIMIT_EXEMPT'),
    providerKeyEnvAllow: parseKeyEnvAllow(env.GATEWAY_PROVIDER_KEY_ENV_ALLOW),
    timeouts: {
      connect: intFrom(env.GATEWAY_CONNECT_TIMEOUT_MS, 10_000, 'GATEWAY_CONNECT_TIMEOUT_MS'),
      firstByte: intFrom(env.GATEWAY_FIRST_BYTE_TIMEOUT_MS, 120_000, 'GATEWAY_FIRST_BYTE_TIMEOUT_MS'),
      idle: intFrom(env.GATEWAY_IDLE_TIMEOUT_MS, 120_000, 'GATEWAY_IDLE_TIMEOUT_MS'),
      total: intFrom(env.GATEWAY_TOTAL_TIMEOUT_MS, 900_000, 'GATEWAY_TOTAL_TIMEOUT_MS'),
    },
    usageRetentionDays: intFrom(env.GATEWAY_USAGE_RETENTION_DAYS, 30, 'GATEWAY_USAGE_RETENTION_DAYS'),
    disconnectGraceMs: intFrom(env.GATEWAY_DISCONNECT_GRACE_MS, 3_000, 'GATEWAY_DISCONNECT_GRACE_MS'),
    responsesRetentionDays: intFrom(env.GATEWAY_RESPONSES_RETENTION_DAYS, 30, 'GATEWAY_RESPONSES_RETENTION_DAYS'),
    oidc: readOidcSettings(env),
    keyRecheckMs: (env.GATEWAY_KEY_RECHECK_MS ?? '')
      .split(',')
      .filter((part) => part.trim() !== '')
      .map((part) => Math.max(100, intFrom(part, 30_000, 'GATEWAY_KEY_RECHECK_MS'))),
    reasoningReplay: {
      entries: intFrom(env.GATEWAY_REASONING_REPLAY_ENTRIES, DEFAULT_REASONING_REPLAY.entries, 'GATEWAY_REASONING_REPLAY_ENTRIES'),
      maxBytes: intFrom(env.GATEWAY_REASONING_REPLAY_MAX_BYTES, DEFAULT_REASONING_REPLAY.maxBytes, 'GATEWAY_REASONING_REPLAY_MAX_BYTES'),
      ttlMs: intFrom(env.GATEWAY_REASONING_REPLAY_TTL_MS, DEFAULT_REASONING_REPLAY.ttlMs, 'GATEWAY_REASONING_REPLAY_TTL_MS'),
    },
  };
  return { ...settings, ...overrides };
};
