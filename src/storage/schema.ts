import type { Generated, Insertable, Selectable } from 'kysely';

/**
 * Table types shared by both dialects. Timestamps are epoch milliseconds stored as
 * `bigint` (numbers in JS: the PostgreSQL pool parses int8/numeric to numbers),
 * JSON is stored as text and booleans as integer 0/1, so one set of queries runs
 * unchanged on SQLite and PostgreSQL.
 */
export interface StateVersionTable {
  id: number;
  version: number;
}

export interface SettingsTable {
  key: string;
  /** JSON text. */
  value: string;
  updated_at: number;
}

export interface ConfigOverlayTable {
  /** 'provider' | 'model' */
  kind: string;
  /** Provider name, or model key `provider/name`. */
  key: string;
  /** JSON object text: an override patch, a full definition, or `{}` when deleted. */
  data: string;
  deleted: number;
  updated_at: number;
}

export interface ConfigAuditTable {
  id: Generated<number>;
  version: number;
  time: number;
  actor: string;
  action: string;
  target: string;
  /** JSON text: `{changes: [{kind, key, before, after}]}`. */
  diff: string;
  /** JSON text: the whole overlay (and active models) after the change. */
  snapshot: string;
}

export interface ProviderKeysTable {
  provider: string;
  /** AES-256-GCM sealed key (`v1:iv:tag:ciphertext`). */
  sealed: string;
  last4: string;
  updated_at: number;
}

export interface ApiKeysTable {
  id: string;
  name: string;
  /** sha256 hex of the secret; the secret itself is never stored. */
  key_hash: string;
  last4: string;
  created_at: number;
  updated_at: number;
  expires_at: number | null;
  revoked_at: number | null;
  /** JSON array text or null (all models allowed). */
  allowed_models: string | null;
  rpm_limit: number | null;
  tpm_limit: number | null;
  budget_amount: number | null;
  budget_period: string | null;
  /** ISO 4217 code of the budget; null means USD. */
  budget_currency: string | null;
  last_used_at: number | null;
  /** The team whose budget and limits cap this key (0009). */
  team_id: Generated<string | null>;
}

export interface UsageRecordsTable {
  id: string;
  request_id: string;
  time: number;
  key_id: string | null;
  key_name: string | null;
  model: string;
  provider: string;
  status: number;
  error_code: string | null;
  /** Input tokens at the full input price: cache reads and writes are not in it. */
  prompt_tokens: number;
  /** Output tokens, reasoning included. */
  completion_tokens: number;
  /** prompt + cache read + cache write + completion. */
  total_tokens: number;
  tokens_estimated: number;
  cache_read_tokens: Generated<number>;
  cache_write_tokens: Generated<number>;
  /** Part of completion_tokens. */
  reasoning_tokens: Generated<number>;
  /** In `currency` (the model's pricing currency); costs in different currencies are never summed. */
  cost: number;
  currency: Generated<string>;
  /** Client protocol: openai-chat, anthropic-messages, openai-responses, gemini. */
  protocol: Generated<string>;
  /** Which of the provider's pool keys served it, by label (never the key); null for a single key. */
  provider_key_label: Generated<string | null>;
  latency_ms: number;
  ttft_ms: number | null;
  stream: number;
  attempts: number;
  cached: number;
}

export interface AdminSessionsTable {
  /** sha256 hex of the session id handed to the browser. */
  id_hash: string;
  /** JSON object text (e.g. the CSRF secret). */
  data: string;
  created_at: number;
  expires_at: number;
  /** The admin account (admin_users.id) the session belongs to; null for pending SSO logins. */
  user_id: string | null;
}

export interface AdminUsersTable {
  id: string;
  /** Lower-case login name, unique. */
  username: string;
  display_name: string | null;
  /** 'admin' | 'operator' | 'viewer' */
  role: string;
  /**
   * scrypt hash; null for the first account while it still uses the deployment's console
   * password (ADMIN_PASSWORD / generated / changed in settings), and for SSO-only accounts.
   */
  password_hash: string | null;
  /** 1 for the account created from the deployment's console password. */
  is_initial: number;
  disabled: number;
  /** `issuer|sub` of a linked OpenID Connect identity. */
  oidc_subject: string | null;
  created_at: number;
  updated_at: number;
  last_login_at: number | null;
}

export interface DatabaseSchema {
  state_version: StateVersionTable;
  settings: SettingsTable;
  config_overlay: ConfigOverlayTable;
  config_audit: ConfigAuditTable;
  provider_keys: ProviderKeysTable;
  api_keys: ApiKeysTable;
  usage_records: UsageRecordsTable;
  admin_sessions: AdminSessionsTable;
  admin_users: AdminUsersTable;
  key_spend_daily: KeySpendDailyTable;
  usage_hourly: UsageHourlyTable;
  usage_daily: UsageDailyTable;
  provider_pool_keys: ProviderPoolKeysTable;
  teams: TeamsTable;
}

export interface ProviderPoolKeysTable {
  id: string;
  provider: string;
  label: string;
  /** AES-256-GCM sealed key, provider and id bound as associated data. */
  sealed: string;
  last4: string;
  weight: number;
  enabled: number;
  rpm_limit: number | null;
  tpm_limit: number | null;
  created_at: number;
  updated_at: number;
}

export interface TeamsTable {
  id: string;
  name: string;
  budget_amount: number | null;
  budget_period: string | null;
  budget_currency: string | null;
  rpm_limit: number | null;
  tpm_limit: number | null;
  /** JSON array text or null (all models). */
  allowed_models: string | null;
  created_at: number;
  updated_at: number;
}

type Histogram<P extends string> = { [K in `${P}${0 | 1 | 2 | 3 | 4 | 5 | 6 | 7 | 8 | 9 | 10 | 11}`]: number };

/**
 * Hourly usage roll-up (see usage-rollup.ts), kept for a year; feeds long dashboard ranges.
 * lat_h0…lat_h11 / ttft_h0…ttft_h11 count requests per latency bucket (LATENCY_BOUNDS).
 */
export type UsageHourlyTable = {
  /** Start of the UTC hour, epoch ms. */
  hour: number;
  /** '' for requests without a key. */
  key_id: string;
  key_name: string | null;
  model: string;
  provider: string;
  currency: string;
  /** floor(status / 100), 1…5. */
  status_class: number;
  requests: number;
  prompt_tokens: number;
  completion_tokens: number;
  cache_read_tokens: number;
  cache_write_tokens: number;
  reasoning_tokens: number;
  total_tokens: number;
  cost: number;
  latency_sum: number;
  ttft_sum: number;
  ttft_count: number;
} & Histogram<'lat_h'> &
  Histogram<'ttft_h'>;

/** The same roll-up per UTC day (`day`: start of the day, epoch ms): the whole days of long ranges. */
export type UsageDailyTable = Omit<UsageHourlyTable, 'hour'> & { day: number };

/** Running spend per key and UTC day, kept with every usage batch so budgets never scan usage rows. */
export interface KeySpendDailyTable {
  key_id: string;
  /** Days since the Unix epoch (UTC). */
  day: number;
  currency: string;
  cost: number;
  requests: number;
}

export type UsageRecordRow = Selectable<UsageRecordsTable>;
export type NewUsageRecordRow = Insertable<UsageRecordsTable>;
/** A usage row as the repository writes it: every column present. */
export type FullUsageRow = Required<NewUsageRecordRow>;
export type ApiKeyRow = Selectable<ApiKeysTable>;
