/**
 * Which environment variables a provider's `api_key_env` may name. The gateway sends
 * that variable's value to the provider's base URL as a Bearer token, so naming
 * `GATEWAY_MASTER_KEY` or `ADMIN_PASSWORD` there and pointing the provider at any host
 * would hand the gateway's own secrets to that host.
 *
 * - Reserved names (the gateway's own settings and secrets, the process environment)
 *   are refused everywhere: the config folder, the provider API, config import, and
 *   they are never read for a provider even if one was stored earlier.
 * - Otherwise a name must be used by the config folder (`models.yaml`, written by the
 *   operator) or match the operator's allow-list `GATEWAY_PROVIDER_KEY_ENV_ALLOW`
 *   (glob patterns separated by commas or spaces; default `*_API_KEY`).
 */

export const DEFAULT_KEY_ENV_ALLOW: readonly string[] = ['*_API_KEY'];

const RESERVED_PREFIXES = ['GATEWAY_', 'PG', 'NPM_', 'NODE_', 'LD_', 'DYLD_', 'SSH_', 'XDG_', 'DATABASE_', 'REDIS_'];
const RESERVED_NAMES = new Set([
  // The gateway's own settings and secrets (docs/configuration.md, Environment).
  'ADMIN_PASSWORD',
  'DATABASE_URL',
  'REDIS_URL',
  'HOST',
  'PORT',
  'LOG_LEVEL',
  'PLATFORM_NAME',
  // The process environment.
  'HOME',
  'PATH',
  'USER',
  'LOGNAME',
  'SHELL',
  'PWD',
  'OLDPWD',
  'TMPDIR',
  'TEMP',
  'TMP',
  'HOSTNAME',
  'LANG',
  'TZ',
  'TERM',
  'MAIL',
]);

/** One of the gateway's own variables, or the process environment's (case-insensitive). */
export const isReservedKeyEnv = (name: string): boolean => {
  const upper = name.trim().toUpperCase();
  return RESERVED_NAMES.has(upper) || RESERVED_PREFIXES.some((prefix) => upper.startsWith(prefix)) || upper.startsWith('LC_');
};

/** `GATEWAY_PROVIDER_KEY_ENV_ALLOW` → patterns; unset or blank → the default. */
export const parseKeyEnvAllow = (value: string | undefined): string[] => {
  const patterns = (value ?? '').split(/[\s,]+/).filter(Boolean);
  return patterns.length > 0 ? patterns : [...DEFAULT_KEY_ENV_ALLOW];
};

const globToRegExp = (pattern: string): RegExp =>
  new RegExp(`^${pattern.replace(/[.+^${}()|[\]\\]/g, '\\$&').replace(/\*/g, '.*').replace(/\?/g, '.')}$`, 'i');

export interface KeyEnvPolicy {
  /** Null when `name` may be used, else why not (a sentence naming the variable). */
  check(name: string): string | null;
}

export const createKeyEnvPolicy = (options: { allow?: readonly string[]; configNames?: Iterable<string | null> }): KeyEnvPolicy => {
  const allow = (options.allow && options.allow.length > 0 ? options.allow : DEFAULT_KEY_ENV_ALLOW).map(globToRegExp);
  const configured = new Set([...(options.configNames ?? [])].filter((n): n is string => !!n));
  const patterns = (options.allow && options.allow.length > 0 ? options.allow : DEFAULT_KEY_ENV_ALLOW).join(', ');
  return {
    check(name) {
      const shown = name.slice(0, 100);
      if (isReservedKeyEnv(name)) {
        return `api_key_env "${shown}" names one of the gateway's own or the system's variables; a provider's key must be in a variable meant for it (e.g. ACME_API_KEY)`;
      }
      if (configured.has(name) || allow.some((re) => re.test(name))) return null;
      return `api_key_env "${shown}" is not a provider key variable: use one the config folder uses or one matching GATEWAY_PROVIDER_KEY_ENV_ALLOW (${patterns})`;
    },
  };
};
