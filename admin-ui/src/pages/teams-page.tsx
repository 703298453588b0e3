import { ActionIcon, Badge, Button, Card, Group, Modal, MultiSelect, NativeSelect, NumberInput, SimpleGrid, Stack, Table, Text, TextInput } from '@mantine/core';
import { IconPencil, IconPlus, IconTrash, IconUsersGroup } from '@tabler/icons-react';
import { useMutation } from '@tanstack/react-query';
import { useEffect, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { teamsApi } from '../api/endpoints';
import { queryKeys, useInvalidate, useModels, useTeams } from '../api/hooks';
import type { BudgetPeriod, Team, TeamInput } from '../api/types';
import { PageHeader } from '../components/page-header';
import { TableSkeleton } from '../components/page-skeleton';
import { Empty, QueryError } from '../components/query-state';
import { useConfirm } from '../components/use-confirm';
import { formatCost, optionalNumber } from '../utils/format';

interface FormState {
  name: string;
  budgetAmount: string | number;
  budgetPeriod: BudgetPeriod;
  currency: string;
  rpm: string | number;
  tpm: string | number;
  allowedModels: string[];
}

const fromTeam = (team: Team | null): FormState => ({
  name: team?.name ?? '',
  budgetAmount: team?.budget?.amount ?? '',
  budgetPeriod: team?.budget?.period ?? 'month',
  currency: team?.budget?.currency ?? 'CNY',
  rpm: team?.rpmLimit ?? '',
  tpm: team?.tpmLimit ?? '',
  allowedModels: team?.allowedModels ?? [],
});

function TeamFormModal({ opened, team, onClose }: { opened: boolean; team: Team | null; onClose: () => void }) {
  const { t } = useTranslation();
  const models = useModels();
  const invalidate = useInvalidate();
  const [form, setForm] = useState<FormState>(() => fromTeam(team));
  const [errors, setErrors] = useState<Partial<Record<keyof FormState, string>>>({});
  useEffect(() => {
    if (opened) {
      setForm(fromTeam(team));
      setErrors({});
    }
  }, [opened, team?.id]);

  const save = useMutation({
    mutationFn: (body: TeamInput) => (team ? teamsApi.update(team.id, body) : teamsApi.create(body)),
    onSuccess: async () => {
      await invalidate(queryKeys.teams, queryKeys.keys);
      onClose();
    },
  });

  const submit = (event: React.FormEvent) => {
    event.preventDefault();
    const next: typeof errors = {};
    if (!form.name.trim()) next.name = t('validation.required');
    const amount = optionalNumber(form.budgetAmount);
    if (amount !== null && amount < 0) next.budgetAmount = t('validation.nonNegative');
    if (!/^[A-Z]{3}$/.test(form.currency)) next.currency = t('teams.currencyInvalid');
    setErrors(next);
    if (Object.keys(next).length > 0) return;
    save.mutate({
      name: form.name.trim(),
      budget: amount === null ? null : { amount, period: form.budgetPeriod, currency: form.currency },
      rpmLimit: optionalNumber(form.rpm),
      tpmLimit: optionalNumber(form.tpm),
      allowedModels: form.allowedModels.length > 0 ? form.allowedModels : null,
    });
  };

  const modelNames = Array.from(new Set((models.data ?? []).map((m) => m.name)));
  return (
    <Modal opened={opened} onClose={onClose} title={team ? t('teams.editTitle', { name: team.name }) : t('teams.createTitle')} data-testid="team-form-modal">
      <form onSubmit={submit} noValidate>
        <Stack gap="sm">
          <TextInput label={t('teams.name')} value={form.name} onChange={(e) => setForm({ ...form, name: e.currentTarget.value })} error={errors.name} data-testid="team-name" />
          <SimpleGrid cols={3}>
            <NumberInput label={t('teams.budget')} min={0} value={form.budgetAmount} onChange={(v) => setForm({ ...form, budgetAmount: v })} error={errors.budgetAmount} data-testid="team-budget" />
            <NativeSelect
              label={t('teams.period')}
              value={form.budgetPeriod}
              onChange={(e) => setForm({ ...form, budgetPeriod: e.currentTarget.value as BudgetPeriod })}
              data={(['day', 'month', 'total'] as const).map((p) => ({ value: p, label: t(`keys.period.${p}`) }))}
              data-testid="team-period"
            />
            <TextInput label={t('teams.currency')} value={form.currency} onChange={(e) => setForm({ ...form, currency: e.currentTarget.value.toUpperCase() })} error={errors.currency} data-testid="team-currency" />
          </SimpleGrid>
          <SimpleGrid cols={2}>
            <NumberInput label={t('keys.rpm')} min={1} value={form.rpm} onChange={(v) => setForm({ ...form, rpm: v })} data-testid="team-rpm" />
            <NumberInput label={t('keys.tpm')} min={1} value={form.tpm} onChange={(v) => setForm({ ...form, tpm: v })} data-testid="team-tpm" />
          </SimpleGrid>
          <MultiSelect label={t('teams.allowedModels')} placeholder={t('teams.allModels')} data={modelNames} value={form.allowedModels} onChange={(v) => setForm({ ...form, allowedModels: v })} searchable clearable />
          <Group justify="flex-end" mt="sm">
            <Button variant="default" onClick={onClose}>
              {t('common.cancel')}
            </Button>
            <Button type="submit" loading={save.isPending} data-testid="team-save">
              {t('common.save')}
            </Button>
          </Group>
        </Stack>
      </form>
    </Modal>
  );
}

export default function TeamsPage() {
  const { t } = useTranslation();
  const teams = useTeams();
  const invalidate = useInvalidate();
  const [confirm, confirmElement] = useConfirm();
  const [formOpen, setFormOpen] = useState(false);
  const [editing, setEditing] = useState<Team | null>(null);
  const remove = useMutation({ mutationFn: teamsApi.remove, onSuccess: () => invalidate(queryKeys.teams, queryKeys.keys) });

  const open = (team: Team | null) => {
    setEditing(team);
    setFormOpen(true);
  };
  const onDelete = async (team: Team) => {
    const ok = await confirm({ title: t('teams.deleteTitle'), message: t('teams.deleteConfirm', { name: team.name }), confirmLabel: t('common.delete') });
    if (ok) remove.mutate(team.id);
  };

  const list = teams.data ?? [];
  return (
    <Stack gap="lg">
      <PageHeader
        title={t('teams.title')}
        description={t('teams.description')}
        actions={
          <Button leftSection={<IconPlus size={16} />} onClick={() => open(null)} data-testid="create-team-button">
            {t('teams.create')}
          </Button>
        }
      />
      <Card padding={0}>
        {teams.isLoading ? (
          <Stack p="md">
            <TableSkeleton />
          </Stack>
        ) : teams.isError ? (
          <Stack p="md">
            <QueryError error={teams.error} onRetry={() => void teams.refetch()} />
          </Stack>
        ) : list.length === 0 ? (
          <Empty title={t('teams.empty')} description={t('teams.emptyHint')} icon={<IconUsersGroup size={28} />} />
        ) : (
          <Table verticalSpacing="sm" data-testid="teams-table">
            <Table.Thead>
              <Table.Tr>
                <Table.Th>{t('teams.name')}</Table.Th>
                <Table.Th>{t('teams.budget')}</Table.Th>
                <Table.Th>{t('teams.limits')}</Table.Th>
                <Table.Th>{t('teams.members')}</Table.Th>
                <Table.Th />
              </Table.Tr>
            </Table.Thead>
            <Table.Tbody>
              {list.map((team) => (
                <Table.Tr key={team.id} data-team-name={team.name}>
                  <Table.Td>
                    <Text fw={500}>{team.name}</Text>
                    {team.allowedModels ? (
                      <Text size="xs" c="dimmed">
                        {team.allowedModels.join(', ')}
                      </Text>
                    ) : null}
                  </Table.Td>
                  <Table.Td data-testid={`team-budget-${team.name}`}>
                    {team.budget
                      ? `${formatCost(team.spend, team.budget.currency)} / ${formatCost(team.budget.amount, team.budget.currency)} · ${t(`keys.period.${team.budget.period}`)}`
                      : t('teams.noBudget')}
                  </Table.Td>
                  <Table.Td>
                    <Text size="sm">
                      {team.rpmLimit ? `${team.rpmLimit} RPM` : '—'} · {team.tpmLimit ? `${team.tpmLimit} TPM` : '—'}
                    </Text>
                  </Table.Td>
                  <Table.Td>
                    <Group gap={4}>
                      {team.members.length === 0 ? <Text size="sm" c="dimmed">{t('teams.noMembers')}</Text> : null}
                      {team.members.map((m) => (
                        <Badge key={m.id} variant="light" color="gray">
                          {m.name}
                        </Badge>
                      ))}
                    </Group>
                  </Table.Td>
                  <Table.Td>
                    <Group gap={4} justify="flex-end" wrap="nowrap">
                      <ActionIcon variant="subtle" onClick={() => open(team)} aria-label={t('common.edit')} data-testid={`team-edit-${team.name}`}>
                        <IconPencil size={16} />
                      </ActionIcon>
                      <ActionIcon variant="subtle" color="red" onClick={() => void onDelete(team)} aria-label={t('common.delete')} data-testid={`team-delete-${team.name}`}>
                        <IconTrash size={16} />
                      </ActionIcon>
                    </Group>
                  </Table.Td>
                </Table.Tr>
              ))}
            </Table.Tbody>
          </Table>
        )}
      </Card>
      <TeamFormModal opened={formOpen} team={editing} onClose={() => setFormOpen(false)} />
      {confirmElement}
    </Stack>
  );
}
