import { Badge, Group, Stack, Text, type ComboboxItem } from '@mantine/core';
import { useTranslation } from 'react-i18next';
import type { Model } from '../../api/types';
import { StatusBadge } from '../../components/status-badge';
import { localName } from '../../utils/localized';

/**
 * Dropdown row for a model select: the key, then its display name, status and an "active" tag.
 * The extras are aria-hidden so an option's accessible name (and the input's value) is the
 * model key alone, which keeps the selects predictable for keyboard, screen-reader and tests.
 */
export function ModelOption({ option, model, isActive }: { option: ComboboxItem; model?: Model; isActive?: boolean }) {
  const { t } = useTranslation();
  return (
    <Group justify="space-between" wrap="nowrap" w="100%" gap="xs">
      <Stack gap={0} miw={0}>
        <Text size="sm" truncate="end">
          {option.value}
        </Text>
        {model && localName(model) !== model.name ? (
          <Text size="xs" c="dimmed" truncate="end" aria-hidden>
            {localName(model)}
          </Text>
        ) : null}
      </Stack>
      <Group gap={4} wrap="nowrap" aria-hidden>
        {isActive ? (
          <Badge size="xs" variant="dot" color="teal">
            {t('playground.activeTag')}
          </Badge>
        ) : null}
        {model && model.status !== 'usable' ? <StatusBadge status={model.status} /> : null}
      </Group>
    </Group>
  );
}
