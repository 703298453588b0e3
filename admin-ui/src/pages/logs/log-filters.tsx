import { ActionIcon, Autocomplete, Group, Select, Tooltip } from '@mantine/core';
import { IconFilterOff, IconRefresh } from '@tabler/icons-react';
import { useTranslation } from 'react-i18next';
import { useApiKeys, useModels, useProviders } from '../../api/hooks';
import { CLIENT_PROTOCOLS } from '../../api/types';
import { useProtocolLabel } from './log-protocol';

export interface LogFilterValues {
  model: string;
  provider: string | null;
  keyId: string | null;
  status: string;
  protocol: string | null;
}

export const EMPTY_FILTERS: LogFilterValues = { model: '', provider: null, keyId: null, status: '', protocol: null };
const STATUS_SUGGESTIONS = ['success', 'error', '200', '400', '401', '403', '404', '408', '413', '429', '500', '502', '503', '504'];

interface Props {
  value: LogFilterValues;
  onChange: (value: LogFilterValues) => void;
  onRefresh: () => void;
  refreshing: boolean;
}

export function LogFilters({ value, onChange, onRefresh, refreshing }: Props) {
  const { t } = useTranslation();
  const models = useModels();
  const providers = useProviders();
  const keys = useApiKeys();
  const protocolLabel = useProtocolLabel();
  const set = <K extends keyof LogFilterValues>(key: K, v: LogFilterValues[K]) => onChange({ ...value, [key]: v });
  return (
    <Group gap="sm" p="md" wrap="wrap">
      <Autocomplete
        placeholder={t('logs.filterModel')}
        data={(models.data ?? []).map((m) => m.key)}
        value={value.model}
        onChange={(v) => set('model', v)}
        clearable
        w={{ base: '100%', xs: 200 }}
        data-testid="logs-filter-model"
      />
      <Select
        placeholder={t('logs.filterProvider')}
        data={(providers.data ?? []).map((p) => p.name)}
        value={value.provider}
        onChange={(v) => set('provider', v)}
        clearable
        searchable
        w={{ base: '100%', xs: 180 }}
        data-testid="logs-filter-provider"
      />
      <Select
        placeholder={t('logs.filterKey')}
        data={(keys.data ?? []).map((k) => ({ value: k.id, label: `${k.name} (${k.keyMasked})` }))}
        value={value.keyId}
        onChange={(v) => set('keyId', v)}
        clearable
        searchable
        w={{ base: '100%', xs: 200 }}
        data-testid="logs-filter-key"
      />
      <Select
        placeholder={t('logs.filterProtocol')}
        data={CLIENT_PROTOCOLS.map((p) => ({ value: p, label: protocolLabel(p) }))}
        value={value.protocol}
        onChange={(v) => set('protocol', v)}
        clearable
        w={{ base: '100%', xs: 170 }}
        data-testid="logs-filter-protocol"
      />
      <Autocomplete
        placeholder={t('logs.filterStatus')}
        data={STATUS_SUGGESTIONS}
        value={value.status}
        onChange={(v) => set('status', v)}
        clearable
        w={{ base: '100%', xs: 140 }}
        data-testid="logs-filter-status"
      />
      <Group gap={6} ml="auto">
        <Tooltip label={t('logs.clearFilters')}>
          <ActionIcon variant="default" size="lg" onClick={() => onChange(EMPTY_FILTERS)} aria-label={t('logs.clearFilters')} data-testid="logs-clear-filters">
            <IconFilterOff size={18} />
          </ActionIcon>
        </Tooltip>
        <Tooltip label={t('common.refresh')}>
          <ActionIcon variant="default" size="lg" onClick={onRefresh} loading={refreshing} aria-label={t('common.refresh')} data-testid="logs-refresh">
            <IconRefresh size={18} />
          </ActionIcon>
        </Tooltip>
      </Group>
    </Group>
  );
}
