import { Badge } from '@mantine/core';
import { useTranslation } from 'react-i18next';
import type { Status } from '../api/types';

const COLORS: Record<string, string> = {
  usable: 'teal',
  key_missing: 'orange',
  disabled: 'gray',
  active: 'teal',
  revoked: 'red',
  expired: 'gray',
};

/** Availability of a model or provider, or the state of a gateway key. */
export function StatusBadge({ status, testId }: { status: Status | 'active' | 'revoked' | 'expired'; testId?: string }) {
  const { t } = useTranslation();
  return (
    <Badge color={COLORS[status] ?? 'gray'} variant="light" data-testid={testId} data-status={status}>
      {t(`status.${status}`)}
    </Badge>
  );
}
