import { Alert, Button, EmptyState, Group } from '@mantine/core';
import { IconAlertTriangle, IconInbox, IconRefresh } from '@tabler/icons-react';
import { useTranslation } from 'react-i18next';

export function QueryError({ error, onRetry }: { error: unknown; onRetry?: () => void }) {
  const { t } = useTranslation();
  const message = error instanceof Error ? error.message : t('errors.unknown');
  return (
    <Alert
      color="red"
      variant="light"
      title={t('errors.loadFailed')}
      icon={<IconAlertTriangle size={18} />}
      data-testid="query-error"
    >
      <Group justify="space-between" gap="sm">
        <span>{message}</span>
        {onRetry ? (
          <Button size="xs" variant="light" color="red" leftSection={<IconRefresh size={14} />} onClick={onRetry}>
            {t('common.retry')}
          </Button>
        ) : null}
      </Group>
    </Alert>
  );
}

interface EmptyProps {
  title: string;
  description?: string;
  icon?: React.ReactNode;
  action?: React.ReactNode;
  testId?: string;
}

export function Empty({ title, description, icon, action, testId }: EmptyProps) {
  return (
    <EmptyState
      py="xl"
      title={title}
      description={description}
      icon={icon ?? <IconInbox size={28} stroke={1.5} />}
      withIndicatorBackground
      data-testid={testId ?? 'empty-state'}
    >
      {action ? <EmptyState.Actions>{action}</EmptyState.Actions> : null}
    </EmptyState>
  );
}
