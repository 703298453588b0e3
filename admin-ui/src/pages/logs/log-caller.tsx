import { Text } from '@mantine/core';
import { useTranslation } from 'react-i18next';
import type { LogEntry } from '../../api/types';

/** Older gateways sent no `caller`: derive it the way the server does (usage-routes.ts). */
const callerOf = (log: Pick<LogEntry, 'keyId' | 'keyName' | 'caller'>) =>
  log.caller ?? (log.keyId ? 'key' : log.keyName === 'master' ? 'master' : log.keyName === 'admin' ? 'playground' : log.keyName ? 'key' : 'anonymous');

/** The request log's "Key" cell: the virtual key's name, or who called without one. */
export function LogCaller({ log }: { log: Pick<LogEntry, 'keyId' | 'keyName' | 'caller'> }) {
  const { t } = useTranslation();
  const caller = callerOf(log);
  if (caller === 'key') return <>{log.keyName ?? log.keyId}</>;
  return (
    <Text span size="sm" c="dimmed" data-testid="log-caller" data-caller={caller}>
      {t(`logs.caller.${caller}`)}
    </Text>
  );
}
