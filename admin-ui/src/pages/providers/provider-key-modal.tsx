import { Alert, Button, Group, Modal, PasswordInput, Stack, Text } from '@mantine/core';
import { notifications } from '@mantine/notifications';
import { IconShieldLock } from '@tabler/icons-react';
import { useMutation } from '@tanstack/react-query';
import { useEffect, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { providersApi } from '../../api/endpoints';
import { queryKeys, useInvalidate } from '../../api/hooks';
import type { Provider } from '../../api/types';

export function ProviderKeyModal({ provider, onClose }: { provider: Provider | null; onClose: () => void }) {
  const { t } = useTranslation();
  const invalidate = useInvalidate();
  const [apiKey, setApiKey] = useState('');
  const [error, setError] = useState<string | null>(null);

  useEffect(() => {
    setApiKey('');
    setError(null);
  }, [provider?.name]);

  const save = useMutation({
    mutationFn: ({ name, key }: { name: string; key: string }) => providersApi.setKey(name, key),
    onSuccess: async (saved) => {
      setApiKey('');
      await invalidate(queryKeys.providers, queryKeys.models);
      notifications.show({ color: 'teal', message: t('providers.keySaved', { name: saved.name, masked: saved.keyMasked ?? '' }) });
      onClose();
    },
  });

  const submit = (event: React.FormEvent) => {
    event.preventDefault();
    if (!provider) return;
    if (!apiKey.trim()) {
      setError(t('validation.required'));
      return;
    }
    save.mutate({ name: provider.name, key: apiKey.trim() });
  };

  return (
    <Modal
      opened={provider !== null}
      onClose={onClose}
      title={t(provider?.keyMasked ? 'providers.replaceKeyTitle' : 'providers.setKeyTitle', { name: provider?.name ?? '' })}
      data-testid="provider-key-modal"
    >
      <form onSubmit={submit} noValidate>
        <Stack gap="sm">
          {provider?.keyMasked ? (
            <Text size="sm">
              {t('providers.currentKey')}: <code>{provider.keyMasked}</code>
            </Text>
          ) : null}
          <PasswordInput
            label={t('providers.apiKey')}
            value={apiKey}
            onChange={(e) => {
              setApiKey(e.currentTarget.value);
              setError(null);
            }}
            error={error}
            autoComplete="off"
            data-testid="provider-key-input"
          />
          <Alert variant="light" color="gray" icon={<IconShieldLock size={18} />}>
            {t('providers.keyNotice')}
          </Alert>
          <Group justify="flex-end" mt="sm">
            <Button variant="default" onClick={onClose}>
              {t('common.cancel')}
            </Button>
            <Button type="submit" loading={save.isPending} data-testid="provider-key-save">
              {t('common.save')}
            </Button>
          </Group>
        </Stack>
      </form>
    </Modal>
  );
}
