import { SimpleGrid } from '@mantine/core';
import {
  IconAlertTriangle,
  IconBolt,
  IconClockHour4,
  IconCoin,
  IconGauge,
  IconHourglassHigh,
  IconMessages,
  IconStack3,
} from '@tabler/icons-react';
import { useTranslation } from 'react-i18next';
import type { UsageSummary } from '../../api/types';
import { StatCard } from '../../components/stat-card';
import { formatCompact, formatCostLines, formatMs, formatNumber, formatPercent } from '../../utils/format';

export function SummaryCards({ summary, loading }: { summary?: UsageSummary; loading: boolean }) {
  const { t } = useTranslation();
  const s = summary;
  return (
    <SimpleGrid cols={{ base: 1, xs: 2, md: 4 }} spacing="md" data-testid="summary-cards">
      <StatCard
        testId="stat-requests"
        label={t('dashboard.requests')}
        value={formatNumber(s?.requests)}
        icon={<IconMessages size={20} />}
        loading={loading}
      />
      <StatCard
        testId="stat-tokens"
        label={t('dashboard.tokens')}
        value={formatCompact(s?.totalTokens)}
        hint={
          s
            ? t('dashboard.tokensHint', { prompt: formatCompact(s.promptTokens), completion: formatCompact(s.completionTokens) }) +
              (s.cacheReadTokens + s.cacheWriteTokens + s.reasoningTokens > 0
                ? ` · ${t('dashboard.tokensDetailHint', { read: formatCompact(s.cacheReadTokens), write: formatCompact(s.cacheWriteTokens), reasoning: formatCompact(s.reasoningTokens) })}`
                : '')
            : undefined
        }
        icon={<IconStack3 size={20} />}
        color="cyan"
        loading={loading}
      />
      <StatCard
        testId="stat-cost"
        label={t('dashboard.cost')}
        value={s ? formatCostLines(s.costByCurrency) : '–'}
        icon={<IconCoin size={20} />}
        color="yellow"
        loading={loading}
      />
      <StatCard
        testId="stat-error-rate"
        label={t('dashboard.errorRate')}
        value={formatPercent(s?.errorRate)}
        hint={s ? t('dashboard.errorsHint', { count: s.errors }) : undefined}
        icon={<IconAlertTriangle size={20} />}
        color={s && s.errorRate > 0.05 ? 'red' : 'teal'}
        loading={loading}
      />
      <StatCard
        testId="stat-p50-latency"
        label={t('dashboard.p50Latency')}
        value={formatMs(s?.p50LatencyMs)}
        icon={<IconClockHour4 size={20} />}
        color="grape"
        loading={loading}
      />
      <StatCard
        testId="stat-p95-latency"
        label={t('dashboard.p95Latency')}
        value={formatMs(s?.p95LatencyMs)}
        icon={<IconHourglassHigh size={20} />}
        color="grape"
        loading={loading}
      />
      <StatCard
        testId="stat-p50-ttft"
        label={t('dashboard.p50Ttft')}
        value={formatMs(s?.p50TtftMs)}
        icon={<IconBolt size={20} />}
        color="orange"
        loading={loading}
      />
      <StatCard
        testId="stat-p95-ttft"
        label={t('dashboard.p95Ttft')}
        value={formatMs(s?.p95TtftMs)}
        icon={<IconGauge size={20} />}
        color="orange"
        loading={loading}
      />
    </SimpleGrid>
  );
}
