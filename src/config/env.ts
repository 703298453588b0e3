import { existsSync } from 'node:fs';
import { resolve } from 'node:path';
import { config as loadDotenv } from 'dotenv';
import { readOidcSettings, type OidcSettings } from './oidc-settings.js';

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
  bodyLimitBytes: number;
  logLevel: string;
  trustProxy: boolean;
  timeouts: { connect: number; firstByte: number; idle: number; total: number };
  /**
   * After a client hangs up mid-answer, how long the upstream is still read for the
   * vendor's usage (GATEWAY_DISCONNECT_GRACE_MS); 0 stops at once and estimates.
   */
  disconnectGraceMs: number;
  /** Single sign-on for the console (OIDC_*); null when not configured. */
  oidc: OidcSettings | null;
}

const intFrom = (value: string | undefined, fallback: number, name: string): number => {
  if (value === undefined || value.trim() === '') return fallback;
  const parsed = Number(value);
  if (!Number.isFinite(parsed) || parsed < 0) throw new Error(`${name} must be a non-negative number, got "${value}"`);
  return Math.floor(parsed);
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
    bodyLimitBytes: intFrom(env.GATEWAY_BODY_LIMIT_BYTES, 20 * 1024 * 1024, 'GATEWAY_BODY_LIMIT_BYTES'),
    logLevel: env.LOG_LEVEL?.trim() || 'info',
    trustProxy: env.GATEWAY_TRUST_PROXY === 'true' || env.GATEWAY_TRUST_PROXY === '1',
    timeouts: {
      connect: intFrom(env.GATEWAY_CONNECT_TIMEOUT_MS, 10_000, 'GATEWAY_CONNECT_TIMEOUT_MS'),
      firstByte: intFrom(env.GATEWAY_FIRST_BYTE_TIMEOUT_MS, 120_000, 'GATEWAY_FIRST_BYTE_TIMEOUT_MS'),
      idle: intFrom(env.GATEWAY_IDLE_TIMEOUT_MS, 120_000, 'GATEWAY_IDLE_TIMEOUT_MS'),
      total: intFrom(env.GATEWAY_TOTAL_TIMEOUT_MS, 900_000, 'GATEWAY_TOTAL_TIMEOUT_MS'),
    },
    disconnectGraceMs: intFrom(env.GATEWAY_DISCONNECT_GRACE_MS, 3_000, 'GATEWAY_DISCONNECT_GRACE_MS'),
    oidc: readOidcSettings(env),
  };
  return { ...settings, ...overrides };
};
