import { Badge, Code, Drawer, Group, Skeleton, Stack, Table, Text } from '@mantine/core';
import { useTranslation } from 'react-i18next';
import { useLog } from '../../api/hooks';
import type { LogEntry } from '../../api/types';
import { QueryError } from '../../components/query-state';
import { formatDateTime, formatMoney, formatMs, formatNumber } from '../../utils/format';
import { noneLabel } from '../../utils/none-label';
import { LogCaller } from './log-caller';
import { LogProtocol } from './log-protocol';
import { LogStatus } from './log-status';

function Row({ label, children }: { label: string; children: React.ReactNode }) {
  return (
    <Table.Tr>
      <Table.Th w={150} fw={500} c="dimmed">
        {label}
      </Table.Th>
      <Table.Td>{children}</Table.Td>
    </Table.Tr>
  );
}

/** Shows the stored metadata of one request; the gateway stores no prompts, answers or secrets. */
export function LogDetailDrawer({ id, preview, onClose }: { id: string | number | null; preview: LogEntry | null; onClose: () => void }) {
  const { t } = useTranslation();
  const detail = useLog(id);
  const log = detail.data ?? preview;
  return (
    <Drawer opened={id !== null} onClose={onClose} position="right" size="md" title={t('logs.detailTitle')} data-testid="log-detail-drawer">
      {detail.isError && !log ? <QueryError error={detail.error} onRetry={() => void detail.refetch()} /> : null}
      {!log ? (
        <Stack>
          <Skeleton h={24} />
          <Skeleton h={240} />
        </Stack>
      ) : (
        <Stack gap="md">
          <Group gap="xs">
            <LogStatus status={log.status} />
            {log.stream ? <Badge variant="light">{t('logs.streamed')}</Badge> : null}
            {log.errorCode ? (
              <Badge color="red" variant="outline" tt="none">
                {log.errorCode}
              </Badge>
            ) : null}
          </Group>
          <Table withRowBorders={false} verticalSpacing={6} fz="sm" data-testid="log-detail">
            <Table.Tbody>
              <Row label={t('logs.requestId')}>
                <Code>{log.requestId}</Code>
              </Row>
              <Row label={t('logs.time')}>{formatDateTime(log.time)}</Row>
              <Row label={t('logs.model')}>{noneLabel(log.model)}</Row>
              <Row label={t('logs.provider')}>{noneLabel(log.provider)}</Row>
              <Row label={t('logs.key')}>
                <LogCaller log={log} />
              </Row>
              <Row label={t('logs.promptTokens')}>{formatNumber(log.promptTokens)}</Row>
              <Row label={t('logs.cacheReadTokens')}>{formatNumber(log.cacheReadTokens)}</Row>
              <Row label={t('logs.cacheWriteTokens')}>{formatNumber(log.cacheWriteTokens)}</Row>
              <Row label={t('logs.completionTokens')}>{formatNumber(log.completionTokens)}</Row>
              <Row label={t('logs.reasoningTokens')}>{formatNumber(log.reasoningTokens)}</Row>
              <Row label={t('logs.totalTokens')}>
                {formatNumber(log.totalTokens)}
                {log.tokensEstimated ? (
                  <Text span size="xs" c="dimmed" ml={6}>
                    ({t('logs.estimated')})
                  </Text>
                ) : null}
              </Row>
              <Row label={t('logs.cost')}>
                {formatMoney(log.cost, log.currency)}
                <Text span size="xs" c="dimmed" ml={6}>
                  {log.currency}
                </Text>
              </Row>
              <Row label={t('logs.protocol')}>
                <LogProtocol protocol={log.protocol} />
                <Code ml={6}>{log.protocol}</Code>
              </Row>
              <Row label={t('logs.latency')}>{formatMs(log.latencyMs)}</Row>
              <Row label={t('logs.ttft')}>{formatMs(log.ttftMs)}</Row>
              <Row label={t('logs.errorCode')}>{log.errorCode ?? '–'}</Row>
              {log.attempts !== undefined ? <Row label={t('logs.attempts')}>{formatNumber(log.attempts)}</Row> : null}
              {log.cached !== undefined ? <Row label={t('logs.cached')}>{log.cached ? t('common.yes') : t('common.no')}</Row> : null}
            </Table.Tbody>
          </Table>
        </Stack>
      )}
    </Drawer>
  );
}
