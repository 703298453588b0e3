import { Alert, Button, Code, Group, Modal, Stack, Text } from '@mantine/core';
import { IconAlertTriangle } from '@tabler/icons-react';
import { useTranslation } from 'react-i18next';
import type { CreatedApiKey } from '../../api/types';
import { CopyTextButton } from '../../components/copy-text-button';

/** The only place the full secret is ever shown; it is dropped from memory on close. */
export function CreatedKeyModal({ created, onClose }: { created: CreatedApiKey | null; onClose: () => void }) {
  const { t } = useTranslation();
  return (
    <Modal
      opened={created !== null}
      onClose={onClose}
      title={t('keys.createdTitle', { name: created?.name ?? '' })}
      closeOnClickOutside={false}
      size="lg"
      data-testid="created-key-modal"
    >
      <Stack gap="md">
        <Alert color="orange" variant="light" icon={<IconAlertTriangle size={18} />}>
          {t('keys.createdWarning')}
        </Alert>
        <Code block fz="sm" style={{ wordBreak: 'break-all', whiteSpace: 'pre-wrap' }} data-testid="created-key-value">
          {created?.key ?? ''}
        </Code>
        <Text size="xs" c="dimmed">
          {t('keys.createdUsage')}
        </Text>
        <Group justify="flex-end">
          <CopyTextButton value={created?.key ?? ''} testId="created-key-copy" />
          <Button variant="default" onClick={onClose} data-testid="created-key-close">
            {t('keys.createdDone')}
          </Button>
        </Group>
      </Stack>
    </Modal>
  );
}
