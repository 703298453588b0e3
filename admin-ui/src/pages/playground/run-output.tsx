import { Alert, Badge, Group, Paper, SimpleGrid, Spoiler, Stack, Text, Tooltip } from '@mantine/core';
import { IconAlertCircle } from '@tabler/icons-react';
import { useTranslation } from 'react-i18next';
import { runCost } from '../../api/playground';
import type { Pricing } from '../../api/types';
import { formatCost, formatMs, formatNumber } from '../../utils/format';
import type { RunState } from './use-run';

function Metric({ label, value, testId, hint }: { label: string; value: string; testId: string; hint?: string }) {
  const body = (
    <Stack gap={0}>
      <Text size="xs" c="dimmed">
        {label}
      </Text>
      <Text size="sm" fw={600} data-testid={testId}>
        {value}
      </Text>
    </Stack>
  );
  return hint ? <Tooltip label={hint}>{body}</Tooltip> : body;
}

export function RunMetrics({ state, pricing, prefix }: { state: RunState; pricing?: Pricing | null; prefix: string }) {
  const { t } = useTranslation();
  const result = state.result;
  const usage = result?.usage ?? null;
  const cost = runCost(usage, pricing);
  return (
    <SimpleGrid cols={{ base: 2, xs: 4 }} spacing="xs" data-testid={`${prefix}-metrics`}>
      <Metric label={t('playground.latency')} value={formatMs(result?.latencyMs)} testId={`${prefix}-latency`} />
      <Metric label={t('playground.ttft')} value={formatMs(result?.ttftMs)} testId={`${prefix}-ttft`} hint={t('playground.ttftHint')} />
      <Metric
        label={t('playground.tokens')}
        value={usage ? formatNumber(usage.total_tokens) : '–'}
        hint={usage ? t('playground.tokensDetail', { prompt: usage.prompt_tokens, completion: usage.completion_tokens }) : undefined}
        testId={`${prefix}-tokens`}
      />
      <Metric
        label={t('playground.cost')}
        value={cost === null ? '–' : formatCost(cost, pricing?.currency)}
        hint={pricing ? undefined : t('playground.noPricing')}
        testId={`${prefix}-cost`}
      />
    </SimpleGrid>
  );
}

export function RunOutput({ state, testId, placeholder }: { state: RunState; testId: string; placeholder: string }) {
  const { t } = useTranslation();
  const running = state.status === 'running';
  return (
    <Stack gap="xs">
      {state.reasoning ? (
        <Paper withBorder p="sm" bg="var(--mantine-color-default-hover)">
          <Text size="xs" c="dimmed" fw={600} mb={4}>
            {t('playground.reasoning')}
          </Text>
          <Spoiler maxHeight={90} showLabel={t('common.showMore')} hideLabel={t('common.showLess')}>
            <Text size="xs" c="dimmed" className="stream-output">
              {state.reasoning}
            </Text>
          </Spoiler>
        </Paper>
      ) : null}
      <Paper withBorder p="md" mih={140}>
        {state.text || running ? (
          <div className={`stream-output${running ? ' stream-cursor' : ''}`} data-testid={testId} data-status={state.status}>
            {state.text}
          </div>
        ) : (
          <Text c="dimmed" size="sm" data-testid={testId} data-status={state.status}>
            {placeholder}
          </Text>
        )}
      </Paper>
      {state.status === 'error' ? (
        <Alert color="red" variant="light" icon={<IconAlertCircle size={18} />} data-testid={`${testId}-error`}>
          {state.error}
        </Alert>
      ) : null}
      {state.status === 'stopped' ? (
        <Badge color="gray" variant="light">
          {t('playground.stopped')}
        </Badge>
      ) : null}
    </Stack>
  );
}

export function GatewayHeaders({ headers }: { headers: Record<string, string> }) {
  const entries = Object.entries(headers);
  if (!entries.length) return null;
  return (
    <Group gap={6}>
      {entries.map(([name, value]) => (
        <Badge key={name} variant="outline" color="gray" tt="none" fw={400} size="sm">
          {name.replace(/^x-gateway-/, '')}: {value}
        </Badge>
      ))}
    </Group>
  );
}
