import { ActionIcon, Badge, Group, Stack, Switch, Table, Text, Tooltip, UnstyledButton } from '@mantine/core';
import { IconChevronDown, IconChevronRight, IconEye, IconMessageChatbot, IconPencil, IconTrash } from '@tabler/icons-react';
import { Fragment } from 'react';
import { useTranslation } from 'react-i18next';
import type { ActiveKind, Model } from '../../api/types';
import { StatusBadge } from '../../components/status-badge';
import { formatCompact, formatNumber } from '../../utils/format';
import { localName } from '../../utils/localized';
import { canServe, modelTypes, TYPE_COLORS } from './model-utils';

/** One page of the grouped table: a provider header, then (unless collapsed) its models on this page. */
export interface ModelGroupSlice {
  provider: string;
  /** Models of the provider across all pages (after the filters). */
  total: number;
  collapsed: boolean;
  /** The group started on an earlier page. */
  continued: boolean;
  models: Model[];
}

interface Props {
  groups: ModelGroupSlice[];
  onToggleGroup: (provider: string) => void;
  onActivate: (kind: ActiveKind, model: Model) => void;
  onToggle: (model: Model, enabled: boolean) => void;
  onEdit: (model: Model) => void;
  onDelete: (model: Model) => void;
  busyKey: string | null;
}

function ActiveBadges({ model }: { model: Model }) {
  const { t } = useTranslation();
  return (
    <Group gap={4}>
      {model.active.language ? (
        <Badge size="sm" color="indigo" variant="filled" data-testid={`model-active-language-${model.key}`}>
          {t('models.activeLanguageBadge')}
        </Badge>
      ) : null}
      {model.active.vision ? (
        <Badge size="sm" color="grape" variant="filled" data-testid={`model-active-vision-${model.key}`}>
          {t('models.activeVisionBadge')}
        </Badge>
      ) : null}
    </Group>
  );
}

const COLUMNS = 9;

function GroupHeader({ group, onToggle }: { group: ModelGroupSlice; onToggle: () => void }) {
  const { t } = useTranslation();
  const Icon = group.collapsed ? IconChevronRight : IconChevronDown;
  return (
    <Table.Tr className="model-group-row" data-testid={`model-group-${group.provider}`} data-collapsed={String(group.collapsed)}>
      <Table.Td colSpan={COLUMNS} py={6}>
        <UnstyledButton onClick={onToggle} aria-expanded={!group.collapsed} data-testid={`model-group-toggle-${group.provider}`} w="100%">
          <Group gap="xs" wrap="nowrap">
            <Icon size={16} />
            <Text fw={600} size="sm">
              {group.provider}
            </Text>
            <Badge size="sm" variant="light" color="gray" style={{ flexShrink: 0 }}>
              {t('models.groupCount', { count: group.total })}
            </Badge>
            {group.continued ? (
              <Text size="xs" c="dimmed">
                {t('models.groupContinued')}
              </Text>
            ) : null}
          </Group>
        </UnstyledButton>
      </Table.Td>
    </Table.Tr>
  );
}

