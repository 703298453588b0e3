import { ActionIcon, Alert, Badge, Button, Card, Group, Menu, Stack, Switch, Text, Tooltip } from '@mantine/core';
import {
  IconCircleCheck,
  IconCircleX,
  IconDots,
  IconKey,
  IconKeyOff,
  IconPencil,
  IconPlugConnected,
  IconStack2,
  IconTrash,
} from '@tabler/icons-react';
import { useTranslation } from 'react-i18next';
import type { Provider, ProviderTestResult } from '../../api/types';
import { StatusBadge } from '../../components/status-badge';
import { formatDateTime, formatMs } from '../../utils/format';
import { localDescription } from '../../utils/localized';

interface Props {
  provider: Provider;
  testing: boolean;
  testResult?: ProviderTestResult;
  onTest: () => void;
  onSetKey: () => void;
  onPool: () => void;
  onRemoveKey: () => void;
  onToggle: (enabled: boolean) => void;
  onEdit: () => void;
  onDelete: () => void;
}

function KeyLine({ provider }: { provider: Provider }) {
  const { t } = useTranslation();
  if (!provider.needsKey) return <Text size="sm" c="dimmed">{t('providers.noKeyNeeded')}</Text>;
  if (provider.keyMasked) {
    return (
      <Group gap={6} wrap="nowrap">
        <Text size="sm" className="mono" data-testid={`provider-key-masked-${provider.name}`}>
          {provider.keyMasked}
        </Text>
        <Badge size="xs" variant="light" color={provider.keySource === 'env' ? 'cyan' : 'indigo'}>
          {t(`providers.keySource.${provider.keySource}`)}
        </Badge>
      </Group>
    );
  }
  return (
    <Text size="sm" c="orange" data-testid={`provider-key-masked-${provider.name}`}>
      {provider.keyEnv ? t('providers.keyMissingEnv', { env: provider.keyEnv }) : t('providers.keyMissing')}
    </Text>
  );
}

/** The last check the gateway ran (console or periodic): a key alone does not mean it answers. */
function LastCheck({ provider }: { provider: Provider }) {
  const { t } = useTranslation();
  const check = provider.lastCheck;
  if (!provider.enabled || provider.status === 'key_missing') return null;
  if (!check) {
    return (
      <Text size="xs" c="dimmed" data-testid={`provider-last-check-${provider.name}`} data-ok="none">
        {t('providers.notChecked')}
      </Text>
    );
  }
  const when = formatDateTime(check.checkedAt);
  return (
    <Text size="xs" c={check.ok ? 'dimmed' : 'red'} data-testid={`provider-last-check-${provider.name}`} data-ok={String(check.ok)} lineClamp={2}>
      {check.ok
        ? t('providers.lastCheckOk', { when, latency: formatMs(check.latencyMs) })
        : t('providers.lastCheckFailed', { when, message: check.error?.message ?? '' })}
    </Text>
  );
}

function TestResult({ name, result }: { name: string; result: ProviderTestResult }) {
  const { t } = useTranslation();
  return (
    <Alert
      variant="light"
      color={result.ok ? 'teal' : 'red'}
      icon={result.ok ? <IconCircleCheck size={18} /> : <IconCircleX size={18} />}
      p="xs"
      data-testid={`provider-test-result-${name}`}
      data-ok={String(result.ok)}
    >
      <Text size="sm">
        {result.ok
          ? t('providers.testOk', { latency: formatMs(result.latencyMs) })
          : t('providers.testFailed', { latency: formatMs(result.latencyMs), message: result.error?.message ?? '' })}
      </Text>
      {result.ok && result.models?.length ? (
        <Text size="xs" c="dimmed" lineClamp={2}>
          {t('providers.testModels', { count: result.models.length, models: result.models.slice(0, 8).join(', ') })}
        </Text>
      ) : null}
    </Alert>
  );
}

