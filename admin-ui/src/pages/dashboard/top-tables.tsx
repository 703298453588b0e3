import { Card, Progress, SimpleGrid, Skeleton, Table, Text } from '@mantine/core';
import { useTranslation } from 'react-i18next';
import type { Range } from '../../api/endpoints';
import { useUsageTop } from '../../api/hooks';
import type { TopBy } from '../../api/types';
import { formatCompact, formatCostLines, formatNumber } from '../../utils/format';
import { noneLabel } from '../../utils/none-label';

/** Wide enough for their headers ("Requests", "请求数") and values (a cost per currency, one per line); the name column gets what is left. */
const COLUMN_WIDTH = { requests: 84, tokens: 80, cost: 96 } as const;

function TopTable({ by, range }: { by: TopBy; range: Range }) {
  const { t } = useTranslation();
  const top = useUsageTop(by, range);
  const rows = top.data ?? [];
  const max = Math.max(1, ...rows.map((row) => row.requests));
  return (
    <Card data-testid={`top-${by}`}>
      <Text fw={600} mb="sm">
        {t(`dashboard.top.${by}`)}
      </Text>
      {top.isLoading ? (
        <Skeleton h={160} />
      ) : rows.length === 0 ? (
        <Text c="dimmed" size="sm" py="lg" ta="center">
          {t('common.noData')}
        </Text>
      ) : (
        // Fixed layout: the number columns keep their width and the name column takes the rest
        // (truncated with its full text in the title), so no column is pushed out of the card.
        <Table verticalSpacing={6} fz="sm" layout="fixed">
          <Table.Thead>
            <Table.Tr>
              <Table.Th>{t('dashboard.name')}</Table.Th>
              <Table.Th ta="right" w={COLUMN_WIDTH.requests}>
                {t('dashboard.requests')}
              </Table.Th>
              <Table.Th ta="right" w={COLUMN_WIDTH.tokens}>
                {t('dashboard.tokens')}
              </Table.Th>
              <Table.Th ta="right" w={COLUMN_WIDTH.cost}>
                {t('dashboard.cost')}
              </Table.Th>
            </Table.Tr>
          </Table.Thead>
          <Table.Tbody>
            {rows.map((row) => (
              <Table.Tr key={row.name}>
                <Table.Td>
                  <Text size="sm" truncate="end" title={noneLabel(row.name)}>
                    {noneLabel(row.name)}
                  </Text>
                  <Progress value={(row.requests / max) * 100} size="xs" mt={4} />
                </Table.Td>
                <Table.Td ta="right">{formatNumber(row.requests)}</Table.Td>
                <Table.Td ta="right">{formatCompact(row.totalTokens)}</Table.Td>
                <Table.Td ta="right" data-testid="top-cost">
                  {formatCostLines(row.costByCurrency).map((line) => (
                    <Text key={line} size="sm" style={{ whiteSpace: 'nowrap' }}>
                      {line}
                    </Text>
                  ))}
                </Table.Td>
              </Table.Tr>
            ))}
          </Table.Tbody>
        </Table>
      )}
    </Card>
  );
}

export function TopTables({ range }: { range: Range }) {
  return (
    <SimpleGrid cols={{ base: 1, md: 2, xl: 3 }} spacing="md">
      <TopTable by="model" range={range} />
      <TopTable by="provider" range={range} />
      <TopTable by="key" range={range} />
    </SimpleGrid>
  );
}
