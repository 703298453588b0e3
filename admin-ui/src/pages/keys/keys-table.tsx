import { ActionIcon, Badge, Group, Progress, Stack, Table, Text, Tooltip } from '@mantine/core';
import { IconBan, IconPencil } from '@tabler/icons-react';
import { useTranslation } from 'react-i18next';
import type { ApiKey } from '../../api/types';
import { StatusBadge } from '../../components/status-badge';
import { formatDate, formatMoney, formatDateTime, formatNumber } from '../../utils/format';

interface Props {
  keys: ApiKey[];
  onEdit: (key: ApiKey) => void;
  onRevoke: (key: ApiKey) => void;
  readOnly?: boolean;
}

function Spend({ apiKey }: { apiKey: ApiKey }) {
  const { t } = useTranslation();
  const budget = apiKey.budget;
  const currency = budget?.currency ?? apiKey.spendCurrency ?? 'USD';
  if (!budget) return <Text size="sm">{formatMoney(apiKey.spend, currency)}</Text>;
  const ratio = budget.amount > 0 ? Math.min(1, apiKey.spend / budget.amount) : 1;
  return (
    <Stack gap={4} miw={120}>
      <Text size="sm">
        {formatMoney(apiKey.spend, currency)} / {formatMoney(budget.amount, currency)}{' '}
        <Text span size="xs" c="dimmed">
          ({t(`keys.period.${budget.period}`)})
        </Text>
      </Text>
      <Progress value={ratio * 100} size="xs" color={ratio >= 1 ? 'red' : ratio > 0.8 ? 'orange' : 'indigo'} />
    </Stack>
  );
}

export function KeysTable({ keys, onEdit, onRevoke, readOnly = false }: Props) {
  const { t } = useTranslation();
  return (
    <Table.ScrollContainer minWidth={980}>
      <Table highlightOnHover verticalSpacing="sm" data-testid="keys-table">
        <Table.Thead>
          <Table.Tr>
            <Table.Th>{t('keys.name')}</Table.Th>
            <Table.Th>{t('keys.key')}</Table.Th>
            <Table.Th>{t('keys.status')}</Table.Th>
            <Table.Th>{t('keys.spend')}</Table.Th>
            <Table.Th>{t('keys.limits')}</Table.Th>
            <Table.Th>{t('keys.allowedModels')}</Table.Th>
            <Table.Th>{t('keys.expiresAt')}</Table.Th>
            <Table.Th>{t('keys.lastUsed')}</Table.Th>
            <Table.Th ta="right">{t('common.actions')}</Table.Th>
          </Table.Tr>
        </Table.Thead>
        <Table.Tbody>
          {keys.map((k) => (
            <Table.Tr key={k.id} data-testid={`key-row-${k.id}`} data-key-name={k.name}>
              <Table.Td>
                <Text size="sm" fw={500}>
                  {k.name}
                </Text>
                <Text size="xs" c="dimmed">
                  {t('keys.createdOn', { date: formatDate(k.createdAt) })}
                </Text>
              </Table.Td>
              <Table.Td>
                <Text size="sm" className="mono" data-testid={`key-masked-${k.id}`}>
                  {k.keyMasked}
                </Text>
              </Table.Td>
              <Table.Td>
                <StatusBadge status={k.status} testId={`key-status-${k.id}`} />
              </Table.Td>
              <Table.Td>
                <Spend apiKey={k} />
              </Table.Td>
              <Table.Td>
                <Text size="xs">
                  {t('keys.rpmShort')}: {k.rpmLimit ? formatNumber(k.rpmLimit) : '∞'}
                </Text>
                <Text size="xs">
                  {t('keys.tpmShort')}: {k.tpmLimit ? formatNumber(k.tpmLimit) : '∞'}
                </Text>
              </Table.Td>
              <Table.Td maw={220}>
                {k.allowedModels?.length ? (
                  <Group gap={4}>
                    {k.allowedModels.slice(0, 3).map((m) => (
                      <Badge key={m} size="xs" variant="light" color="gray" tt="none">
                        {m}
                      </Badge>
                    ))}
                    {k.allowedModels.length > 3 ? (
                      <Tooltip label={k.allowedModels.slice(3).join(', ')}>
                        <Badge size="xs" variant="outline" color="gray">
                          +{k.allowedModels.length - 3}
                        </Badge>
                      </Tooltip>
                    ) : null}
                  </Group>
                ) : (
                  <Text size="xs" c="dimmed">
                    {t('keys.allModels')}
                  </Text>
                )}
              </Table.Td>
              <Table.Td>
                <Text size="xs">{k.expiresAt ? formatDate(k.expiresAt) : t('keys.never')}</Text>
              </Table.Td>
              <Table.Td>
                <Text size="xs">{k.lastUsedAt ? formatDateTime(k.lastUsedAt) : t('keys.neverUsed')}</Text>
              </Table.Td>
              <Table.Td>
                {/* Viewers read the list; editing is for operators and admins. */}
                {readOnly ? null : <Group gap={4} justify="flex-end" wrap="nowrap">
                  <Tooltip label={t('keys.editLimits')}>
                    <ActionIcon
                      variant="subtle"
                      color="gray"
                      onClick={() => onEdit(k)}
                      disabled={k.status === 'revoked'}
                      aria-label={t('keys.editLimits')}
                      data-testid={`key-edit-${k.id}`}
                    >
                      <IconPencil size={18} />
                    </ActionIcon>
                  </Tooltip>
                  <Tooltip label={t('keys.revoke')}>
                    <ActionIcon
                      variant="subtle"
                      color="red"
                      onClick={() => onRevoke(k)}
                      disabled={k.status === 'revoked'}
                      aria-label={t('keys.revoke')}
                      data-testid={`key-revoke-${k.id}`}
                    >
                      <IconBan size={18} />
                    </ActionIcon>
                  </Tooltip>
                </Group>}
              </Table.Td>
            </Table.Tr>
          ))}
        </Table.Tbody>
      </Table>
    </Table.ScrollContainer>
  );
}
