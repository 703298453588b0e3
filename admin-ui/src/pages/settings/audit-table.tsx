import { ActionIcon, Badge, Card, Code, Group, Modal, Pagination, Stack, Table, Text, Tooltip } from '@mantine/core';
import { notifications } from '@mantine/notifications';
import { IconArrowBackUp, IconHistory, IconListDetails } from '@tabler/icons-react';
import { useMutation, useQueryClient } from '@tanstack/react-query';
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { configApi } from '../../api/endpoints';
import { useAudit } from '../../api/hooks';
import type { AuditEntry } from '../../api/types';
import { TableSkeleton } from '../../components/page-skeleton';
import { Empty, QueryError } from '../../components/query-state';
import { useConfirm } from '../../components/use-confirm';
import { formatDateTime } from '../../utils/format';

const PAGE_SIZE = 20;

const diffText = (diff: unknown) => (typeof diff === 'string' ? diff : JSON.stringify(diff, null, 2));

export function AuditTable() {
  const { t } = useTranslation();
  const client = useQueryClient();
  const [page, setPage] = useState(1);
  const audit = useAudit(page, PAGE_SIZE);
  const [confirm, confirmElement] = useConfirm();
  const [shown, setShown] = useState<AuditEntry | null>(null);

  const rollback = useMutation({
    mutationFn: (entry: AuditEntry) => configApi.rollback(entry.id),
    onSuccess: (result) => {
      // Rolling back can change providers, models, keys and settings alike.
      void client.invalidateQueries();
      notifications.show({ color: 'teal', message: t('settings.rolledBack', { version: result.version }) });
    },
  });

  const onRollback = async (entry: AuditEntry) => {
    const ok = await confirm({
      title: t('settings.rollbackTitle'),
      message: t('settings.rollbackConfirm', { version: entry.version, action: entry.action, target: entry.target }),
      confirmLabel: t('settings.rollback'),
    });
    if (ok) rollback.mutate(entry);
  };

  const rows = audit.data?.data ?? [];
  const pages = Math.max(1, Math.ceil((audit.data?.total ?? 0) / PAGE_SIZE));

  return (
    <Card padding={0}>
      <Group p="md" gap="xs">
        <IconHistory size={18} />
        <div>
          <Text fw={600}>{t('settings.audit')}</Text>
          <Text size="sm" c="dimmed">
            {t('settings.auditHint')}
          </Text>
        </div>
      </Group>
      {audit.isLoading ? (
        <Stack p="md">
          <TableSkeleton rows={4} />
        </Stack>
      ) : audit.isError ? (
        <Stack p="md">
          <QueryError error={audit.error} onRetry={() => void audit.refetch()} />
        </Stack>
      ) : rows.length === 0 ? (
        <Empty title={t('settings.auditEmpty')} icon={<IconHistory size={28} />} />
      ) : (
        <Table.ScrollContainer minWidth={720}>
          <Table verticalSpacing="xs" fz="sm" highlightOnHover data-testid="audit-table">
            <Table.Thead>
              <Table.Tr>
                <Table.Th>{t('settings.version')}</Table.Th>
                <Table.Th>{t('settings.time')}</Table.Th>
                <Table.Th>{t('settings.actor')}</Table.Th>
                <Table.Th>{t('settings.action')}</Table.Th>
                <Table.Th>{t('settings.target')}</Table.Th>
                <Table.Th ta="right">{t('common.actions')}</Table.Th>
              </Table.Tr>
            </Table.Thead>
            <Table.Tbody>
              {rows.map((entry) => (
                <Table.Tr key={entry.id} data-testid={`audit-row-${entry.id}`}>
                  <Table.Td>
                    <Badge variant="light" color="gray" tt="none">
                      v{entry.version}
                    </Badge>
                  </Table.Td>
                  <Table.Td style={{ whiteSpace: 'nowrap' }}>{formatDateTime(entry.time)}</Table.Td>
                  <Table.Td>{entry.actor}</Table.Td>
                  <Table.Td>
                    <Code>{entry.action}</Code>
                  </Table.Td>
                  <Table.Td>{entry.target}</Table.Td>
                  <Table.Td>
                    <Group gap={4} justify="flex-end" wrap="nowrap">
                      <Tooltip label={t('settings.showDiff')}>
                        <ActionIcon variant="subtle" color="gray" onClick={() => setShown(entry)} aria-label={t('settings.showDiff')} data-testid={`audit-diff-${entry.id}`}>
                          <IconListDetails size={18} />
                        </ActionIcon>
                      </Tooltip>
                      <Tooltip label={t('settings.rollback')}>
                        <ActionIcon
                          variant="subtle"
                          color="orange"
                          onClick={() => void onRollback(entry)}
                          loading={rollback.isPending && rollback.variables?.id === entry.id}
                          aria-label={t('settings.rollback')}
                          data-testid={`audit-rollback-${entry.id}`}
                        >
                          <IconArrowBackUp size={18} />
                        </ActionIcon>
                      </Tooltip>
                    </Group>
                  </Table.Td>
                </Table.Tr>
              ))}
            </Table.Tbody>
          </Table>
        </Table.ScrollContainer>
      )}
      {pages > 1 ? (
        <Group justify="flex-end" p="md">
          <Pagination total={pages} value={page} onChange={setPage} size="sm" data-testid="audit-pagination" />
        </Group>
      ) : null}
      <Modal opened={shown !== null} onClose={() => setShown(null)} title={t('settings.diffTitle', { version: shown?.version ?? '' })} size="xl">
        <Code block fz="xs" data-testid="audit-diff-content">
          {shown ? diffText(shown.diff) : ''}
        </Code>
      </Modal>
      {confirmElement}
    </Card>
  );
}
