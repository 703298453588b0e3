import { Badge, Card, Group, Select, SimpleGrid, Stack, Text, ThemeIcon } from '@mantine/core';
import { notifications } from '@mantine/notifications';
import { IconEye, IconMessageChatbot } from '@tabler/icons-react';
import { useMutation, useQueryClient } from '@tanstack/react-query';
import { useTranslation } from 'react-i18next';
import { modelsApi } from '../../api/endpoints';
import { queryKeys, useActiveModels } from '../../api/hooks';
import { useConfirm } from '../../components/use-confirm';
import type { ActiveKind, Model } from '../../api/types';
import { ModelOption } from './model-option';
import { canServe } from './model-utils';

type ActiveChange = { kind: ActiveKind; key: string; force?: boolean };

/**
 * Switching the active model takes effect immediately for every client of the gateway. A model
 * that cannot answer (no key, disabled) is refused by the gateway unless the operator, warned
 * here first, confirms; a switch the gateway refuses is not reported as a success.
 * Returns the mutation and the confirmation dialog to render once.
 */
export function useSetActiveModel(): [{ change: (kind: ActiveKind, model: Model) => Promise<void>; pending: (kind: ActiveKind) => boolean }, React.ReactNode] {
  const { t } = useTranslation();
  const client = useQueryClient();
  const [confirm, dialog] = useConfirm('active-confirm-modal');
  const mutation = useMutation({
    mutationFn: ({ kind, key, force }: ActiveChange) => modelsApi.setActive(kind, key, force),
    onSuccess: (active, { kind, key }) => {
      client.setQueryData(queryKeys.activeModels, active);
      void client.invalidateQueries({ queryKey: queryKeys.models });
      notifications.show({
        color: 'teal',
        title: t('models.activeChanged'),
        message: t(kind === 'vision' ? 'models.activeVisionNow' : 'models.activeLanguageNow', { key }),
        'data-testid': 'active-changed-notification',
      });
    },
  });
  const change = async (kind: ActiveKind, model: Model) => {
    let force = false;
    if (model.status !== 'usable') {
      const reason = model.status === 'key_missing' ? t('models.notUsableKey', { provider: model.provider }) : t('models.notUsableDisabled');
      const ok = await confirm({
        title: t('models.notUsableTitle'),
        message: t('models.notUsableConfirm', { key: model.key, reason }),
        confirmLabel: t('models.notUsableForce'),
      });
      if (!ok) return;
      force = true;
    }
    mutation.mutate({ kind, key: model.key, force });
  };
  return [{ change, pending: (kind) => mutation.isPending && mutation.variables?.kind === kind }, dialog];
}

function ActiveSelect({ kind, models, setActive }: { kind: ActiveKind; models: Model[]; setActive: ReturnType<typeof useSetActiveModel>[0] }) {
  const { t } = useTranslation();
  const active = useActiveModels();
  const current = active.data?.[kind]?.key ?? null;
  const byKey = new Map(models.map((model) => [model.key, model]));
  const candidates = models.filter((model) => canServe(model, kind) || model.key === current);
  const Icon = kind === 'vision' ? IconEye : IconMessageChatbot;
  const pending = setActive.pending(kind);

  return (
    <Card padding="md">
      <Group gap="sm" mb="xs" wrap="nowrap" justify="space-between">
        <Group gap="sm" wrap="nowrap">
          <ThemeIcon variant="light" color={kind === 'vision' ? 'grape' : 'indigo'} radius="md">
            <Icon size={18} />
          </ThemeIcon>
          <Stack gap={0}>
            <Text fw={600} size="sm">
              {t(kind === 'vision' ? 'models.activeVision' : 'models.activeLanguage')}
            </Text>
            <Text size="xs" c="dimmed">
              {t('models.activeHint')}
            </Text>
          </Stack>
        </Group>
        {current ? (
          <Badge size="sm" variant="dot" color="teal" style={{ flexShrink: 0 }}>
            {t('models.live')}
          </Badge>
        ) : null}
      </Group>
      <Select
        data-testid={`active-${kind}-select`}
        data-value={current ?? ''}
        aria-label={t(kind === 'vision' ? 'models.activeVision' : 'models.activeLanguage')}
        placeholder={active.isLoading ? t('common.loading') : t('models.noActive')}
        data={candidates.map((model) => ({ value: model.key, label: model.key }))}
        value={current}
        searchable
        allowDeselect={false}
        nothingFoundMessage={t('common.nothingFound')}
        disabled={active.isLoading || pending}
        onChange={(key) => {
          const model = key ? byKey.get(key) : undefined;
          if (model && key !== current) void setActive.change(kind, model);
        }}
        renderOption={({ option }) => <ModelOption option={option} model={byKey.get(option.value)} />}
      />
    </Card>
  );
}

export function ActiveModelsBar({ models, setActive }: { models: Model[]; setActive: ReturnType<typeof useSetActiveModel>[0] }) {
  return (
    <SimpleGrid cols={{ base: 1, md: 2 }} spacing="md" data-testid="active-models">
      <ActiveSelect kind="language" models={models} setActive={setActive} />
      <ActiveSelect kind="vision" models={models} setActive={setActive} />
    </SimpleGrid>
  );
}
