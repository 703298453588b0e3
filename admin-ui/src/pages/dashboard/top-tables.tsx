import { Card, Progress, SimpleGrid, Skeleton, Table, Text } from '@mantine/core';
import { useTranslation } from 'react-i18next';
import type { Range } from '../../api/endpoints';
import { useUsageTop } from '../../api/hooks';
import type { TopBy } from '../../api/types';
import { formatCompact, formatCostLines, formatNumber } from '../../utils/format';

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
        <Table.ScrollContainer minWidth={300}>
          <Table verticalSpacing={6} fz="sm">
            <Table.Thead>
              <Table.Tr>
                <Table.Th>{t('dashboard.name')}</Table.Th>
                <Table.Th ta="right">{t('dashboard.requests')}</Table.Th>
                <Table.Th ta="right">{t('dashboard.tokens')}</Table.Th>
                <Table.Th ta="right">{t('dashboard.cost')}</Table.Th>
              </Table.Tr>
            </Table.Thead>
            <Table.Tbody>
              {rows.map((row) => (
                <Table.Tr key={row.name}>
                  <Table.Td maw={180}>
                    <Text size="sm" truncate="end" title={row.name}>
                      {row.name}
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
        </Table.ScrollContainer>
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
