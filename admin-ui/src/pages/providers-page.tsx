import { Button, SimpleGrid, Skeleton, Stack } from '@mantine/core';
import { notifications } from '@mantine/notifications';
import { IconPlus, IconServer2 } from '@tabler/icons-react';
import { useMutation } from '@tanstack/react-query';
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { ApiError } from '../api/client';
import { providersApi } from '../api/endpoints';
import { queryKeys, useInvalidate, useProviders } from '../api/hooks';
import type { Provider, ProviderTestResult } from '../api/types';
import { useCan } from '../auth/auth-provider';
import { PageHeader } from '../components/page-header';
import { Empty, QueryError } from '../components/query-state';
import { useConfirm } from '../components/use-confirm';
import { ProviderCard } from './providers/provider-card';
import { ProviderFormModal } from './providers/provider-form-modal';
import { ProviderKeyModal } from './providers/provider-key-modal';
import { ProviderPoolDrawer } from './providers/provider-pool-drawer';

export default function ProvidersPage() {
  const { t } = useTranslation();
  // Viewers do not get the add buttons; the server refuses their changes regardless.
  const canEdit = useCan('operator');
  const providers = useProviders();
  const invalidate = useInvalidate();
  const [confirm, confirmElement] = useConfirm();
  const [formOpen, setFormOpen] = useState(false);
  const [editing, setEditing] = useState<Provider | null>(null);
  const [keyTarget, setKeyTarget] = useState<Provider | null>(null);
  const [poolTarget, setPoolTarget] = useState<Provider | null>(null);
  const [results, setResults] = useState<Record<string, ProviderTestResult>>({});
  const [testing, setTesting] = useState<Record<string, boolean>>({});

  const refresh = () => invalidate(queryKeys.providers, queryKeys.models);
  const update = useMutation({
    mutationFn: ({ name, enabled }: { name: string; enabled: boolean }) => providersApi.update(name, { enabled }),
    onSuccess: refresh,
  });
  const removeKey = useMutation({ mutationFn: providersApi.removeKey, onSuccess: refresh });
  const remove = useMutation({ mutationFn: providersApi.remove, onSuccess: refresh });

  const test = async (name: string) => {
    setTesting((s) => ({ ...s, [name]: true }));
    const started = performance.now();
    try {
      const result = await providersApi.test(name);
      setResults((r) => ({ ...r, [name]: result }));
      // The gateway recorded it as the provider's last check.
      void invalidate(queryKeys.providers);
    } catch (error) {
      // A failed probe is still an answer worth showing next to the provider.
      const message = error instanceof Error ? error.message : t('errors.unknown');
      const code = error instanceof ApiError ? (error.code ?? 'error') : 'error';
      setResults((r) => ({ ...r, [name]: { ok: false, latencyMs: performance.now() - started, error: { message, code } } }));
    } finally {
      setTesting((s) => ({ ...s, [name]: false }));
    }
  };

  const onRemoveKey = async (p: Provider) => {
    const ok = await confirm({
      title: t('providers.removeKeyTitle'),
      message: t('providers.removeKeyConfirm', { name: p.name }),
      confirmLabel: t('providers.removeKey'),
    });
    if (ok) {
      await removeKey.mutateAsync(p.name).catch(() => undefined);
    }
  };

  const onDelete = async (p: Provider) => {
    const ok = await confirm({
      title: t('providers.deleteTitle'),
      message: t('providers.deleteConfirm', { name: p.name }),
      confirmLabel: t('common.delete'),
    });
    if (!ok) return;
    try {
      await remove.mutateAsync(p.name);
      notifications.show({ color: 'teal', message: t('providers.deleted', { name: p.name }) });
    } catch {
      // The client showed the server's reason (e.g. 409: it serves an active model).
    }
  };

  const list = providers.data ?? [];
  const protocols = Array.from(new Set(list.map((p) => p.protocol).filter(Boolean)));

  return (
    <Stack gap="lg">
      <PageHeader
        title={t('providers.title')}
        description={t('providers.description')}
        actions={
          canEdit &&
          <Button
            leftSection={<IconPlus size={16} />}
            onClick={() => {
              setEditing(null);
              setFormOpen(true);
            }}
            data-testid="add-provider-button"
          >
            {t('providers.add')}
          </Button>
        }
      />
      {providers.isLoading ? (
        <SimpleGrid cols={{ base: 1, md: 2, xl: 3 }}>
          {[0, 1, 2].map((i) => (
            <Skeleton key={i} h={220} />
          ))}
        </SimpleGrid>
      ) : providers.isError ? (
        <QueryError error={providers.error} onRetry={() => void providers.refetch()} />
      ) : list.length === 0 ? (
        <Empty title={t('providers.empty')} description={t('providers.emptyHint')} icon={<IconServer2 size={28} />} />
      ) : (
        <SimpleGrid cols={{ base: 1, md: 2, xl: 3 }} spacing="md" data-testid="providers-list">
          {list.map((p) => (
            <ProviderCard
              key={p.name}
              provider={p}
              testing={Boolean(testing[p.name])}
              testResult={results[p.name]}
              onTest={() => void test(p.name)}
              onSetKey={() => setKeyTarget(p)}
              onPool={() => setPoolTarget(p)}
              onRemoveKey={() => void onRemoveKey(p)}
              onToggle={(enabled) => update.mutate({ name: p.name, enabled })}
              onEdit={() => {
                setEditing(p);
                setFormOpen(true);
              }}
              onDelete={() => void onDelete(p)}
            />
          ))}
        </SimpleGrid>
      )}
      <ProviderFormModal opened={formOpen} onClose={() => setFormOpen(false)} provider={editing} protocols={protocols} />
      <ProviderKeyModal provider={keyTarget} onClose={() => setKeyTarget(null)} />
      <ProviderPoolDrawer provider={poolTarget} onClose={() => setPoolTarget(null)} />
      {confirmElement}
    </Stack>
  );
}
