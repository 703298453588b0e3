import { Button, Card, Group, PasswordInput, Stack, Text } from '@mantine/core';
import { notifications } from '@mantine/notifications';
import { useMutation } from '@tanstack/react-query';
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { ApiError } from '../../api/client';
import { settingsApi } from '../../api/endpoints';

const MIN_LENGTH = 8;

export function PasswordForm() {
  const { t } = useTranslation();
  const [current, setCurrent] = useState('');
  const [next, setNext] = useState('');
  const [repeat, setRepeat] = useState('');
  const [errors, setErrors] = useState<{ current?: string; next?: string; repeat?: string }>({});

  const change = useMutation({
    mutationFn: () => settingsApi.changePassword(current, next),
    onSuccess: () => {
      setCurrent('');
      setNext('');
      setRepeat('');
      notifications.show({ color: 'teal', message: t('settings.passwordChanged'), 'data-testid': 'password-changed-notification' });
    },
    onError: (error) => {
      if (error instanceof ApiError && error.status === 401) setErrors({ current: t('settings.wrongPassword') });
    },
  });

  const submit = (event: React.FormEvent) => {
    event.preventDefault();
    const problems: typeof errors = {};
    if (!current) problems.current = t('validation.required');
    if (next.length < MIN_LENGTH) problems.next = t('settings.passwordTooShort', { min: MIN_LENGTH });
    if (repeat !== next) problems.repeat = t('settings.passwordMismatch');
    setErrors(problems);
    if (Object.keys(problems).length === 0) change.mutate();
  };

  return (
    <Card h="100%">
      <form onSubmit={submit} noValidate>
        <Stack gap="sm">
          <div>
            <Text fw={600}>{t('settings.password')}</Text>
            <Text size="sm" c="dimmed">
              {t('settings.passwordHint', { min: MIN_LENGTH })}
            </Text>
          </div>
          <PasswordInput
            label={t('settings.currentPassword')}
            value={current}
            onChange={(e) => setCurrent(e.currentTarget.value)}
            error={errors.current}
            autoComplete="current-password"
            data-testid="password-current"
          />
          <PasswordInput
            label={t('settings.newPassword')}
            value={next}
            onChange={(e) => setNext(e.currentTarget.value)}
            error={errors.next}
            autoComplete="new-password"
            data-testid="password-new"
          />
          <PasswordInput
            label={t('settings.repeatPassword')}
            value={repeat}
            onChange={(e) => setRepeat(e.currentTarget.value)}
            error={errors.repeat}
            autoComplete="new-password"
            data-testid="password-confirm"
          />
          <Group justify="flex-end">
            <Button type="submit" loading={change.isPending} data-testid="password-save">
              {t('settings.changePassword')}
            </Button>
          </Group>
        </Stack>
      </form>
    </Card>
  );
}
