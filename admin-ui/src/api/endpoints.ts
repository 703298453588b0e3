import { api, request } from './client';
import type {
  ActiveKind,
  AdminUser,
  AdminUserInput,
  ActiveModels,
  ApiKey,
  ApiKeyInput,
  AuditEntry,
  AuthInfo,
  Bucket,
  CreatedApiKey,
  LoginResult,
  LogEntry,
  Me,
  Model,
  ModelInput,
  Ok,
  Page,
  PoolKeyInput,
  Provider,
  ProviderInput,
  ProviderPool,
  Team,
  TeamInput,
  ProviderTestResult,
  Settings,
  Timeseries,
  TopBy,
  TopEntry,
  UsageSummary,
  VersionResult,
} from './types';

const enc = encodeURIComponent;

export interface Range {
  from: string;
  to: string;
}

export interface LogFilters {
  page: number;
  pageSize: number;
  model?: string;
  provider?: string;
  keyId?: string;
  status?: string;
  /** A client protocol (CLIENT_PROTOCOLS). */
  protocol?: string;
  from?: string;
  to?: string;
}

export const auth = {
  info: () => api.get<AuthInfo>('/admin/auth/info', { notify: false }),
  me: () => api.get<Me>('/admin/auth/me', { notify: false }),
  login: (password: string, username?: string) =>
    api.post<LoginResult>('/admin/auth/login', username ? { username, password } : { password }, { notify: false }),
  logout: () => api.post<Ok>('/admin/auth/logout', undefined, { notify: false }),
};

export const settingsApi = {
  get: () => api.get<Settings>('/admin/api/settings'),
  update: (body: Settings) => api.put<Settings>('/admin/api/settings', body),
  changePassword: (currentPassword: string, newPassword: string) =>
    // 401 here means "wrong current password", not "session over".
    api.post<Ok>('/admin/api/password', { currentPassword, newPassword }, { authRedirect: false }),
};

export const providersApi = {
  list: () => api.get<{ data: Provider[] }>('/admin/api/providers'),
  create: (body: ProviderInput) => api.post<Provider>('/admin/api/providers', body),
  update: (name: string, body: ProviderInput) =>
    api.patch<Provider>(`/admin/api/providers/${enc(name)}`, body),
  remove: (name: string) => api.delete<Ok>(`/admin/api/providers/${enc(name)}`),
  setKey: (name: string, apiKey: string) =>
    api.put<Provider>(`/admin/api/providers/${enc(name)}/key`, { apiKey }),
  removeKey: (name: string) => api.delete<Provider>(`/admin/api/providers/${enc(name)}/key`),
  test: (name: string) =>
    api.post<ProviderTestResult>(`/admin/api/providers/${enc(name)}/test`, undefined, {
      notify: false,
    }),
};

export const modelsApi = {
  list: () => api.get<{ data: Model[] }>('/admin/api/models'),
  create: (body: ModelInput) => api.post<Model>('/admin/api/models', body),
  update: (key: string, body: ModelInput) =>
    api.patch<Model>(`/admin/api/models/${enc(key)}`, body),
  remove: (key: string) => api.delete<Ok>(`/admin/api/models/${enc(key)}`),
  active: () => api.get<ActiveModels>('/admin/api/active-models'),
  setActive: (type: ActiveKind, key: string, force = false) =>
    api.put<ActiveModels>('/admin/api/active-models', force ? { type, key, force } : { type, key }),
};

export const keysApi = {
  list: () => api.get<{ data: ApiKey[] }>('/admin/api/keys'),
  create: (body: ApiKeyInput) => api.post<CreatedApiKey>('/admin/api/keys', body),
  update: (id: string, body: ApiKeyInput) => api.patch<ApiKey>(`/admin/api/keys/${enc(id)}`, body),
  revoke: (id: string) => api.post<ApiKey>(`/admin/api/keys/${enc(id)}/revoke`),
};

export const usageApi = {
  summary: (range: Range) => api.get<UsageSummary>('/admin/api/usage/summary', { query: { ...range } }),
  timeseries: (range: Range, bucket: Bucket) =>
    api.get<Timeseries>('/admin/api/usage/timeseries', { query: { ...range, bucket } }),
  top: (by: TopBy, range: Range, limit = 5) =>
    api.get<{ data: TopEntry[] }>('/admin/api/usage/top', { query: { by, ...range, limit } }),
};

export const logsApi = {
  list: (filters: LogFilters) =>
    api.get<Page<LogEntry>>('/admin/api/logs', { query: { ...filters } }),
  get: (id: string | number) => api.get<LogEntry>(`/admin/api/logs/${enc(String(id))}`),
};

export const configApi = {
  exportYaml: () =>
    request<string>('/admin/api/config/export', { headers: { accept: 'text/yaml, */*' } }),
  importYaml: (yaml: string) =>
    api.post<VersionResult>('/admin/api/config/import', { yaml }, { notify: false }),
  audit: (page: number, pageSize: number) =>
    api.get<Page<AuditEntry>>('/admin/api/audit', { query: { page, pageSize } }),
  rollback: (id: string | number) =>
    api.post<VersionResult>(`/admin/api/audit/${enc(String(id))}/rollback`),
};

export const usersApi = {
  list: () => api.get<{ data: AdminUser[] }>('/admin/api/users'),
  create: (body: AdminUserInput) => api.post<AdminUser>('/admin/api/users', body),
  update: (id: string, body: Partial<Pick<AdminUser, 'role' | 'disabled' | 'displayName'>>) =>
    api.patch<AdminUser>(`/admin/api/users/${enc(id)}`, body),
  resetPassword: (id: string, password: string) => api.post<AdminUser>(`/admin/api/users/${enc(id)}/password`, { password }),
  remove: (id: string) => api.delete<Ok>(`/admin/api/users/${enc(id)}`),
};

export const poolApi = {
  get: (provider: string) => api.get<ProviderPool>(`/admin/api/providers/${enc(provider)}/pool`),
  add: (provider: string, body: PoolKeyInput) => api.post<ProviderPool>(`/admin/api/providers/${enc(provider)}/pool`, body),
  update: (provider: string, id: string, body: PoolKeyInput) =>
    api.patch<ProviderPool>(`/admin/api/providers/${enc(provider)}/pool/${enc(id)}`, body),
  remove: (provider: string, id: string) => api.delete<ProviderPool>(`/admin/api/providers/${enc(provider)}/pool/${enc(id)}`),
  recheck: (provider: string, id: string) =>
    api.post<ProviderPool>(`/admin/api/providers/${enc(provider)}/pool/${enc(id)}/recheck`),
};

export const teamsApi = {
  list: () => api.get<{ data: Team[] }>('/admin/api/teams'),
  create: (body: TeamInput) => api.post<Team>('/admin/api/teams', body),
  update: (id: string, body: TeamInput) => api.patch<Team>(`/admin/api/teams/${enc(id)}`, body),
  remove: (id: string) => api.delete<Ok>(`/admin/api/teams/${enc(id)}`),
};
