import { Autocomplete, Button, Group, Modal, NumberInput, SimpleGrid, Stack, Switch, TextInput, Textarea } from '@mantine/core';
import { notifications } from '@mantine/notifications';
import { useMutation } from '@tanstack/react-query';
import { useEffect, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { providersApi } from '../../api/endpoints';
import { queryKeys, useInvalidate } from '../../api/hooks';
import type { Provider, ProviderInput } from '../../api/types';
import { optionalNumber } from '../../utils/format';

interface FormState {
  name: string;
  baseUrl: string;
  description: string;
  protocol: string;
  keyEnv: string;
  needsKey: boolean;
  enabled: boolean;
  timeoutMs: string | number;
}

/**
 * The config's rule (src/config/vendors.ts defaultNeedsKey): local inference servers (Ollama,
 * vLLM, LM Studio) and loopback addresses run without a key unless the operator says otherwise.
 */
export const defaultNeedsKey = (name: string, baseUrl: string): boolean => {
  if (['ollama', 'vllm', 'lmstudio'].includes(name.trim().toLowerCase())) return false;
  try {
    const url = new URL(baseUrl.trim());
    const host = url.hostname.replace(/^\[|\]$/g, '');
    return !(host === 'localhost' || host === '::1' || /^127\./.test(host) || url.port === '11434');
  } catch {
    return true;
  }
};

const fromProvider = (p: Provider | null): FormState => ({
  name: p?.name ?? '',
  baseUrl: p?.baseUrl ?? '',
  description: p?.description ?? '',
  protocol: p?.protocol ?? 'openai',
  keyEnv: p?.keyEnv ?? '',
  needsKey: p?.needsKey ?? true,
  enabled: p?.enabled ?? true,
  timeoutMs: '',
});

const isHttpUrl = (value: string) => {
  try {
    const url = new URL(value);
    return url.protocol === 'http:' || url.protocol === 'https:';
  } catch {
    return false;
  }
};

interface Props {
  opened: boolean;
  onClose: () => void;
  provider: Provider | null;
  protocols: string[];
}

export function ProviderFormModal({ opened, onClose, provider, protocols }: Props) {
  const { t } = useTranslation();
  const invalidate = useInvalidate();
  const [form, setForm] = useState<FormState>(() => fromProvider(provider));
  const [errors, setErrors] = useState<Partial<Record<keyof FormState, string>>>({});
  // A new provider's "requires a key" follows its name and URL until the operator flips it.
  const [needsKeyTouched, setNeedsKeyTouched] = useState(false);

  // Reset when the modal opens or targets another item, not when a refetch replaces the object.
  useEffect(() => {
    if (opened) {
      setForm(fromProvider(provider));
      setErrors({});
      setNeedsKeyTouched(false);
    }
  }, [opened, provider?.name]);

  const set = <K extends keyof FormState>(key: K, value: FormState[K]) =>
    setForm((f) => {
      const next = { ...f, [key]: value };
      if (!provider && !needsKeyTouched && (key === 'baseUrl' || key === 'name')) next.needsKey = defaultNeedsKey(next.name, next.baseUrl);
      return next;
    });
  const localNoKey = !provider && !defaultNeedsKey(form.name, form.baseUrl);

  const save = useMutation({
    mutationFn: (body: ProviderInput) =>
      provider ? providersApi.update(provider.name, body) : providersApi.create(body),
    onSuccess: async (saved) => {
      await invalidate(queryKeys.providers, queryKeys.models);
      notifications.show({ color: 'teal', message: t(provider ? 'providers.updated' : 'providers.created', { name: saved.name }) });
      onClose();
    },
  });

  const submit = (event: React.FormEvent) => {
    event.preventDefault();
    const problems: typeof errors = {};
    if (!provider && !/^[a-z0-9][a-z0-9._-]*$/i.test(form.name.trim())) problems.name = t('providers.nameInvalid');
    if (!isHttpUrl(form.baseUrl.trim())) problems.baseUrl = t('validation.url');
    setErrors(problems);
    if (Object.keys(problems).length) return;
    const body: ProviderInput = {
      baseUrl: form.baseUrl.trim(),
      description: form.description.trim() || undefined,
      protocol: form.protocol.trim() || undefined,
      keyEnv: form.keyEnv.trim() || undefined,
      needsKey: form.needsKey,
      enabled: form.enabled,
      timeoutMs: optionalNumber(form.timeoutMs) ?? undefined,
    };
    save.mutate(provider ? body : { name: form.name.trim(), ...body });
  };

  return (
    <Modal
      opened={opened}
      onClose={onClose}
      title={provider ? t('providers.editTitle', { name: provider.name }) : t('providers.addTitle')}
      size="lg"
      data-testid="provider-modal"
    >
      <form onSubmit={submit} noValidate>
        <Stack gap="sm">
          <SimpleGrid cols={{ base: 1, sm: 2 }}>
            <TextInput
              label={t('providers.name')}
              description={t('providers.nameHint')}
              value={form.name}
              onChange={(e) => set('name', e.currentTarget.value)}
              disabled={Boolean(provider)}
              withAsterisk={!provider}
              error={errors.name}
              data-testid="provider-name"
            />
            <Autocomplete
              label={t('providers.protocol')}
              description={t('providers.protocolHint')}
              data={Array.from(new Set(['openai', 'anthropic', 'openai-responses', ...protocols]))}
              value={form.protocol}
              onChange={(value) => set('protocol', value)}
              data-testid="provider-protocol"
            />
          </SimpleGrid>
          <TextInput
            label={t('providers.baseUrl')}
            placeholder="https://api.example.com/v1"
            value={form.baseUrl}
            onChange={(e) => set('baseUrl', e.currentTarget.value)}
            withAsterisk
            error={errors.baseUrl}
            data-testid="provider-base-url"
          />
          <Textarea
            label={t('providers.descriptionField')}
            value={form.description}
            onChange={(e) => set('description', e.currentTarget.value)}
            autosize
            minRows={1}
            maxRows={3}
            data-testid="provider-description"
          />
          <SimpleGrid cols={{ base: 1, sm: 2 }}>
            <TextInput
              label={t('providers.keyEnv')}
              description={t('providers.keyEnvHint')}
              placeholder="EXAMPLE_API_KEY"
              value={form.keyEnv}
              onChange={(e) => set('keyEnv', e.currentTarget.value)}
              data-testid="provider-key-env"
            />
            <NumberInput
              label={t('providers.timeout')}
              description={provider ? t('providers.timeoutKeep') : undefined}
              value={form.timeoutMs}
              onChange={(value) => set('timeoutMs', value)}
              min={100}
              step={1000}
              allowDecimal={false}
              data-testid="provider-timeout"
            />
          </SimpleGrid>
          <Group gap="xl" mt="xs">
            <Switch
              label={t('providers.needsKey')}
              checked={form.needsKey}
              onChange={(e) => {
                setNeedsKeyTouched(true);
                set('needsKey', e.currentTarget.checked);
              }}
              description={localNoKey ? t('providers.needsKeyLocalHint') : undefined}
              data-testid="provider-needs-key"
            />
            <Switch
              label={t('providers.enabled')}
              checked={form.enabled}
              onChange={(e) => set('enabled', e.currentTarget.checked)}
              data-testid="provider-enabled"
            />
          </Group>
          <Group justify="flex-end" mt="md">
            <Button variant="default" onClick={onClose}>
              {t('common.cancel')}
            </Button>
            <Button type="submit" loading={save.isPending} data-testid="provider-save">
              {t('common.save')}
            </Button>
          </Group>
        </Stack>
      </form>
    </Modal>
  );
}
