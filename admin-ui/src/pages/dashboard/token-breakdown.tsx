import { Card, Group, Progress, SimpleGrid, Skeleton, Text } from '@mantine/core';
import { useTranslation } from 'react-i18next';
import type { UsageSummary } from '../../api/types';
import { formatCompact, formatNumber, formatPercent } from '../../utils/format';

/** The token split of the usage model, in the order tokens are priced: the parts add up to the total. */
export const tokenParts = (s: Pick<UsageSummary, 'promptTokens' | 'cacheReadTokens' | 'cacheWriteTokens' | 'completionTokens' | 'reasoningTokens'>) => [
  { key: 'input', value: s.promptTokens, color: 'indigo.6' },
  { key: 'cacheRead', value: s.cacheReadTokens, color: 'teal.6' },
  { key: 'cacheWrite', value: s.cacheWriteTokens, color: 'lime.6' },
  // Reasoning is inside the output: shown as its own part of it, never added again.
  { key: 'answer', value: Math.max(0, s.completionTokens - s.reasoningTokens), color: 'cyan.6' },
  { key: 'reasoning', value: Math.min(s.reasoningTokens, s.completionTokens), color: 'grape.6' },
] as const;

export function TokenBreakdown({ summary, loading }: { summary?: UsageSummary; loading: boolean }) {
  const { t } = useTranslation();
  if (loading && !summary) return <Skeleton h={120} />;
  if (!summary) return null;
  const parts = tokenParts(summary);
  const total = parts.reduce((sum, part) => sum + part.value, 0);
  const prompt = summary.promptTokens + summary.cacheReadTokens + summary.cacheWriteTokens;
  return (
    <Card data-testid="token-breakdown">
      <Group justify="space-between" mb="sm">
        <Text fw={600}>{t('dashboard.tokenBreakdown')}</Text>
        <Text size="sm" c="dimmed" data-testid="token-cache-hit-rate">
          {t('dashboard.cacheHitRate', { rate: formatPercent(prompt === 0 ? 0 : summary.cacheReadTokens / prompt) })}
        </Text>
      </Group>
      <Progress.Root size="lg" mb="md">
        {parts.map((part) =>
          part.value > 0 && total > 0 ? <Progress.Section key={part.key} value={(part.value / total) * 100} color={part.color} /> : null,
        )}
      </Progress.Root>
      <SimpleGrid cols={{ base: 2, sm: 5 }} spacing="sm">
        {parts.map((part) => (
          <div key={part.key} data-testid={`token-part-${part.key}`}>
            <Text size="xs" c="dimmed">
              {t(`dashboard.tokenPart.${part.key}`)}
            </Text>
            <Text fw={700} title={formatNumber(part.value)} data-testid={`token-part-${part.key}-value`}>
              {formatCompact(part.value)}
            </Text>
          </div>
        ))}
      </SimpleGrid>
    </Card>
  );
}
