import { Button, Card, Stack } from '@mantine/core';
import { notifications } from '@mantine/notifications';
import { IconKey, IconPlus } from '@tabler/icons-react';
import { useMutation } from '@tanstack/react-query';
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { keysApi } from '../api/endpoints';
import { queryKeys, useApiKeys, useInvalidate } from '../api/hooks';
import type { ApiKey, CreatedApiKey } from '../api/types';
import { useCan } from '../auth/auth-provider';
import { PageHeader } from '../components/page-header';
import { KeysNotEnforcedNotice } from '../components/security-notices';
import { TableSkeleton } from '../components/page-skeleton';
import { Empty, QueryError } from '../components/query-state';
import { useConfirm } from '../components/use-confirm';
import { CreatedKeyModal } from './keys/created-key-modal';
import { KeyFormModal } from './keys/key-form-modal';
import { KeysTable } from './keys/keys-table';

export default function KeysPage() {
  const { t } = useTranslation();
  const keys = useApiKeys();
  const invalidate = useInvalidate();
  const [confirm, confirmElement] = useConfirm();
  const canEdit = useCan('operator');
  const [formOpen, setFormOpen] = useState(false);
  const [editing, setEditing] = useState<ApiKey | null>(null);
  const [created, setCreated] = useState<CreatedApiKey | null>(null);

  const revoke = useMutation({
    mutationFn: keysApi.revoke,
    onSuccess: async (k) => {
      await invalidate(queryKeys.keys);
      notifications.show({ color: 'teal', message: t('keys.revoked', { name: k.name }) });
    },
  });

  const onRevoke = async (k: ApiKey) => {
    const ok = await confirm({
      title: t('keys.revokeTitle'),
      message: t('keys.revokeConfirm', { name: k.name, masked: k.keyMasked }),
      confirmLabel: t('keys.revoke'),
    });
    if (ok) revoke.mutate(k.id);
  };

  const openForm = (k: ApiKey | null) => {
    setEditing(k);
    setFormOpen(true);
  };

  const list = keys.data ?? [];
  const createButton = (
    <Button leftSection={<IconPlus size={16} />} onClick={() => openForm(null)} data-testid="create-key-button">
      {t('keys.create')}
    </Button>
  );

  return (
    <Stack gap="lg">
      <PageHeader title={t('keys.title')} description={t('keys.description')} actions={canEdit ? createButton : undefined} />
      <KeysNotEnforcedNotice />
      <Card padding={0}>
        {keys.isLoading ? (
          <Stack p="md">
            <TableSkeleton />
          </Stack>
        ) : keys.isError ? (
          <Stack p="md">
            <QueryError error={keys.error} onRetry={() => void keys.refetch()} />
          </Stack>
        ) : list.length === 0 ? (
          <Empty title={t('keys.empty')} description={t('keys.emptyHint')} icon={<IconKey size={28} />} />
        ) : (
          <KeysTable keys={list} onEdit={openForm} onRevoke={(k) => void onRevoke(k)} readOnly={!canEdit} />
        )}
      </Card>
      <KeyFormModal opened={formOpen} apiKey={editing} onClose={() => setFormOpen(false)} onCreated={setCreated} />
      <CreatedKeyModal created={created} onClose={() => setCreated(null)} />
      {confirmElement}
    </Stack>
  );
}
