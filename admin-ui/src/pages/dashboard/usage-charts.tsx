import { AreaChart, BarChart, LineChart } from '@mantine/charts';
import { Card, SimpleGrid, Skeleton, Text } from '@mantine/core';
import { IconChartLine } from '@tabler/icons-react';
import { useTranslation } from 'react-i18next';
import type { Timeseries } from '../../api/types';
import { Empty } from '../../components/query-state';
import { formatBucket, formatCompact, formatMs, formatNumber } from '../../utils/format';
import { tokenParts } from './token-breakdown';

const emptyParts = { promptTokens: 0, cacheReadTokens: 0, cacheWriteTokens: 0, completionTokens: 0, reasoningTokens: 0 };

function ChartCard({ title, testId, children }: { title: string; testId: string; children: React.ReactNode }) {
  return (
    <Card data-testid={testId}>
      <Text fw={600} mb="md">
        {title}
      </Text>
      {children}
    </Card>
  );
}

export function UsageCharts({ series, loading }: { series?: Timeseries; loading: boolean }) {
  const { t } = useTranslation();
  if (loading && !series) {
    return (
      <SimpleGrid cols={{ base: 1, lg: 2 }}>
        <Skeleton h={300} />
        <Skeleton h={300} />
      </SimpleGrid>
    );
  }
  const points = series?.data ?? [];
  if (points.length === 0) {
    return (
      <Card data-testid="charts-empty">
        <Empty title={t('dashboard.noTraffic')} description={t('dashboard.noTrafficHint')} icon={<IconChartLine size={28} />} />
      </Card>
    );
  }
  const bucket = series?.bucket ?? 'hour';
  // One cost series per currency: amounts in different currencies are never stacked or summed.
  const currencies = [...new Set(points.flatMap((point) => Object.keys(point.costByCurrency)))].sort((a, b) =>
    a === 'USD' ? -1 : b === 'USD' ? 1 : a.localeCompare(b),
  );
  const data = points.map((point) => ({
    ...point,
    ...Object.fromEntries(currencies.map((currency) => [`cost_${currency}`, point.costByCurrency[currency] ?? 0])),
    ...Object.fromEntries(tokenParts(point).map((part) => [`tokens_${part.key}`, part.value])),
    label: formatBucket(point.time, bucket),
  }));
  const costColors = ['yellow.6', 'teal.6', 'pink.6', 'blue.6'];
  const common = { h: 240, dataKey: 'label', withLegend: true, tickLine: 'y' as const, gridAxis: 'y' as const };
  const lineLike = { ...common, withDots: false, curveType: 'monotone' as const };

  return (
    <SimpleGrid cols={{ base: 1, lg: 2 }} spacing="md">
      <ChartCard title={t('dashboard.requestsOverTime')} testId="chart-requests">
        <AreaChart
          {...lineLike}
          data={data}
          // Counts are whole numbers: fractional ticks rounded by the formatter read "0, 0, 1, 1".
          yAxisProps={{ allowDecimals: false }}
          valueFormatter={(value) => formatNumber(value)}
          series={[
            { name: 'requests', label: t('dashboard.requests'), color: 'indigo.6' },
            { name: 'errors', label: t('dashboard.errors'), color: 'red.6' },
          ]}
        />
      </ChartCard>
      <ChartCard title={t('dashboard.tokensOverTime')} testId="chart-tokens">
        <BarChart
          {...common}
          data={data}
          yAxisProps={{ allowDecimals: false }}
          type="stacked"
          valueFormatter={(value) => formatCompact(value)}
          // Stacked in the usage model's disjoint parts, so the bar's height is the total.
          series={tokenParts(emptyParts).map((part) => ({ name: `tokens_${part.key}`, label: t(`dashboard.tokenPart.${part.key}`), color: part.color }))}
        />
      </ChartCard>
      <ChartCard title={t('dashboard.latencyOverTime')} testId="chart-latency">
        <LineChart
          {...lineLike}
          // Latency exists only for buckets with traffic: without dots a lone bucket draws nothing.
          withDots
          data={data}
          connectNulls
          valueFormatter={(value) => formatMs(value)}
          series={[
            { name: 'p50LatencyMs', label: t('dashboard.p50Latency'), color: 'grape.5' },
            { name: 'p95LatencyMs', label: t('dashboard.p95Latency'), color: 'grape.8' },
            { name: 'p50TtftMs', label: t('dashboard.p50Ttft'), color: 'orange.6' },
          ]}
        />
      </ChartCard>
      <ChartCard title={t('dashboard.costOverTime')} testId="chart-cost">
        <AreaChart
          {...lineLike}
          data={data}
          valueFormatter={(value) => formatNumber(value, 4)}
          series={currencies.map((currency, i) => ({ name: `cost_${currency}`, label: `${t('dashboard.cost')} (${currency})`, color: costColors[i % costColors.length]! }))}
        />
      </ChartCard>
    </SimpleGrid>
  );
}
