import { Button, Card, Group, Pagination, Select, Stack, Text, TextInput } from '@mantine/core';
import { notifications } from '@mantine/notifications';
import { IconPlus, IconSearch, IconStack2 } from '@tabler/icons-react';
import { useMutation } from '@tanstack/react-query';
import { useEffect, useMemo, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { ApiError, notifyError } from '../api/client';
import { modelsApi } from '../api/endpoints';
import { queryKeys, useInvalidate, useModels } from '../api/hooks';
import { MODEL_TYPES, type Model } from '../api/types';
import { useCan } from '../auth/auth-provider';
import { PageHeader } from '../components/page-header';
import { TableSkeleton } from '../components/page-skeleton';
import { Empty, QueryError } from '../components/query-state';
import { useConfirm } from '../components/use-confirm';
import { ActiveModelsBar, useSetActiveModel } from './models/active-models-bar';
import { ModelFormModal } from './models/model-form-modal';
import { pageModelGroups } from './models/model-pages';
import { modelTypes } from './models/model-utils';
import { ModelsTable } from './models/models-table';

export default function ModelsPage() {
  const { t } = useTranslation();
  // Viewers do not get the add buttons; the server refuses their changes regardless.
  const canEdit = useCan('operator');
  const models = useModels();
  const invalidate = useInvalidate();
  const [setActive, activeDialog] = useSetActiveModel();
  const [confirm, confirmElement] = useConfirm();
  const [provider, setProvider] = useState<string | null>(null);
  const [type, setType] = useState<string | null>(null);
  const [search, setSearch] = useState('');
  const [editing, setEditing] = useState<Model | null>(null);
  const [formOpen, setFormOpen] = useState(false);
  const [page, setPage] = useState(1);
  const [pageSize, setPageSize] = useState(50);
  const [collapsed, setCollapsed] = useState<ReadonlySet<string>>(() => new Set());

  const all = models.data ?? [];
  const providers = useMemo(() => Array.from(new Set(all.map((m) => m.provider))).sort(), [all]);
  const filtered = useMemo(() => {
    const needle = search.trim().toLowerCase();
    return all.filter(
      (m) =>
        (!provider || m.provider === provider) &&
        (!type || modelTypes(m).includes(type)) &&
        (!needle ||
          [m.key, m.displayName, m.displayNameEn, m.upstreamName, ...m.aliases].some((v) => v?.toLowerCase().includes(needle))),
    );
  }, [all, provider, type, search]);
  // New filters start from the first page.
  useEffect(() => setPage(1), [provider, type, search, pageSize]);
  const paged = useMemo(() => pageModelGroups(filtered, collapsed, page, pageSize), [filtered, collapsed, page, pageSize]);
  const toggleGroup = (name: string) =>
    setCollapsed((current) => {
      const next = new Set(current);
      if (next.has(name)) next.delete(name);
      else next.add(name);
      return next;
    });
  const allCollapsed = paged.providers.length > 0 && paged.providers.every((name) => collapsed.has(name));

  const toggle = useMutation({
    mutationFn: ({ model, enabled }: { model: Model; enabled: boolean }) => modelsApi.update(model.key, { enabled }),
    onSuccess: () => invalidate(queryKeys.models, queryKeys.providers),
  });

  const remove = useMutation({
    mutationFn: (model: Model) => modelsApi.remove(model.key).then(() => model),
    onSuccess: async (model) => {
      await invalidate(queryKeys.models, queryKeys.providers);
      notifications.show({ color: 'teal', message: t('models.deleted', { key: model.key }) });
    },
  });

  const onDelete = async (model: Model) => {
    const ok = await confirm({
      title: t('models.deleteTitle'),
      message: t('models.deleteConfirm', { key: model.key }),
      confirmLabel: t('common.delete'),
    });
    if (!ok) return;
    try {
      await remove.mutateAsync(model);
    } catch (error) {
      // The client has already shown the server's message; 409 model_is_active gets a hint on top.
      if (error instanceof ApiError && error.code === 'model_is_active') {
        notifyError(new Error(t('models.deleteActiveHint')));
      }
    }
  };

  const openForm = (model: Model | null) => {
    setEditing(model);
    setFormOpen(true);
  };

  return (
    <Stack gap="lg">
      <PageHeader
        title={t('models.title')}
        description={t('models.description')}
        actions={
          canEdit &&
          <Button leftSection={<IconPlus size={16} />} onClick={() => openForm(null)} data-testid="add-model-button">
            {t('models.add')}
          </Button>
        }
      />
      <ActiveModelsBar models={all} setActive={setActive} />
      <Card padding={0}>
        <Group p="md" gap="sm" wrap="wrap">
          <TextInput
            placeholder={t('models.searchPlaceholder')}
            leftSection={<IconSearch size={16} />}
            value={search}
            onChange={(e) => setSearch(e.currentTarget.value)}
            style={{ flex: '1 1 220px' }}
            data-testid="filter-search"
          />
          <Select
            placeholder={t('models.allProviders')}
            data={providers}
            value={provider}
            onChange={setProvider}
            clearable
            searchable
            w={{ base: '100%', xs: 200 }}
            data-testid="filter-provider"
          />
          <Select
            placeholder={t('models.allTypes')}
            data={MODEL_TYPES.map((value) => ({ value, label: t(`modelType.${value}`) }))}
            value={type}
            onChange={setType}
            clearable
            w={{ base: '100%', xs: 170 }}
            data-testid="filter-type"
          />
          <Text size="sm" c="dimmed" data-testid="models-count">
            {t('models.count', { shown: filtered.length, total: all.length })}
          </Text>
        </Group>
        {models.isLoading ? (
          <Stack p="md">
            <TableSkeleton />
          </Stack>
        ) : models.isError ? (
          <Stack p="md">
            <QueryError error={models.error} onRetry={() => void models.refetch()} />
          </Stack>
        ) : filtered.length === 0 ? (
          <Empty
            title={all.length ? t('models.noMatch') : t('models.empty')}
            description={all.length ? t('models.noMatchHint') : t('models.emptyHint')}
            icon={<IconStack2 size={28} />}
          />
        ) : (
          <>
            <ModelsTable
              groups={paged.groups}
              onToggleGroup={toggleGroup}
              onActivate={(kind, model) => void setActive.change(kind, model)}
              onToggle={(model, enabled) => toggle.mutate({ model, enabled })}
              onEdit={(model) => openForm(model)}
              onDelete={(model) => void onDelete(model)}
              busyKey={toggle.isPending ? (toggle.variables?.model.key ?? null) : null}
            />
            <Group justify="space-between" p="md" gap="sm">
              <Button
                variant="subtle"
                size="xs"
                onClick={() => setCollapsed(allCollapsed ? new Set() : new Set(paged.providers))}
                data-testid="models-collapse-all"
              >
                {allCollapsed ? t('models.expandAll') : t('models.collapseAll')}
              </Button>
              <Group gap="sm">
                <Select
                  data={['25', '50', '100'].map((value) => ({ value, label: t('models.perPage', { count: Number(value) }) }))}
                  value={String(pageSize)}
                  onChange={(v) => setPageSize(Number(v ?? 50))}
                  allowDeselect={false}
                  w={130}
                  size="xs"
                  aria-label={t('models.perPage', { count: pageSize })}
                  data-testid="models-page-size"
                />
                <Pagination total={paged.pages} value={paged.page} onChange={setPage} size="sm" data-testid="models-pagination" />
              </Group>
            </Group>
          </>
        )}
      </Card>
      <ModelFormModal opened={formOpen} onClose={() => setFormOpen(false)} model={editing} />
      {confirmElement}
      {activeDialog}
    </Stack>
  );
}
