import { ActionIcon, Badge, Button, Card, Group, Menu, Select, Stack, Switch, Table, Text, Tooltip } from '@mantine/core';
import { notifications } from '@mantine/notifications';
import { IconDots, IconKey, IconPlus, IconTrash, IconUsers } from '@tabler/icons-react';
import { useMutation } from '@tanstack/react-query';
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { usersApi } from '../api/endpoints';
import { queryKeys, useInvalidate, useUsers } from '../api/hooks';
import type { AdminRole, AdminUser } from '../api/types';
import { useAuth } from '../auth/auth-provider';
import { PageHeader } from '../components/page-header';
import { TableSkeleton } from '../components/page-skeleton';
import { Empty, QueryError } from '../components/query-state';
import { useConfirm } from '../components/use-confirm';
import { formatDateTime } from '../utils/format';
import { ResetPasswordModal, ROLES, UserFormModal } from './users/user-form-modal';

/** Admin accounts and their roles (admins only; the server refuses the API to others). */
export default function UsersPage() {
  const { t } = useTranslation();
  const { user: me } = useAuth();
  const users = useUsers();
  const invalidate = useInvalidate();
  const [confirm, confirmElement] = useConfirm();
  const [formOpen, setFormOpen] = useState(false);
  const [resetting, setResetting] = useState<AdminUser | null>(null);

  const update = useMutation({
    mutationFn: ({ id, body }: { id: string; body: Partial<Pick<AdminUser, 'role' | 'disabled'>> }) => usersApi.update(id, body),
    onSuccess: async (user) => {
      notifications.show({ color: 'teal', message: t('users.updated', { name: user.username }) });
    },
    onSettled: () => invalidate(queryKeys.users),
  });
  const remove = useMutation({
    mutationFn: (user: AdminUser) => usersApi.remove(user.id),
    onSuccess: async (_ok, user) => {
      await invalidate(queryKeys.users);
      notifications.show({ color: 'teal', message: t('users.deleted', { name: user.username }) });
    },
  });

  const onDelete = async (user: AdminUser) => {
    const ok = await confirm({ title: t('users.deleteTitle'), message: t('users.deleteConfirm', { name: user.username }), confirmLabel: t('common.delete'), danger: true });
    if (ok) remove.mutate(user);
  };

  const list = users.data ?? [];
  return (
    <Stack gap="lg">
      <PageHeader
        title={t('users.title')}
        description={t('users.description')}
        actions={
          <Button leftSection={<IconPlus size={16} />} onClick={() => setFormOpen(true)} data-testid="create-user-button">
            {t('users.create')}
          </Button>
        }
      />
      <Card padding={0}>
        {users.isLoading ? (
          <Stack p="md">
            <TableSkeleton />
          </Stack>
        ) : users.isError ? (
          <Stack p="md">
            <QueryError error={users.error} onRetry={() => void users.refetch()} />
          </Stack>
        ) : list.length === 0 ? (
          <Empty title={t('users.empty')} icon={<IconUsers size={28} />} />
        ) : (
          <Table.ScrollContainer minWidth={720}>
            <Table verticalSpacing="sm" highlightOnHover data-testid="users-table">
              <Table.Thead>
                <Table.Tr>
                  <Table.Th>{t('users.username')}</Table.Th>
                  <Table.Th>{t('users.role')}</Table.Th>
                  <Table.Th>{t('users.signIn')}</Table.Th>
                  <Table.Th>{t('users.enabled')}</Table.Th>
                  <Table.Th>{t('users.lastLogin')}</Table.Th>
                  <Table.Th />
                </Table.Tr>
              </Table.Thead>
              <Table.Tbody>
                {list.map((user) => {
                  const self = user.username === me;
                  return (
                    <Table.Tr key={user.id} data-testid={`user-row-${user.username}`}>
                      <Table.Td>
                        <Group gap={6} wrap="nowrap">
                          <Stack gap={0}>
                            <Text fw={500} size="sm">
                              {user.username}
                            </Text>
                            {user.displayName ? (
                              <Text size="xs" c="dimmed">
                                {user.displayName}
                              </Text>
                            ) : null}
                          </Stack>
                          {self ? (
                            <Badge size="xs" variant="outline">
                              {t('users.you')}
                            </Badge>
                          ) : null}
                        </Group>
                      </Table.Td>
                      <Table.Td w={170}>
                        <Tooltip label={t('users.cannotChangeSelf')} disabled={!self}>
                          <Select
                            size="xs"
                            data={ROLES.map((role) => ({ value: role, label: t(`roles.${role}`) }))}
                            value={user.role}
                            allowDeselect={false}
                            disabled={self}
                            onChange={(role) => role && role !== user.role && update.mutate({ id: user.id, body: { role: role as AdminRole } })}
                            aria-label={t('users.role')}
                            data-testid={`user-role-${user.username}`}
                          />
                        </Tooltip>
                      </Table.Td>
                      <Table.Td>
                        <Group gap={4}>
                          {user.passwordLogin ? <Badge variant="light" color="gray">{t('users.password')}</Badge> : null}
                          {user.sso ? <Badge variant="light" color="indigo">SSO</Badge> : null}
                        </Group>
                      </Table.Td>
                      <Table.Td>
                        <Switch
                          checked={!user.disabled}
                          disabled={self}
                          onChange={(event) => update.mutate({ id: user.id, body: { disabled: !event.currentTarget.checked } })}
                          aria-label={t('users.enabled')}
                          data-testid={`user-enabled-${user.username}`}
                        />
                      </Table.Td>
                      <Table.Td>
                        <Text size="sm" c="dimmed">
                          {user.lastLoginAt ? formatDateTime(user.lastLoginAt) : t('users.never')}
                        </Text>
                      </Table.Td>
                      <Table.Td w={50}>
                        <Menu position="bottom-end" withinPortal>
                          <Menu.Target>
                            <ActionIcon variant="subtle" aria-label={t('common.actions')} data-testid={`user-actions-${user.username}`}>
                              <IconDots size={16} />
                            </ActionIcon>
                          </Menu.Target>
                          <Menu.Dropdown>
                            <Menu.Item leftSection={<IconKey size={14} />} onClick={() => setResetting(user)} data-testid="user-reset-password">
                              {t('users.resetPassword')}
                            </Menu.Item>
                            <Menu.Item color="red" leftSection={<IconTrash size={14} />} disabled={self} onClick={() => void onDelete(user)} data-testid="user-delete">
                              {t('common.delete')}
                            </Menu.Item>
                          </Menu.Dropdown>
                        </Menu>
                      </Table.Td>
                    </Table.Tr>
                  );
                })}
              </Table.Tbody>
            </Table>
          </Table.ScrollContainer>
        )}
      </Card>
      <UserFormModal opened={formOpen} onClose={() => setFormOpen(false)} />
      <ResetPasswordModal userId={resetting?.id ?? null} username={resetting?.username ?? ''} onClose={() => setResetting(null)} />
      {confirmElement}
    </Stack>
  );
}
