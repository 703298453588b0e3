import { Button, Group, Modal, PasswordInput, Select, Stack, Switch, TextInput } from '@mantine/core';
import { notifications } from '@mantine/notifications';
import { useMutation } from '@tanstack/react-query';
import { useEffect, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { ApiError } from '../../api/client';
import { usersApi } from '../../api/endpoints';
import { queryKeys, useInvalidate } from '../../api/hooks';
import type { AdminRole } from '../../api/types';

export const ROLES: AdminRole[] = ['admin', 'operator', 'viewer'];

type Errors<T> = Partial<Record<keyof T & string, string | null>>;

/**
 * A small stand-in for @mantine/form's useForm (that package is not installed here): values,
 * per-field errors, validation on submit, and inputs wired the same way.
 */
function useSimpleForm<T extends object>(initialValues: T, validate: { [K in keyof T]?: (value: T[K], values: T) => string | null }) {
  const [values, setValues] = useState<T>(initialValues);
  const [errors, setErrors] = useState<Errors<T>>({});
  const setFieldError = (field: string, message: string) => setErrors((current) => ({ ...current, [field]: message }));
  const reset = () => {
    setValues(initialValues);
    setErrors({});
  };
  const getInputProps = <K extends keyof T & string>(field: K, options: { type?: 'checkbox' } = {}) => ({
    ...(options.type === 'checkbox' ? { checked: Boolean(values[field]) } : { value: values[field] as unknown as string }),
    error: errors[field] ?? undefined,
    onChange: (input: unknown) => {
      const next =
        input && typeof input === 'object' && 'currentTarget' in input
          ? options.type === 'checkbox'
            ? (input as React.ChangeEvent<HTMLInputElement>).currentTarget.checked
            : (input as React.ChangeEvent<HTMLInputElement>).currentTarget.value
          : input;
      setValues((current) => ({ ...current, [field]: next }));
      setErrors((current) => ({ ...current, [field]: null }));
    },
  });
  const onSubmit = (handler: (values: T) => void) => (event: React.FormEvent) => {
    event.preventDefault();
    const found: Errors<T> = {};
    for (const key of Object.keys(validate) as Array<keyof T & string>) found[key] = validate[key]?.(values[key], values) ?? null;
    setErrors(found);
    if (Object.values(found).every((e) => !e)) handler(values);
  };
  return { values, getInputProps, onSubmit, reset, setFieldError };
}

interface Values {
  username: string;
  displayName: string;
  role: AdminRole;
  ssoOnly: boolean;
  password: string;
}

/** New account: name, role and either a password or "signs in with SSO only". */
export function UserFormModal({ opened, onClose }: { opened: boolean; onClose: () => void }) {
  const { t } = useTranslation();
  const invalidate = useInvalidate();
  const form = useSimpleForm<Values>(
    { username: '', displayName: '', role: 'viewer', ssoOnly: false, password: '' },
    {
      username: (v) => (/^[a-zA-Z0-9][a-zA-Z0-9._@-]{0,63}$/.test(v.trim()) ? null : t('users.usernameInvalid')),
      password: (v, values) => (values.ssoOnly || v.length >= 8 ? null : t('users.passwordTooShort')),
    },
  );
  useEffect(() => {
    if (opened) form.reset();
  }, [opened]);

  const create = useMutation({
    mutationFn: (values: Values) =>
      usersApi.create({
        username: values.username.trim(),
        role: values.role,
        displayName: values.displayName.trim() || null,
        ...(values.ssoOnly ? {} : { password: values.password }),
      }),
    onSuccess: async (user) => {
      await invalidate(queryKeys.users);
      notifications.show({ color: 'teal', message: t('users.created', { name: user.username }) });
      onClose();
    },
    onError: (error) => {
      if (error instanceof ApiError && error.param) form.setFieldError(error.param, error.message);
    },
  });

  return (
    <Modal opened={opened} onClose={onClose} title={t('users.create')} data-testid="user-form-modal">
      <form onSubmit={form.onSubmit((values) => create.mutate(values))} noValidate>
        <Stack gap="sm">
          <TextInput label={t('users.username')} required data-testid="user-username" {...form.getInputProps('username')} />
          <TextInput label={t('users.displayName')} data-testid="user-display-name" {...form.getInputProps('displayName')} />
          <Select
            label={t('users.role')}
            data={ROLES.map((role) => ({ value: role, label: t(`roles.${role}`) }))}
            allowDeselect={false}
            data-testid="user-role"
            {...form.getInputProps('role')}
          />
          <Switch label={t('users.ssoOnly')} description={t('users.ssoOnlyHint')} data-testid="user-sso-only" {...form.getInputProps('ssoOnly', { type: 'checkbox' })} />
          {form.values.ssoOnly ? null : (
            <PasswordInput label={t('users.password')} required data-testid="user-password" autoComplete="new-password" {...form.getInputProps('password')} />
          )}
          <Group justify="flex-end" mt="sm">
            <Button variant="default" onClick={onClose}>
              {t('common.cancel')}
            </Button>
            <Button type="submit" loading={create.isPending} data-testid="user-submit">
              {t('users.create')}
            </Button>
          </Group>
        </Stack>
      </form>
    </Modal>
  );
}

/** Sets another account's password; its sessions end on the server. */
export function ResetPasswordModal({ userId, username, onClose }: { userId: string | null; username: string; onClose: () => void }) {
  const { t } = useTranslation();
  const form = useSimpleForm({ password: '' }, { password: (v) => (v.length >= 8 ? null : t('users.passwordTooShort')) });
  useEffect(() => {
    if (userId) form.reset();
  }, [userId]);
  const reset = useMutation({
    mutationFn: (password: string) => usersApi.resetPassword(userId!, password),
    onSuccess: () => {
      notifications.show({ color: 'teal', message: t('users.passwordReset', { name: username }) });
      onClose();
    },
  });
  return (
    <Modal opened={userId !== null} onClose={onClose} title={t('users.resetPasswordTitle', { name: username })} data-testid="reset-password-modal">
      <form onSubmit={form.onSubmit((values) => reset.mutate(values.password))} noValidate>
        <Stack gap="sm">
          <PasswordInput label={t('users.newPassword')} required data-testid="reset-password-input" autoComplete="new-password" {...form.getInputProps('password')} />
          <Group justify="flex-end">
            <Button variant="default" onClick={onClose}>
              {t('common.cancel')}
            </Button>
            <Button type="submit" loading={reset.isPending} data-testid="reset-password-submit">
              {t('users.resetPassword')}
            </Button>
          </Group>
        </Stack>
      </form>
    </Modal>
  );
}
