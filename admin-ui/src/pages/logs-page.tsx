import { Badge, Card, Group, Pagination, Select, Stack, Table, Text } from '@mantine/core';
import { useDebouncedValue } from '@mantine/hooks';
import { IconFileText } from '@tabler/icons-react';
import { useMemo, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { useLogs } from '../api/hooks';
import type { LogEntry } from '../api/types';
import { PageHeader } from '../components/page-header';
import { TableSkeleton } from '../components/page-skeleton';
import { Empty, QueryError } from '../components/query-state';
import { formatDateTime, formatMoney, formatMs, formatNumber } from '../utils/format';
import { noneLabel } from '../utils/none-label';
import { LogCaller } from './logs/log-caller';
import { LogDetailDrawer } from './logs/log-detail-drawer';
import { LogProtocol } from './logs/log-protocol';
import { EMPTY_FILTERS, LogFilters, type LogFilterValues } from './logs/log-filters';
import { LogStatus } from './logs/log-status';

const PAGE_SIZES = ['25', '50', '100'];

export default function LogsPage() {
  const { t } = useTranslation();
  const [filters, setFilters] = useState<LogFilterValues>(EMPTY_FILTERS);
  const [debounced] = useDebouncedValue(filters, 300);
  const [page, setPage] = useState(1);
  const [pageSize, setPageSize] = useState(25);
  const [selected, setSelected] = useState<LogEntry | null>(null);

  const query = useMemo(
    () => ({
      page,
      pageSize,
      model: debounced.model.trim() || undefined,
      provider: debounced.provider ?? undefined,
      keyId: debounced.keyId ?? undefined,
      status: debounced.status.trim() || undefined,
      protocol: debounced.protocol ?? undefined,
    }),
    [debounced, page, pageSize],
  );
  const logs = useLogs(query);
  const rows = logs.data?.data ?? [];
  const total = logs.data?.total ?? 0;
  const pages = Math.max(1, Math.ceil(total / pageSize));

  return (
    <Stack gap="lg">
      <PageHeader title={t('logs.title')} description={t('logs.description')} />
      <Card padding={0}>
        <LogFilters
          value={filters}
          onChange={(value) => {
            setFilters(value);
            setPage(1);
          }}
          onRefresh={() => void logs.refetch()}
          refreshing={logs.isFetching}
        />
        {logs.isLoading ? (
          <Stack p="md">
            <TableSkeleton rows={10} />
          </Stack>
        ) : logs.isError ? (
          <Stack p="md">
            <QueryError error={logs.error} onRetry={() => void logs.refetch()} />
          </Stack>
        ) : rows.length === 0 ? (
          <Empty title={t('logs.empty')} description={t('logs.emptyHint')} icon={<IconFileText size={28} />} />
        ) : (
          <Table.ScrollContainer minWidth={1080}>
            <Table highlightOnHover verticalSpacing="xs" fz="sm" data-testid="logs-table">
              <Table.Thead>
                <Table.Tr>
                  <Table.Th>{t('logs.time')}</Table.Th>
                  <Table.Th>{t('logs.model')}</Table.Th>
                  <Table.Th>{t('logs.provider')}</Table.Th>
                  <Table.Th>{t('logs.key')}</Table.Th>
                  <Table.Th>{t('logs.protocol')}</Table.Th>
                  <Table.Th>{t('logs.status')}</Table.Th>
                  <Table.Th ta="right">{t('logs.tokens')}</Table.Th>
                  <Table.Th ta="right">{t('logs.cost')}</Table.Th>
                  <Table.Th ta="right">{t('logs.latency')}</Table.Th>
                  <Table.Th ta="right">{t('logs.ttft')}</Table.Th>
                </Table.Tr>
              </Table.Thead>
              <Table.Tbody>
                {rows.map((log) => (
                  <Table.Tr key={log.id} className="clickable-row" onClick={() => setSelected(log)} data-testid={`log-row-${log.id}`}>
                    <Table.Td style={{ whiteSpace: 'nowrap' }}>{formatDateTime(log.time)}</Table.Td>
                    <Table.Td>
                      <Group gap={4} wrap="nowrap">
                        <Text size="sm">{noneLabel(log.model)}</Text>
                        {log.stream ? (
                          <Badge size="xs" variant="dot">
                            {t('logs.stream')}
                          </Badge>
                        ) : null}
                      </Group>
                    </Table.Td>
                    <Table.Td>{noneLabel(log.provider)}</Table.Td>
                    <Table.Td>
                      <LogCaller log={log} />
                    </Table.Td>
                    <Table.Td>
                      <LogProtocol protocol={log.protocol} />
                    </Table.Td>
                    <Table.Td>
                      <LogStatus status={log.status} />
                    </Table.Td>
                    <Table.Td ta="right">
                      {formatNumber(log.totalTokens)}
                      {log.tokensEstimated ? '*' : ''}
                      {log.cacheReadTokens + log.cacheWriteTokens + log.reasoningTokens > 0 ? (
                        <Text size="xs" c="dimmed" style={{ whiteSpace: 'nowrap' }} data-testid="log-token-detail">
                          {t('logs.tokenDetail', {
                            cache: formatNumber(log.cacheReadTokens + log.cacheWriteTokens),
                            reasoning: formatNumber(log.reasoningTokens),
                          })}
                        </Text>
                      ) : null}
                    </Table.Td>
                    <Table.Td ta="right" style={{ whiteSpace: 'nowrap' }} data-testid="log-cost">
                      {formatMoney(log.cost, log.currency)}
                    </Table.Td>
                    <Table.Td ta="right">{formatMs(log.latencyMs)}</Table.Td>
                    <Table.Td ta="right">{formatMs(log.ttftMs)}</Table.Td>
                  </Table.Tr>
                ))}
              </Table.Tbody>
            </Table>
          </Table.ScrollContainer>
        )}
        <Group justify="space-between" p="md" gap="sm">
          <Text size="sm" c="dimmed" data-testid="logs-total">
            {t('logs.total', { count: total })}
            {rows.some((r) => r.tokensEstimated) ? ` · ${t('logs.estimatedNote')}` : ''}
          </Text>
          <Group gap="sm">
            <Select
              data={PAGE_SIZES.map((value) => ({ value, label: t('logs.perPage', { count: Number(value) }) }))}
              value={String(pageSize)}
              onChange={(v) => {
                setPageSize(Number(v ?? 25));
                setPage(1);
              }}
              allowDeselect={false}
              w={130}
              size="xs"
              data-testid="logs-page-size"
            />
            <Pagination total={pages} value={page} onChange={setPage} size="sm" data-testid="logs-pagination" />
          </Group>
        </Group>
      </Card>
      <LogDetailDrawer id={selected?.id ?? null} preview={selected} onClose={() => setSelected(null)} />
    </Stack>
  );
}
