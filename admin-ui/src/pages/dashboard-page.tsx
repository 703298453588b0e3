import '@mantine/charts/styles.css';
import { ActionIcon, SegmentedControl, Stack, Tooltip } from '@mantine/core';
import { IconRefresh } from '@tabler/icons-react';
import { useMemo, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { useUsageSummary, useUsageTimeseries } from '../api/hooks';
import { PageHeader } from '../components/page-header';
import { QueryError } from '../components/query-state';
import { rangeFor, RANGE_IDS, type RangeId } from './dashboard/time-range';
import { SummaryCards } from './dashboard/summary-cards';
import { TokenBreakdown } from './dashboard/token-breakdown';
import { TopTables } from './dashboard/top-tables';
import { UsageCharts } from './dashboard/usage-charts';

export default function DashboardPage() {
  const { t } = useTranslation();
  const [rangeId, setRangeId] = useState<RangeId>('24h');
  const [now, setNow] = useState(() => Date.now());
  const { range, bucket } = useMemo(() => rangeFor(rangeId, now), [rangeId, now]);
  const summary = useUsageSummary(range);
  const series = useUsageTimeseries(range, bucket);

  return (
    <Stack gap="lg">
      <PageHeader
        title={t('dashboard.title')}
        description={t('dashboard.description')}
        actions={
          <>
            <SegmentedControl
              value={rangeId}
              onChange={(value) => {
                setRangeId(value as RangeId);
                setNow(Date.now());
              }}
              data={RANGE_IDS.map((id) => ({
                value: id,
                label: <span data-testid={`time-range-${id}`}>{t(`dashboard.range.${id}`)}</span>,
              }))}
              data-testid="time-range"
            />
            <Tooltip label={t('common.refresh')}>
              <ActionIcon
                variant="default"
                size="lg"
                onClick={() => setNow(Date.now())}
                loading={summary.isFetching || series.isFetching}
                aria-label={t('common.refresh')}
                data-testid="dashboard-refresh"
              >
                <IconRefresh size={18} />
              </ActionIcon>
            </Tooltip>
          </>
        }
      />
      {summary.isError ? <QueryError error={summary.error} onRetry={() => void summary.refetch()} /> : null}
      <SummaryCards summary={summary.data} loading={summary.isLoading} />
      <TokenBreakdown summary={summary.data} loading={summary.isLoading} />
      {series.isError ? (
        <QueryError error={series.error} onRetry={() => void series.refetch()} />
      ) : (
        <UsageCharts series={series.data} loading={series.isLoading} />
      )}
      <TopTables range={range} />
    </Stack>
  );
}
