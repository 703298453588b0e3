import { keepPreviousData, useQuery, useQueryClient } from '@tanstack/react-query';
import type { Bucket, TopBy } from './types';
import {
  auth,
  configApi,
  keysApi,
  logsApi,
  modelsApi,
  poolApi,
  providersApi,
  settingsApi,
  teamsApi,
  usageApi,
  usersApi,
  type LogFilters,
  type Range,
} from './endpoints';

export const queryKeys = {
  info: ['auth', 'info'] as const,
  me: ['auth', 'me'] as const,
  settings: ['settings'] as const,
  providers: ['providers'] as const,
  models: ['models'] as const,
  activeModels: ['active-models'] as const,
  keys: ['keys'] as const,
  usage: ['usage'] as const,
  logs: ['logs'] as const,
  audit: ['audit'] as const,
  users: ['users'] as const,
  pool: ['pool'] as const,
  teams: ['teams'] as const,
};

export const usePool = (provider: string | null) =>
  useQuery({
    queryKey: [...queryKeys.pool, provider ?? ''],
    queryFn: () => poolApi.get(provider!),
    enabled: provider !== null,
    refetchInterval: 10_000,
  });

export const useTeams = () => useQuery({ queryKey: queryKeys.teams, queryFn: teamsApi.list, select: (r) => r.data });

export const useAuthInfo = () =>
  useQuery({ queryKey: queryKeys.info, queryFn: auth.info, staleTime: 60_000, retry: false });

export const useUsers = () => useQuery({ queryKey: queryKeys.users, queryFn: usersApi.list, select: (r) => r.data });

export const useSettings = () => useQuery({ queryKey: queryKeys.settings, queryFn: settingsApi.get });

export const useProviders = () =>
  useQuery({ queryKey: queryKeys.providers, queryFn: providersApi.list, select: (r) => r.data });

export const useModels = () =>
  useQuery({ queryKey: queryKeys.models, queryFn: modelsApi.list, select: (r) => r.data });

export const useActiveModels = () =>
  useQuery({ queryKey: queryKeys.activeModels, queryFn: modelsApi.active });

export const useApiKeys = () =>
  useQuery({ queryKey: queryKeys.keys, queryFn: keysApi.list, select: (r) => r.data });

export const useUsageSummary = (range: Range) =>
  useQuery({
    queryKey: [...queryKeys.usage, 'summary', range],
    queryFn: () => usageApi.summary(range),
    placeholderData: keepPreviousData,
  });

export const useUsageTimeseries = (range: Range, bucket: Bucket) =>
  useQuery({
    queryKey: [...queryKeys.usage, 'timeseries', range, bucket],
    queryFn: () => usageApi.timeseries(range, bucket),
    placeholderData: keepPreviousData,
  });

export const useUsageTop = (by: TopBy, range: Range) =>
  useQuery({
    queryKey: [...queryKeys.usage, 'top', by, range],
    queryFn: () => usageApi.top(by, range),
    select: (r) => r.data,
    placeholderData: keepPreviousData,
  });

export const useLogs = (filters: LogFilters) =>
  useQuery({
    queryKey: [...queryKeys.logs, filters],
    queryFn: () => logsApi.list(filters),
    placeholderData: keepPreviousData,
  });

export const useLog = (id: string | number | null) =>
  useQuery({
    queryKey: [...queryKeys.logs, 'detail', id],
    queryFn: () => logsApi.get(id as string | number),
    enabled: id !== null,
  });

export const useAudit = (page: number, pageSize: number) =>
  useQuery({
    queryKey: [...queryKeys.audit, page, pageSize],
    queryFn: () => configApi.audit(page, pageSize),
    placeholderData: keepPreviousData,
  });

/** After a change, refetch everything that may show it. */
export const useInvalidate = () => {
  const client = useQueryClient();
  return (...keys: ReadonlyArray<readonly string[]>) =>
    Promise.all(keys.map((queryKey) => client.invalidateQueries({ queryKey })));
};
