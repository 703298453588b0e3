import { Badge, Button, Card, Group, MultiSelect, SimpleGrid, Stack, Text, Textarea } from '@mantine/core';
import { IconColumns, IconPlayerPlay } from '@tabler/icons-react';
import { useEffect, useRef, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { useModels } from '../../api/hooks';
import { runCompletion } from '../../api/playground';
import { Empty } from '../../components/query-state';
import { chatBody, CHAT_PATH, DEFAULT_TEST_MESSAGE } from './language-test';
import { ModelOption } from '../models/model-option';
import { optionLabel, usePlaygroundModels } from './model-picker';
import { RunMetrics, RunOutput } from './run-output';
import { useRun } from './use-run';

const MAX_MODELS = 4;

interface SlotProps {
  index: number;
  model: string;
  prompt: string;
  /** Bumped by the parent for every "send": each change starts a new run. */
  runId: number;
  onStatus: (index: number, running: boolean) => void;
}

function CompareSlot({ index, model, prompt, runId, onStatus }: SlotProps) {
  const { t } = useTranslation();
  const models = useModels();
  const run = useRun();
  const info = models.data?.find((m) => m.key === model);

  // Slots are keyed by runId, so each send mounts fresh slots and this runs once per send.
  const { start } = run;
  useEffect(() => {
    if (runId === 0) return;
    void start((signal, onProgress) =>
      runCompletion(CHAT_PATH, chatBody({ model, message: prompt, stream: true }), { stream: true, signal, onProgress }),
    );
  }, [runId, model, prompt, start]);

  const running = run.state.status === 'running';
  useEffect(() => {
    onStatus(index, running);
  }, [index, running, onStatus]);
  useEffect(() => () => onStatus(index, false), [index, onStatus]);

  return (
    <Card data-testid={`compare-result-${index}`} data-model={model}>
      <Stack gap="sm">
        <Group justify="space-between" wrap="nowrap">
          <Text fw={600} size="sm" truncate="end" title={model}>
            {info ? optionLabel(info) : model}
          </Text>
          <Badge size="sm" variant="light" color={running ? 'indigo' : run.state.status === 'error' ? 'red' : 'gray'}>
            {t(`playground.status.${run.state.status}`)}
          </Badge>
        </Group>
        <RunOutput state={run.state} testId={`compare-output-${index}`} placeholder={t('playground.outputPlaceholder')} />
        <RunMetrics state={run.state} pricing={info?.pricing} prefix={`compare-${index}`} />
      </Stack>
    </Card>
  );
}

export function CompareTest() {
  const { t } = useTranslation();
  const { models } = usePlaygroundModels('language');
  const byKey = new Map(models.map((m) => [m.key, m]));
  const [selected, setSelected] = useState<string[]>([]);
  const [prompt, setPrompt] = useState(DEFAULT_TEST_MESSAGE);
  const [runId, setRunId] = useState(0);
  const [runningSlots, setRunningSlots] = useState<Record<number, boolean>>({});
  const [lastRun, setLastRun] = useState<{ models: string[]; prompt: string }>({ models: [], prompt: '' });
  const anyRunning = Object.values(runningSlots).some(Boolean);

  const onStatus = useRef((index: number, running: boolean) =>
    setRunningSlots((s) => (s[index] === running ? s : { ...s, [index]: running })),
  ).current;

  const send = () => {
    if (!selected.length || !prompt.trim()) return;
    setLastRun({ models: selected, prompt });
    setRunId((n) => n + 1);
  };

  return (
    <Stack gap="md">
      <Card>
        <Stack gap="sm">
          <MultiSelect
            label={t('playground.compareModels')}
            description={t('playground.compareHint', { max: MAX_MODELS })}
            data={models.map((m) => ({ value: m.key, label: m.key, disabled: !m.enabled }))}
            renderOption={({ option }) => <ModelOption option={option} model={byKey.get(option.value)} />}
            value={selected}
            onChange={setSelected}
            maxValues={MAX_MODELS}
            searchable
            clearable
            nothingFoundMessage={t('common.nothingFound')}
            data-testid="compare-models"
          />
          <Textarea
            label={t('playground.message')}
            value={prompt}
            onChange={(e) => setPrompt(e.currentTarget.value)}
            autosize
            minRows={2}
            maxRows={6}
            data-testid="compare-prompt"
          />
          <Group justify="flex-end">
            <Button
              leftSection={<IconPlayerPlay size={16} />}
              onClick={send}
              loading={anyRunning}
              disabled={!selected.length || !prompt.trim()}
              data-testid="compare-send"
            >
              {t('playground.compareSend')}
            </Button>
          </Group>
        </Stack>
      </Card>
      {lastRun.models.length === 0 ? (
        <Card>
          <Empty title={t('playground.compareEmpty')} description={t('playground.compareEmptyHint')} icon={<IconColumns size={28} />} />
        </Card>
      ) : (
        <SimpleGrid cols={{ base: 1, md: 2, xl: Math.min(lastRun.models.length, MAX_MODELS) }} spacing="md">
          {lastRun.models.map((model, index) => (
            <CompareSlot key={`${runId}-${model}`} index={index} model={model} prompt={lastRun.prompt} runId={runId} onStatus={onStatus} />
          ))}
        </SimpleGrid>
      )}
    </Stack>
  );
}
