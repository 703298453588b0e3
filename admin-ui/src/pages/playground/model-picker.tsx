import { Select } from '@mantine/core';
import { useEffect } from 'react';
import { useTranslation } from 'react-i18next';
import { useActiveModels, useModels } from '../../api/hooks';
import type { ActiveKind, Model } from '../../api/types';
import { ModelOption } from '../models/model-option';
import { canServe } from '../models/model-utils';
import { localName } from '../../utils/localized';

/** Models that can answer this kind of test; everything when none is tagged for it. */
export function usePlaygroundModels(kind: ActiveKind) {
  const models = useModels();
  const all = models.data ?? [];
  const matching = all.filter((m) => canServe(m, kind));
  return { models: matching.length ? matching : all, isLoading: models.isLoading, all };
}

export const optionLabel = (m: Model) => (localName(m) !== m.name ? `${m.key} · ${localName(m)}` : m.key);

interface Props {
  kind: ActiveKind;
  value: string | null;
  onChange: (key: string | null) => void;
  testId: string;
}

/** Model selector that starts on the currently active model of its kind. */
export function ModelPicker({ kind, value, onChange, testId }: Props) {
  const { t } = useTranslation();
  const { models, isLoading } = usePlaygroundModels(kind);
  const active = useActiveModels();
  const activeKey = active.data?.[kind]?.key ?? null;
  const byKey = new Map(models.map((m) => [m.key, m]));

  useEffect(() => {
    if (value === null && activeKey) onChange(activeKey);
  }, [value, activeKey, onChange]);

  return (
    <Select
      label={t('playground.model')}
      placeholder={isLoading ? t('common.loading') : t('playground.chooseModel')}
      data={models.map((m) => ({ value: m.key, label: m.key, disabled: !m.enabled }))}
      renderOption={({ option }) => (
        <ModelOption option={option} model={byKey.get(option.value)} isActive={option.value === activeKey} />
      )}
      value={value}
      onChange={onChange}
      searchable
      nothingFoundMessage={t('common.nothingFound')}
      data-testid={testId}
      data-value={value ?? ''}
    />
  );
}
