import { Button, Group, Modal, MultiSelect, NativeSelect, NumberInput, SimpleGrid, Stack, TextInput } from '@mantine/core';
import { useMutation } from '@tanstack/react-query';
import { notifications } from '@mantine/notifications';
import { useEffect, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { keysApi } from '../../api/endpoints';
import { queryKeys, useInvalidate, useModels, useTeams } from '../../api/hooks';
import type { ApiKey, ApiKeyInput, BudgetPeriod, CreatedApiKey } from '../../api/types';
import { optionalNumber } from '../../utils/format';

interface FormState {
  name: string;
  expires: string;
  allowedModels: string[];
  rpm: string | number;
  tpm: string | number;
  budgetAmount: string | number;
  budgetPeriod: BudgetPeriod;
  budgetCurrency: string;
  teamId: string;
}

const pad = (n: number) => String(n).padStart(2, '0');
/** ISO timestamp → the local calendar day for <input type="date">. */
const toDateInput = (iso: string | null) => {
  if (!iso) return '';
  const d = new Date(iso);
  return Number.isNaN(d.getTime()) ? '' : `${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())}`;
};
/** A key "expiring on" a day stays valid through the end of that local day. */
const fromDateInput = (day: string) => (day ? new Date(`${day}T23:59:59.999`).toISOString() : null);

const fromKey = (key: ApiKey | null): FormState => ({
  name: key?.name ?? '',
  expires: toDateInput(key?.expiresAt ?? null),
  allowedModels: key?.allowedModels ?? [],
  rpm: key?.rpmLimit ?? '',
  tpm: key?.tpmLimit ?? '',
  budgetAmount: key?.budget?.amount ?? '',
  budgetPeriod: key?.budget?.period ?? 'month',
  budgetCurrency: key?.budget?.currency ?? 'USD',
  teamId: key?.teamId ?? '',
});

interface Props {
  opened: boolean;
  apiKey: ApiKey | null;
  onClose: () => void;
  onCreated: (created: CreatedApiKey) => void;
}

export function KeyFormModal({ opened, apiKey, onClose, onCreated }: Props) {
  const { t } = useTranslation();
  const models = useModels();
  const teams = useTeams();
  const invalidate = useInvalidate();
  const [form, setForm] = useState<FormState>(() => fromKey(apiKey));
  const [errors, setErrors] = useState<Partial<Record<keyof FormState, string>>>({});

  // Reset when the modal opens or targets another item, not when a refetch replaces the object.
  useEffect(() => {
    if (opened) {
      setForm(fromKey(apiKey));
      setErrors({});
    }
  }, [opened, apiKey?.id]);

  const set = <K extends keyof FormState>(key: K, value: FormState[K]) => setForm((f) => ({ ...f, [key]: value }));
  const modelKeys = Array.from(new Set([...(models.data ?? []).map((m) => m.key), ...form.allowedModels]));

  const save = useMutation({
    mutationFn: (body: ApiKeyInput) => (apiKey ? keysApi.update(apiKey.id, body) : keysApi.create(body)),
    onSuccess: async (saved) => {
      await invalidate(queryKeys.keys, queryKeys.teams);
      if (!apiKey && 'key' in saved) onCreated(saved as CreatedApiKey);
      else notifications.show({ color: 'teal', message: t('keys.updated', { name: saved.name }) });
      onClose();
    },
  });

  const submit = (event: React.FormEvent) => {
    event.preventDefault();
    const problems: typeof errors = {};
    if (!form.name.trim()) problems.name = t('validation.required');
    const today = toDateInput(new Date().toISOString());
    if (form.expires && form.expires < today) problems.expires = t('keys.expiryPast');
    setErrors(problems);
    if (Object.keys(problems).length) return;
    const amount = optionalNumber(form.budgetAmount);
    const body: ApiKeyInput = {
      name: form.name.trim(),
      expiresAt: fromDateInput(form.expires),
      allowedModels: form.allowedModels.length ? form.allowedModels : null,
      rpmLimit: optionalNumber(form.rpm),
      tpmLimit: optionalNumber(form.tpm),
      budget: amount !== null ? { amount, period: form.budgetPeriod, currency: form.budgetCurrency } : null,
      teamId: form.teamId || null,
    };
    if (apiKey) {
      save.mutate(body);
    } else {
      // On create, leave unset limits out rather than sending nulls.
      const created = Object.fromEntries(Object.entries(body).filter(([, v]) => v !== null)) as ApiKeyInput;
      save.mutate(created);
    }
  };

  return (
    <Modal
      opened={opened}
      onClose={onClose}
      title={apiKey ? t('keys.editTitle', { name: apiKey.name }) : t('keys.createTitle')}
      size="lg"
      data-testid="key-modal"
    >
      <form onSubmit={submit} noValidate>
        <Stack gap="sm">
          <SimpleGrid cols={{ base: 1, sm: 2 }}>
            <TextInput
              label={t('keys.name')}
              value={form.name}
              onChange={(e) => set('name', e.currentTarget.value)}
              withAsterisk
              error={errors.name}
              data-testid="key-name"
            />
            <TextInput
              type="date"
              label={t('keys.expiresAt')}
              description={t('keys.expiresHint')}
              value={form.expires}
              onChange={(e) => set('expires', e.currentTarget.value)}
              error={errors.expires}
              data-testid="key-expires"
            />
          </SimpleGrid>
          <MultiSelect
            label={t('keys.allowedModels')}
            description={t('keys.allowedModelsHint')}
            placeholder={form.allowedModels.length ? undefined : t('keys.allModels')}
            data={modelKeys}
            value={form.allowedModels}
            onChange={(value) => set('allowedModels', value)}
            searchable
            clearable
            data-testid="key-allowed-models"
          />
          <SimpleGrid cols={{ base: 1, sm: 2 }}>
            <NumberInput
              label={t('keys.rpm')}
              description={t('keys.unlimitedHint')}
              value={form.rpm}
              onChange={(v) => set('rpm', v)}
              min={1}
              allowDecimal={false}
              data-testid="key-rpm"
            />
            <NumberInput
              label={t('keys.tpm')}
              description={t('keys.unlimitedHint')}
              value={form.tpm}
              onChange={(v) => set('tpm', v)}
              min={1}
              allowDecimal={false}
              thousandSeparator=","
              data-testid="key-tpm"
            />
            <NumberInput
              label={t('keys.budgetAmount')}
              description={t('keys.unlimitedHint')}
              value={form.budgetAmount}
              onChange={(v) => set('budgetAmount', v)}
              min={0}
              decimalScale={4}
              data-testid="key-budget-amount"
            />
            <NativeSelect
              label={t('keys.budgetPeriod')}
              description={'\u00a0'}
              data={(['day', 'month', 'total'] as const).map((p) => ({ value: p, label: t(`keys.period.${p}`) }))}
              value={form.budgetPeriod}
              onChange={(e) => set('budgetPeriod', e.currentTarget.value as BudgetPeriod)}
              data-testid="key-budget-period"
            />
            <NativeSelect
              label={t('keys.budgetCurrency')}
              description={t('keys.budgetCurrencyHint')}
              data={[...new Set(['USD', 'CNY', 'EUR', form.budgetCurrency])]}
              value={form.budgetCurrency}
              onChange={(e) => set('budgetCurrency', e.currentTarget.value)}
              data-testid="key-budget-currency"
            />
          </SimpleGrid>
          <NativeSelect
            label={t('keys.team')}
            description={t('keys.teamHint')}
            data={[{ value: '', label: t('keys.noTeam') }, ...(teams.data ?? []).map((team) => ({ value: team.id, label: team.name }))]}
            value={form.teamId}
            onChange={(e) => set('teamId', e.currentTarget.value)}
            data-testid="key-team"
          />
          <Group justify="flex-end" mt="md">
            <Button variant="default" onClick={onClose}>
              {t('common.cancel')}
            </Button>
            <Button type="submit" loading={save.isPending} data-testid="key-save">
              {apiKey ? t('common.save') : t('keys.create')}
            </Button>
          </Group>
        </Stack>
      </form>
    </Modal>
  );
}
