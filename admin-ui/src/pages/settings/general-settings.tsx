import { Button, Card, Group, Skeleton, Stack, Text, TextInput } from '@mantine/core';
import { notifications } from '@mantine/notifications';
import { useMutation, useQueryClient } from '@tanstack/react-query';
import { useEffect, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { settingsApi } from '../../api/endpoints';
import { queryKeys, useSettings } from '../../api/hooks';
import type { AuthInfo } from '../../api/types';

export function GeneralSettings() {
  const { t } = useTranslation();
  const settings = useSettings();
  const client = useQueryClient();
  const [name, setName] = useState('');
  const [error, setError] = useState<string | null>(null);

  useEffect(() => {
    if (settings.data) setName(settings.data.platformName);
  }, [settings.data]);

  const save = useMutation({
    mutationFn: settingsApi.update,
    onSuccess: (saved) => {
      client.setQueryData(queryKeys.settings, saved);
      // The header and document title read the public info; update it in place.
      client.setQueryData<AuthInfo>(queryKeys.info, (info) => (info ? { ...info, platformName: saved.platformName } : info));
      void client.invalidateQueries({ queryKey: queryKeys.info });
      notifications.show({ color: 'teal', message: t('settings.saved') });
    },
  });

  const submit = (event: React.FormEvent) => {
    event.preventDefault();
    if (!name.trim()) {
      setError(t('validation.required'));
      return;
    }
    setError(null);
    save.mutate({ platformName: name.trim() });
  };

  return (
    <Card h="100%">
      <form onSubmit={submit} noValidate>
        <Stack gap="sm">
          <div>
            <Text fw={600}>{t('settings.general')}</Text>
            <Text size="sm" c="dimmed">
              {t('settings.generalHint')}
            </Text>
          </div>
          {settings.isLoading ? (
            <Skeleton h={60} />
          ) : (
            <TextInput
              label={t('settings.platformName')}
              value={name}
              onChange={(e) => setName(e.currentTarget.value)}
              error={error}
              maxLength={100}
              data-testid="settings-platform-name"
            />
          )}
          <Group justify="flex-end">
            <Button type="submit" loading={save.isPending} disabled={settings.isLoading} data-testid="settings-save">
              {t('common.save')}
            </Button>
          </Group>
        </Stack>
      </form>
    </Card>
  );
}
