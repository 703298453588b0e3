import { Badge, Card, Group, Select, SimpleGrid, Stack, Text, ThemeIcon } from '@mantine/core';
import { notifications } from '@mantine/notifications';
import { IconEye, IconMessageChatbot } from '@tabler/icons-react';
import { useMutation, useQueryClient } from '@tanstack/react-query';
import { useTranslation } from 'react-i18next';
import { modelsApi } from '../../api/endpoints';
import { queryKeys, useActiveModels } from '../../api/hooks';
import type { ActiveKind, Model } from '../../api/types';
import { ModelOption } from './model-option';
import { canServe } from './model-utils';

/** Switching the active model takes effect immediately for every client of the gateway. */
export function useSetActiveModel() {
  const { t } = useTranslation();
  const client = useQueryClient();
  return useMutation({
    mutationFn: ({ kind, key }: { kind: ActiveKind; key: string }) => modelsApi.setActive(kind, key),
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
}

function ActiveSelect({ kind, models }: { kind: ActiveKind; models: Model[] }) {
  const { t } = useTranslation();
  const active = useActiveModels();
  const setActive = useSetActiveModel();
  const current = active.data?.[kind]?.key ?? null;
  const byKey = new Map(models.map((model) => [model.key, model]));
  const candidates = models.filter((model) => canServe(model, kind) || model.key === current);
  const Icon = kind === 'vision' ? IconEye : IconMessageChatbot;
  const pending = setActive.isPending && setActive.variables?.kind === kind;

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
          if (key && key !== current) setActive.mutate({ kind, key });
        }}
        renderOption={({ option }) => <ModelOption option={option} model={byKey.get(option.value)} />}
      />
    </Card>
  );
}

export function ActiveModelsBar({ models }: { models: Model[] }) {
  return (
    <SimpleGrid cols={{ base: 1, md: 2 }} spacing="md" data-testid="active-models">
      <ActiveSelect kind="language" models={models} />
      <ActiveSelect kind="vision" models={models} />
    </SimpleGrid>
  );
}
