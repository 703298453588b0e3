import { ActionIcon, Badge, Button, Drawer, Group, NumberInput, PasswordInput, Stack, Switch, Table, Text, TextInput, Tooltip } from '@mantine/core';
import { IconRefresh, IconTrash } from '@tabler/icons-react';
import { useMutation } from '@tanstack/react-query';
import { useEffect, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { poolApi } from '../../api/endpoints';
import { queryKeys, useInvalidate, usePool } from '../../api/hooks';
import type { PoolKey, PoolKeyInput, Provider } from '../../api/types';
import { QueryError } from '../../components/query-state';
import { formatDateTime, formatNumber } from '../../utils/format';

const STATE_COLORS: Record<PoolKey['state'], string> = { active: 'teal', disabled: 'red', resting: 'orange', off: 'gray' };

interface AddForm {
  label: string;
  apiKey: string;
  weight: string | number;
}
const emptyForm: AddForm = { label: '', apiKey: '', weight: 1 };

/**
 * A provider's key pool: each key's state, why it was taken out, last use and usage;
 * keys entered here can be added, weighted, switched off, re-checked and removed.
 * Keys from `api_key_env` are shown masked and edited in the YAML.
 */
export function ProviderPoolDrawer({ provider, onClose }: { provider: Provider | null; onClose: () => void }) {
  const { t } = useTranslation();
  const invalidate = useInvalidate();
  const name = provider?.name ?? null;
  const pool = usePool(name);
  const [form, setForm] = useState<AddForm>(emptyForm);
  const [errors, setErrors] = useState<Partial<Record<keyof AddForm, string>>>({});

  useEffect(() => {
    setForm(emptyForm);
    setErrors({});
  }, [name]);

  const refresh = () => invalidate(queryKeys.pool, queryKeys.providers, queryKeys.models);
  const add = useMutation({
    mutationFn: (body: PoolKeyInput) => poolApi.add(name!, body),
    onSuccess: async () => {
      setForm(emptyForm);
      await refresh();
    },
  });
  const update = useMutation({ mutationFn: ({ id, body }: { id: string; body: PoolKeyInput }) => poolApi.update(name!, id, body), onSuccess: refresh });
  const remove = useMutation({ mutationFn: (id: string) => poolApi.remove(name!, id), onSuccess: refresh });
  const recheck = useMutation({ mutationFn: (id: string) => poolApi.recheck(name!, id), onSuccess: refresh });

  const submit = (event: React.FormEvent) => {
    event.preventDefault();
    const next: typeof errors = {};
    if (!form.apiKey.trim()) next.apiKey = t('validation.required');
    const weight = typeof form.weight === 'number' ? form.weight : Number(form.weight);
    if (!Number.isFinite(weight) || weight < 0) next.weight = t('pool.weightInvalid');
    setErrors(next);
    if (Object.keys(next).length > 0) return;
    add.mutate({ apiKey: form.apiKey.trim(), weight, ...(form.label.trim() ? { label: form.label.trim() } : {}) });
  };

  const keys = pool.data?.keys ?? [];
  return (
    <Drawer opened={provider !== null} onClose={onClose} position="right" size="xl" title={t('pool.title', { name: name ?? '' })} data-testid="pool-drawer">
      <Stack gap="md">
        <Text size="sm" c="dimmed">
          {t('pool.description')}
        </Text>
        {pool.isError ? <QueryError error={pool.error} onRetry={() => void pool.refetch()} /> : null}
        <Table striped verticalSpacing="xs" data-testid="pool-table">
          <Table.Thead>
            <Table.Tr>
              <Table.Th>{t('pool.label')}</Table.Th>
              <Table.Th>{t('pool.state')}</Table.Th>
              <Table.Th>{t('pool.weight')}</Table.Th>
              <Table.Th>{t('pool.lastUsed')}</Table.Th>
              <Table.Th>{t('pool.usage')}</Table.Th>
              <Table.Th />
            </Table.Tr>
          </Table.Thead>
          <Table.Tbody>
            {keys.map((k) => (
              <Table.Tr key={k.id} data-testid={`pool-key-${k.label}`} data-state={k.state}>
                <Table.Td>
                  <Text size="sm" fw={500}>
                    {k.label}
                  </Text>
                  <Text size="xs" c="dimmed">
                    <code>{k.keyMasked}</code> · {t(`pool.source.${k.source}`)}
                  </Text>
                </Table.Td>
                <Table.Td>
                  <Badge color={STATE_COLORS[k.state]} variant="light" data-testid={`pool-state-${k.label}`}>
                    {t(`pool.states.${k.state}`)}
                  </Badge>
                  {k.reason ? (
                    <Tooltip label={k.lastError ?? ''} multiline w={320} disabled={!k.lastError}>
                      <Text size="xs" c="red" data-testid={`pool-reason-${k.label}`}>
                        {t(`pool.reasons.${k.reason}`)}
                        {k.retryAt ? ` · ${t('pool.retryAt', { time: formatDateTime(k.retryAt) })}` : ''}
                      </Text>
                    </Tooltip>
                  ) : null}
                </Table.Td>
                <Table.Td>{k.weight}</Table.Td>
                <Table.Td>
                  <Text size="xs">{formatDateTime(k.lastUsedAt)}</Text>
                </Table.Td>
                <Table.Td>
                  <Text size="xs">{t('pool.requests', { count: k.usage.requests, formatted: formatNumber(k.usage.requests) })}</Text>
                </Table.Td>
                <Table.Td>
                  <Group gap={4} wrap="nowrap" justify="flex-end">
                    {k.state === 'disabled' || k.state === 'resting' ? (
                      <Tooltip label={t('pool.recheck')}>
                        <ActionIcon variant="subtle" onClick={() => recheck.mutate(k.id)} aria-label={t('pool.recheck')} data-testid={`pool-recheck-${k.label}`}>
                          <IconRefresh size={16} />
                        </ActionIcon>
                      </Tooltip>
                    ) : null}
                    {k.editable ? (
                      <>
                        <Switch
                          checked={k.enabled}
                          onChange={(e) => update.mutate({ id: k.id, body: { enabled: e.currentTarget.checked } })}
                          aria-label={t('pool.enabled')}
                          data-testid={`pool-enabled-${k.label}`}
                        />
                        <ActionIcon variant="subtle" color="red" onClick={() => remove.mutate(k.id)} aria-label={t('common.delete')} data-testid={`pool-remove-${k.label}`}>
                          <IconTrash size={16} />
                        </ActionIcon>
                      </>
                    ) : null}
                  </Group>
                </Table.Td>
              </Table.Tr>
            ))}
          </Table.Tbody>
        </Table>
        <form onSubmit={submit} noValidate>
          <Stack gap="xs">
            <Text fw={500}>{t('pool.addTitle')}</Text>
            <Group grow align="flex-start">
              <TextInput label={t('pool.label')} value={form.label} onChange={(e) => setForm({ ...form, label: e.currentTarget.value })} data-testid="pool-add-label" />
              <NumberInput label={t('pool.weight')} min={0} value={form.weight} onChange={(v) => setForm({ ...form, weight: v })} error={errors.weight} data-testid="pool-add-weight" />
            </Group>
            <PasswordInput
              label={t('providers.apiKey')}
              value={form.apiKey}
              onChange={(e) => {
                setForm({ ...form, apiKey: e.currentTarget.value });
                setErrors({ ...errors, apiKey: undefined });
              }}
              error={errors.apiKey}
              autoComplete="off"
              data-testid="pool-add-key"
            />
            <Group justify="flex-end">
              <Button type="submit" loading={add.isPending} data-testid="pool-add-save">
                {t('pool.add')}
              </Button>
            </Group>
          </Stack>
        </form>
      </Stack>
    </Drawer>
  );
}