export function ModelsTable({ groups, onToggleGroup, onActivate, onToggle, onEdit, onDelete, busyKey }: Props) {
  const { t } = useTranslation();
  return (
    <Table.ScrollContainer minWidth={960}>
      <Table highlightOnHover verticalSpacing="sm" data-testid="models-table">
        <Table.Thead>
          <Table.Tr>
            <Table.Th>{t('models.model')}</Table.Th>
            <Table.Th>{t('models.provider')}</Table.Th>
            <Table.Th>{t('models.type')}</Table.Th>
            <Table.Th>{t('models.status')}</Table.Th>
            <Table.Th>{t('models.active')}</Table.Th>
            <Table.Th>{t('models.pricing')}</Table.Th>
            <Table.Th>{t('models.context')}</Table.Th>
            <Table.Th>{t('models.enabled')}</Table.Th>
            <Table.Th ta="right">{t('common.actions')}</Table.Th>
          </Table.Tr>
        </Table.Thead>
        <Table.Tbody>
          {groups.map((group) => (
            <Fragment key={group.provider}>
              <GroupHeader group={group} onToggle={() => onToggleGroup(group.provider)} />
              {group.models.map((model) => (
                <Table.Tr key={model.key} data-testid={`model-row-${model.key}`} data-model-key={model.key}>
                  <Table.Td maw={280}>
                    <Stack gap={0}>
                      <Text size="sm" fw={500} truncate="end">
                        {localName(model)}
                      </Text>
                      <Text size="xs" c="dimmed" className="mono" truncate="end">
                        {model.key}
                      </Text>
                      {model.aliases.length ? (
                        <Text size="xs" c="dimmed" truncate="end">
                          {t('models.aliasList', { aliases: model.aliases.join(', ') })}
                        </Text>
                      ) : null}
                    </Stack>
                  </Table.Td>
                  <Table.Td>{model.provider}</Table.Td>
                  <Table.Td>
                    <Group gap={4}>
                      {modelTypes(model).map((type) => (
                        <Badge key={type} size="sm" variant="light" color={TYPE_COLORS[type] ?? 'gray'}>
                          {t(`modelType.${type}`, { defaultValue: type })}
                        </Badge>
                      ))}
                    </Group>
                  </Table.Td>
                  <Table.Td>
                    <StatusBadge status={model.status} testId={`model-status-${model.key}`} />
                  </Table.Td>
                  <Table.Td>
                    <ActiveBadges model={model} />
                  </Table.Td>
                  <Table.Td>
                    {model.pricing ? (
                      <Text size="xs" className="mono" style={{ whiteSpace: 'nowrap' }}>
                        {formatNumber(model.pricing.input, 4)} / {formatNumber(model.pricing.output, 4)} {model.pricing.currency}
                      </Text>
                    ) : (
                      <Text size="xs" c="dimmed">
                        –
                      </Text>
                    )}
                  </Table.Td>
                  <Table.Td>
                    <Text size="xs">{model.contextWindow ? formatCompact(model.contextWindow) : '–'}</Text>
                  </Table.Td>
                  <Table.Td>
                    <Switch
                      checked={model.enabled}
                      onChange={(e) => onToggle(model, e.currentTarget.checked)}
                      disabled={busyKey === model.key}
                      aria-label={t('models.enabled')}
                      data-testid={`model-enabled-${model.key}`}
                    />
                  </Table.Td>
                  <Table.Td>
                    <Group gap={4} justify="flex-end" wrap="nowrap">
                      {canServe(model, 'language') ? (
                        <Tooltip label={t('models.setActiveLanguage')}>
                          <ActionIcon
                            variant={model.active.language ? 'filled' : 'subtle'}
                            color="indigo"
                            onClick={() => onActivate('language', model)}
                            disabled={model.active.language}
                            aria-label={t('models.setActiveLanguage')}
                            data-testid={`set-active-language-${model.key}`}
                          >
                            <IconMessageChatbot size={18} />
                          </ActionIcon>
                        </Tooltip>
                      ) : null}
                      {canServe(model, 'vision') ? (
                        <Tooltip label={t('models.setActiveVision')}>
                          <ActionIcon
                            variant={model.active.vision ? 'filled' : 'subtle'}
                            color="grape"
                            onClick={() => onActivate('vision', model)}
                            disabled={model.active.vision}
                            aria-label={t('models.setActiveVision')}
                            data-testid={`set-active-vision-${model.key}`}
                          >
                            <IconEye size={18} />
                          </ActionIcon>
                        </Tooltip>
                      ) : null}
                      <Tooltip label={t('common.edit')}>
                        <ActionIcon
                          variant="subtle"
                          color="gray"
                          onClick={() => onEdit(model)}
                          aria-label={t('common.edit')}
                          data-testid={`model-edit-${model.key}`}
                        >
                          <IconPencil size={18} />
                        </ActionIcon>
                      </Tooltip>
                      <Tooltip label={t('common.delete')}>
                        <ActionIcon
                          variant="subtle"
                          color="red"
                          onClick={() => onDelete(model)}
                          aria-label={t('common.delete')}
                          data-testid={`model-delete-${model.key}`}
                        >
                          <IconTrash size={18} />
                        </ActionIcon>
                      </Tooltip>
                    </Group>
                  </Table.Td>
                </Table.Tr>
              ))}
            </Fragment>
          ))}
        </Table.Tbody>
      </Table>
    </Table.ScrollContainer>
  );
}