export function ProviderCard({ provider, testing, testResult, onTest, onSetKey, onPool, onRemoveKey, onToggle, onEdit, onDelete }: Props) {
  const { t } = useTranslation();
  const p = provider;
  return (
    <Card data-testid={`provider-card-${p.name}`}>
      <Stack gap="sm" h="100%">
        <Group justify="space-between" wrap="nowrap" align="flex-start">
          <Stack gap={2} miw={0}>
            <Group gap={6}>
              <Text fw={600} size="lg">
                {p.name}
              </Text>
              <Badge size="xs" variant="outline" color="gray">
                {p.protocol}
              </Badge>
              {p.source === 'admin' ? (
                <Badge size="xs" variant="light" color="gray">
                  {t('providers.addedInConsole')}
                </Badge>
              ) : null}
            </Group>
            <Text size="xs" c="dimmed" className="mono" truncate="end" title={p.baseUrl}>
              {p.baseUrl}
            </Text>
          </Stack>
          <Group gap={4} wrap="nowrap">
            {p.status === 'usable' && p.lastCheck && !p.lastCheck.ok ? (
              <Badge color="red" variant="light" style={{ flexShrink: 0 }} data-testid={`provider-unreachable-${p.name}`}>
                {t('providers.unreachable')}
              </Badge>
            ) : null}
            <StatusBadge status={p.status} testId={`provider-status-${p.name}`} />
            <Menu position="bottom-end" withinPortal>
              <Menu.Target>
                <ActionIcon variant="subtle" color="gray" aria-label={t('common.more')} data-testid={`provider-menu-${p.name}`}>
                  <IconDots size={18} />
                </ActionIcon>
              </Menu.Target>
              <Menu.Dropdown>
                <Menu.Item leftSection={<IconPencil size={16} />} onClick={onEdit} data-testid={`provider-edit-${p.name}`}>
                  {t('common.edit')}
                </Menu.Item>
                <Menu.Item
                  color="red"
                  leftSection={<IconTrash size={16} />}
                  onClick={onDelete}
                  data-testid={`provider-delete-${p.name}`}
                >
                  {t('common.delete')}
                </Menu.Item>
              </Menu.Dropdown>
            </Menu>
          </Group>
        </Group>
        {localDescription(p) ? (
          <Text size="sm" c="dimmed" lineClamp={2}>
            {localDescription(p)}
          </Text>
        ) : null}
        <Group justify="space-between" gap="xs">
          <Stack gap={0}>
            <Text size="xs" c="dimmed">
              {t('providers.apiKey')}
            </Text>
            <KeyLine provider={p} />
          </Stack>
          <Stack gap={0} align="flex-end">
            <Text size="xs" c="dimmed">
              {t('providers.models')}
            </Text>
            <Text size="sm" fw={500}>
              {p.modelCount}
            </Text>
          </Stack>
        </Group>
        <LastCheck provider={p} />
        {testResult ? <TestResult name={p.name} result={testResult} /> : null}
        <Group justify="space-between" mt="auto" pt="xs" gap="xs">
          <Switch
            label={t('providers.enabled')}
            checked={p.enabled}
            onChange={(e) => onToggle(e.currentTarget.checked)}
            data-testid={`provider-enabled-${p.name}`}
          />
          <Group gap={6}>
            {p.keySource === 'admin' && p.keyMasked ? (
              <Tooltip label={t('providers.removeKey')}>
                <ActionIcon
                  variant="default"
                  size="lg"
                  onClick={onRemoveKey}
                  aria-label={t('providers.removeKey')}
                  data-testid={`provider-remove-key-${p.name}`}
                >
                  <IconKeyOff size={16} />
                </ActionIcon>
              </Tooltip>
            ) : null}
            {p.needsKey ? (
              <Button
                variant="default"
                size="sm"
                leftSection={<IconKey size={16} />}
                onClick={onSetKey}
                data-testid={`provider-set-key-${p.name}`}
              >
                {p.keyMasked ? t('providers.replaceKey') : t('providers.setKey')}
              </Button>
            ) : null}
            <Button variant="default" size="sm" leftSection={<IconStack2 size={16} />} onClick={onPool} data-testid={`provider-pool-${p.name}`}>
              {t('pool.open')}
            </Button>
            <Button
              variant="light"
              size="sm"
              leftSection={<IconPlugConnected size={16} />}
              loading={testing}
              onClick={onTest}
              data-testid={`provider-test-${p.name}`}
            >
              {t('providers.test')}
            </Button>
          </Group>
        </Group>
      </Stack>
    </Card>
  );
}
