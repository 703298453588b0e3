import {
  Button,
  Divider,
  Group,
  Modal,
  NativeSelect,
  NumberInput,
  SimpleGrid,
  Stack,
  Switch,
  TagsInput,
  Text,
  TextInput,
  Textarea,
} from '@mantine/core';
import { useMutation } from '@tanstack/react-query';
import { notifications } from '@mantine/notifications';
import { useEffect, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { modelsApi } from '../../api/endpoints';
import { queryKeys, useInvalidate, useProviders } from '../../api/hooks';
import { MODEL_TYPES, type Model, type ModelInput, type ModelType } from '../../api/types';
import { optionalNumber } from '../../utils/format';

const CURRENCIES = ['USD', 'CNY', 'EUR', 'JPY'];
// `chat` on a vision model: it also answers language requests (a gpt-4o-class model).
const CAPABILITIES = ['chat', 'streaming', 'tools', 'json_mode', 'vision', 'reasoning', 'embedding', 'system_prompt'];

interface FormState {
  provider: string;
  name: string;
  type: ModelType;
  displayName: string;
  displayNameEn: string;
  description: string;
  upstreamName: string;
  aliases: string[];
  contextWindow: string | number;
  maxOutputTokens: string | number;
  priceInput: string | number;
  priceOutput: string | number;
  currency: string;
  capabilities: string[];
  enabled: boolean;
}

const fromModel = (model: Model | null, defaultProvider: string): FormState => ({
  provider: model?.provider ?? defaultProvider,
  name: model?.name ?? '',
  type: model?.type ?? 'language',
  displayName: model?.displayName ?? '',
  displayNameEn: model?.displayNameEn ?? '',
  description: model?.description ?? '',
  upstreamName: model?.upstreamName ?? '',
  aliases: model?.aliases ?? [],
  contextWindow: model?.contextWindow ?? '',
  maxOutputTokens: model?.maxOutputTokens ?? '',
  priceInput: model?.pricing?.input ?? '',
  priceOutput: model?.pricing?.output ?? '',
  currency: model?.pricing?.currency ?? 'USD',
  capabilities: model?.capabilities ?? [],
  enabled: model?.enabled ?? true,
});

interface Props {
  opened: boolean;
  onClose: () => void;
  /** null: add a model; otherwise edit this one. */
  model: Model | null;
}

export function ModelFormModal({ opened, onClose, model }: Props) {
  const { t } = useTranslation();
  const providers = useProviders();
  const invalidate = useInvalidate();
  const providerNames = (providers.data ?? []).map((p) => p.name);
  const [form, setForm] = useState<FormState>(() => fromModel(model, ''));
  const [errors, setErrors] = useState<Partial<Record<keyof FormState, string>>>({});

  useEffect(() => {
    if (opened) {
      setForm(fromModel(model, providerNames[0] ?? ''));
      setErrors({});
    }
    // Reset only when the modal opens or targets another model.
  }, [opened, model?.key]);

  useEffect(() => {
    if (opened && !model && !form.provider && providerNames[0]) {
      setForm((f) => ({ ...f, provider: providerNames[0] }));
    }
  }, [opened, model, form.provider, providerNames]);

  const set = <K extends keyof FormState>(key: K, value: FormState[K]) =>
    setForm((current) => ({ ...current, [key]: value }));

  const save = useMutation({
    mutationFn: (body: ModelInput) => (model ? modelsApi.update(model.key, body) : modelsApi.create(body)),
    onSuccess: async (saved) => {
      await invalidate(queryKeys.models, queryKeys.providers, queryKeys.activeModels);
      notifications.show({
        color: 'teal',
        message: t(model ? 'models.updated' : 'models.created', { key: saved.key }),
        'data-testid': 'model-saved-notification',
      });
      onClose();
    },
  });

  const submit = (event: React.FormEvent) => {
    event.preventDefault();
    const problems: typeof errors = {};
    if (!model && !form.provider) problems.provider = t('validation.required');
    if (!model && !form.name.trim()) problems.name = t('validation.required');
    const priceIn = optionalNumber(form.priceInput);
    const priceOut = optionalNumber(form.priceOutput);
    if ((priceIn === null) !== (priceOut === null)) problems.priceOutput = t('models.pricingBoth');
    setErrors(problems);
    if (Object.keys(problems).length > 0) return;

    const pricing = priceIn !== null && priceOut !== null ? { input: priceIn, output: priceOut, currency: form.currency } : null;
    const common: ModelInput = {
      type: form.type,
      displayName: form.displayName.trim() || undefined,
      // Editing sends null to remove an English name; a new model just leaves it out.
      displayNameEn: form.displayNameEn.trim() || (model ? null : undefined),
      description: form.description.trim() || undefined,
      upstreamName: form.upstreamName.trim() || undefined,
      aliases: form.aliases,
      capabilities: form.capabilities,
      enabled: form.enabled,
    };
    if (model) {
      // PATCH: send cleared optional numbers as null so the stored value is removed.
      save.mutate({
        ...common,
        contextWindow: optionalNumber(form.contextWindow),
        maxOutputTokens: optionalNumber(form.maxOutputTokens),
        pricing,
      });
    } else {
      save.mutate({
        ...common,
        provider: form.provider,
        name: form.name.trim(),
        contextWindow: optionalNumber(form.contextWindow) ?? undefined,
        maxOutputTokens: optionalNumber(form.maxOutputTokens) ?? undefined,
        pricing: pricing ?? undefined,
      });
    }
  };

  return (
    <Modal
      opened={opened}
      onClose={onClose}
      title={model ? t('models.editTitle', { key: model.key }) : t('models.addTitle')}
      size="lg"
      data-testid="model-modal"
    >
      <form onSubmit={submit} noValidate>
        <Stack gap="sm">
          <SimpleGrid cols={{ base: 1, sm: 2 }}>
            <NativeSelect
              label={t('models.provider')}
              data={providerNames.length ? providerNames : [{ value: '', label: t('models.noProviders') }]}
              value={form.provider}
              onChange={(e) => set('provider', e.currentTarget.value)}
              disabled={Boolean(model)}
              error={errors.provider}
              withAsterisk={!model}
              data-testid="model-provider"
            />
            <TextInput
              label={t('models.name')}
              description={t('models.nameHint')}
              value={form.name}
              onChange={(e) => set('name', e.currentTarget.value)}
              disabled={Boolean(model)}
              error={errors.name}
              withAsterisk={!model}
              data-testid="model-name"
            />
            <NativeSelect
              label={t('models.type')}
              data={MODEL_TYPES.map((type) => ({ value: type, label: t(`modelType.${type}`) }))}
              value={form.type}
              onChange={(e) => set('type', e.currentTarget.value as ModelType)}
              data-testid="model-type"
            />
            <TextInput
              label={t('models.displayName')}
              value={form.displayName}
              onChange={(e) => set('displayName', e.currentTarget.value)}
              data-testid="model-display-name"
            />
          </SimpleGrid>
          <TextInput
            label={t('models.displayNameEn')}
            description={t('models.displayNameEnHint')}
            value={form.displayNameEn}
            onChange={(e) => set('displayNameEn', e.currentTarget.value)}
            data-testid="model-display-name-en"
          />
          <Textarea
            label={t('models.descriptionField')}
            value={form.description}
            onChange={(e) => set('description', e.currentTarget.value)}
            autosize
            minRows={1}
            maxRows={4}
            data-testid="model-description"
          />
          <SimpleGrid cols={{ base: 1, sm: 2 }}>
            <TextInput
              label={t('models.upstreamName')}
              description={t('models.upstreamNameHint')}
              value={form.upstreamName}
              onChange={(e) => set('upstreamName', e.currentTarget.value)}
              data-testid="model-upstream-name"
            />
            <TagsInput
              label={t('models.aliases')}
              description={t('models.aliasesHint')}
              value={form.aliases}
              onChange={(value) => set('aliases', value)}
              clearable
              data-testid="model-aliases"
            />
            <NumberInput
              label={t('models.contextWindow')}
              value={form.contextWindow}
              onChange={(value) => set('contextWindow', value)}
              min={1}
              allowDecimal={false}
              thousandSeparator=","
              data-testid="model-context-window"
            />
            <NumberInput
              label={t('models.maxOutputTokens')}
              value={form.maxOutputTokens}
              onChange={(value) => set('maxOutputTokens', value)}
              min={1}
              allowDecimal={false}
              thousandSeparator=","
              data-testid="model-max-output"
            />
          </SimpleGrid>
          <Divider label={t('models.pricing')} labelPosition="left" mt="xs" />
          <Text size="xs" c="dimmed" mt={-6}>
            {t('models.pricingHint')}
          </Text>
          <SimpleGrid cols={{ base: 1, sm: 3 }}>
            <NumberInput
              label={t('models.priceInput')}
              value={form.priceInput}
              onChange={(value) => set('priceInput', value)}
              min={0}
              decimalScale={6}
              data-testid="model-price-input"
            />
            <NumberInput
              label={t('models.priceOutput')}
              value={form.priceOutput}
              onChange={(value) => set('priceOutput', value)}
              min={0}
              decimalScale={6}
              error={errors.priceOutput}
              data-testid="model-price-output"
            />
            <NativeSelect
              label={t('models.currency')}
              data={Array.from(new Set([...CURRENCIES, form.currency]))}
              value={form.currency}
              onChange={(e) => set('currency', e.currentTarget.value)}
              data-testid="model-currency"
            />
          </SimpleGrid>
          <TagsInput
            label={t('models.capabilities')}
            data={CAPABILITIES}
            value={form.capabilities}
            onChange={(value) => set('capabilities', value)}
            clearable
            data-testid="model-capabilities"
          />
          <Switch
            label={t('models.enabled')}
            checked={form.enabled}
            onChange={(e) => set('enabled', e.currentTarget.checked)}
            mt="xs"
            data-testid="model-enabled"
          />
          <Group justify="flex-end" mt="md">
            <Button variant="default" onClick={onClose} data-testid="model-cancel">
              {t('common.cancel')}
            </Button>
            <Button type="submit" loading={save.isPending} data-testid="model-save">
              {t('common.save')}
            </Button>
          </Group>
        </Stack>
      </form>
    </Modal>
  );
}
