// Shapes of docs/admin-api.md, the contract the gateway's admin API implements.

export interface ErrorEnvelope {
  error: {
    message: string;
    type: string;
    param: string | null;
    code: string | null;
    details?: Record<string, unknown>;
  };
}

export interface AuthInfo {
  platformName: string;
  version: string;
  passwordLogin: boolean;
  /** The first-start generated password is still the one (the login page says where it is). */
  generatedPassword?: boolean;
  /** True when the server runs `serve --demo`. */
  demo?: boolean;
  /** Single sign-on (OpenID Connect), when the deployment configured it. */
  sso?: { enabled: boolean; startUrl: string | null };
}

export type AdminRole = 'viewer' | 'operator' | 'admin';

export interface AdminUser {
  id: string;
  username: string;
  displayName: string | null;
  role: AdminRole;
  disabled: boolean;
  passwordLogin: boolean;
  sso: boolean;
  initial: boolean;
  createdAt: string;
  updatedAt: string;
  lastLoginAt: string | null;
}

export interface AdminUserInput {
  username: string;
  role: AdminRole;
  password?: string;
  displayName?: string | null;
}

export interface LoginResult {
  ok: true;
  csrfToken: string;
}

/** The session probe: 200 either way, `authenticated: false` when not signed in. */
export type Me =
  | { authenticated: true; user: string; role: AdminRole; csrfToken: string }
  | { authenticated: false; user: null; role: null; csrfToken: null };

export interface Settings {
  platformName: string;
}

export type Status = 'usable' | 'key_missing' | 'disabled';

export interface Provider {
  name: string;
  description: string;
  descriptionEn?: string | null;
  baseUrl: string;
  protocol: string;
  enabled: boolean;
  needsKey: boolean;
  keyEnv: string;
  keySource: 'admin' | 'env' | 'none';
  keyMasked: string | null;
  status: Status;
  modelCount: number;
  source: 'config' | 'admin';
  /** The gateway's last connection check (the console's test or the periodic one). */
  lastCheck?: ProviderCheck | null;
}

export interface ProviderCheck {
  ok: boolean;
  checkedAt: string;
  latencyMs: number;
  trigger: 'console' | 'scheduled';
  modelCount?: number;
  error?: { message: string; code: string };
}

export interface ProviderInput {
  name?: string;
  baseUrl?: string;
  description?: string;
  protocol?: string;
  keyEnv?: string;
  needsKey?: boolean;
  enabled?: boolean;
  timeoutMs?: number;
}

export interface ProviderTestResult {
  ok: boolean;
  latencyMs: number;
  models?: string[];
  error?: { message: string; code: string };
}

export type ModelType = 'language' | 'vision' | 'embedding' | 'reasoning';
export const MODEL_TYPES: ModelType[] = ['language', 'vision', 'embedding', 'reasoning'];

export interface Pricing {
  input: number;
  output: number;
  currency: string;
}

export interface Model {
  key: string;
  name: string;
  provider: string;
  type: ModelType;
  types: string[];
  displayName: string;
  /** English name/description from the config (`display_name_en`), if any. */
  displayNameEn?: string | null;
  description: string;
  descriptionEn?: string | null;
  upstreamName: string;
  aliases: string[];
  contextWindow: number | null;
  maxOutputTokens: number | null;
  pricing: Pricing | null;
  capabilities: string[];
  enabled: boolean;
  status: Status;
  source: 'config' | 'admin';
  active: { language: boolean; vision: boolean };
}

export interface ModelInput {
  provider?: string;
  name?: string;
  type?: ModelType;
  displayName?: string;
  displayNameEn?: string | null;
  description?: string;
  upstreamName?: string;
  aliases?: string[];
  contextWindow?: number | null;
  maxOutputTokens?: number | null;
  pricing?: Pricing | null;
  capabilities?: string[];
  enabled?: boolean;
}

export type ActiveKind = 'language' | 'vision';

export interface ActiveModelRef {
  provider: string;
  name: string;
  key: string;
}

export interface ActiveModels {
  language: ActiveModelRef | null;
  vision: ActiveModelRef | null;
}

export type BudgetPeriod = 'day' | 'month' | 'total';

export interface Budget {
  amount: number;
  period: BudgetPeriod;
  /** ISO 4217 code (default USD); only spend priced in this currency counts. */
  currency?: string;
}

export interface ApiKey {
  id: string;
  name: string;
  keyMasked: string;
  createdAt: string;
  expiresAt: string | null;
  revokedAt: string | null;
  allowedModels: string[] | null;
  rpmLimit: number | null;
  tpmLimit: number | null;
  budget: Budget | null;
  /** In `spendCurrency` (the budget's currency). */
  spend: number;
  spendCurrency?: string;
  lastUsedAt: string | null;
  status: 'active' | 'revoked' | 'expired';
  teamId: string | null;
}

export interface ApiKeyInput {
  teamId?: string | null;
  name?: string;
  expiresAt?: string | null;
  allowedModels?: string[] | null;
  rpmLimit?: number | null;
  tpmLimit?: number | null;
  budget?: Budget | null;
}

export type CreatedApiKey = ApiKey & { key: string };

// Usage wire types are shared with the server (one definition: src/core/usage-wire.ts).
export type {
  CostByCurrency,
  LogEntry,
  Timeseries,
  TimeseriesPoint,
  TopBy,
  TopEntry,
  UsageBucket as Bucket,
  UsageSummary,
  ClientProtocol,
} from '../../../src/core/usage-wire';
export { CLIENT_PROTOCOLS } from '../../../src/core/usage-wire';

export interface Page<T> {
  data: T[];
  total: number;
  page?: number;
  pageSize?: number;
}

export interface AuditEntry {
  id: string | number;
  version: number | string;
  time: string;
  actor: string;
  action: string;
  target: string;
  diff: unknown;
}

export interface VersionResult {
  ok: true;
  version: number | string;
}

export interface Ok {
  ok: true;
}

export type PoolKeyState = 'active' | 'disabled' | 'resting' | 'off';

/** One vendor key of a provider's pool, as the admin API shows it (masked). */
export interface PoolKey {
  id: string;
  label: string;
  keyMasked: string;
  weight: number;
  enabled: boolean;
  rpmLimit: number | null;
  tpmLimit: number | null;
  source: 'env' | 'admin';
  editable: boolean;
  state: PoolKeyState;
  reason: 'auth' | 'quota' | 'rate-limit' | null;
  lastError: string | null;
  lastErrorAt: string | null;
  lastUsedAt: string | null;
  retryAt: string | null;
  attempts: number;
  failures: number;
  usage: { requests: number; totalTokens: number; cost: number };
}

export interface ProviderPool {
  provider: string;
  pooled: boolean;
  keys: PoolKey[];
}

export interface PoolKeyInput {
  label?: string;
  apiKey?: string;
  weight?: number;
  enabled?: boolean;
  rpmLimit?: number | null;
  tpmLimit?: number | null;
}

export interface TeamBudget {
  amount: number;
  period: BudgetPeriod;
  currency: string;
}

export interface Team {
  id: string;
  name: string;
  budget: TeamBudget | null;
  rpmLimit: number | null;
  tpmLimit: number | null;
  allowedModels: string[] | null;
  spend: number;
  members: Array<{ id: string; name: string; keyMasked: string | null; status: string | null }>;
  createdAt: string;
  updatedAt: string;
}

export interface TeamInput {
  name?: string;
  budget?: TeamBudget | null;
  rpmLimit?: number | null;
  tpmLimit?: number | null;
  allowedModels?: string[] | null;
}
