import { Alert, Button, Card, Grid, Group, Stack, Switch, Text, Textarea } from '@mantine/core';
import { IconPhotoCog, IconPlayerPlay, IconPlayerStop } from '@tabler/icons-react';
import { useCallback, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { useModels } from '../../api/hooks';
import { runCompletion } from '../../api/playground';
import { ImageDrop } from './image-drop';
import { ModelPicker } from './model-picker';
import { GatewayHeaders, RunMetrics, RunOutput } from './run-output';
import { useRun } from './use-run';

const VISION_PATH = '/admin/api/playground/vision/completions';
const PROCESSING_HEADER = 'x-gateway-image-processing';

export function VisionTest({ visible }: { visible: boolean }) {
  const { t } = useTranslation();
  const models = useModels();
  const [model, setModel] = useState<string | null>(null);
  const [file, setFile] = useState<File | null>(null);
  const [prompt, setPrompt] = useState(() => t('playground.visionDefaultPrompt'));
  const [stream, setStream] = useState(true);
  const run = useRun();
  const running = run.state.status === 'running';
  const pricing = models.data?.find((m) => m.key === model)?.pricing;
  const onFile = useCallback((f: File | null) => setFile(f), []);
  const headers = run.state.result?.gatewayHeaders ?? {};
  const processing = headers[PROCESSING_HEADER];

  const send = () => {
    if (!model || !file) return;
    const form = new FormData();
    form.append('model', model);
    form.append('prompt', prompt);
    form.append('stream', String(stream));
    form.append('image', file, file.name);
    void run.start((signal, onProgress) => runCompletion(VISION_PATH, form, { stream, signal, onProgress }));
  };

  return (
    <Grid gap="md">
      <Grid.Col span={{ base: 12, md: 5 }}>
        <Card>
          <Stack gap="sm">
            <ModelPicker kind="vision" value={model} onChange={setModel} testId="vision-model" />
            <ImageDrop file={file} onFile={onFile} pasteEnabled={visible} />
            <Textarea
              label={t('playground.prompt')}
              value={prompt}
              onChange={(e) => setPrompt(e.currentTarget.value)}
              autosize
              minRows={2}
              maxRows={6}
              data-testid="vision-prompt"
            />
            <Switch
              label={t('playground.stream')}
              checked={stream}
              onChange={(e) => setStream(e.currentTarget.checked)}
              data-testid="vision-stream"
            />
            <Group justify="flex-end">
              {running ? (
                <Button color="red" variant="light" leftSection={<IconPlayerStop size={16} />} onClick={run.stop}>
                  {t('playground.stop')}
                </Button>
              ) : null}
              <Button
                leftSection={<IconPlayerPlay size={16} />}
                onClick={send}
                loading={running}
                disabled={!model || !file}
                data-testid="vision-send"
              >
                {t('playground.send')}
              </Button>
            </Group>
          </Stack>
        </Card>
      </Grid.Col>
      <Grid.Col span={{ base: 12, md: 7 }}>
        <Card>
          <Stack gap="sm">
            <Text fw={600}>{t('playground.response')}</Text>
            <RunOutput state={run.state} testId="vision-output" placeholder={t('playground.visionPlaceholder')} />
            {run.state.result ? (
              <Alert variant="light" color="indigo" icon={<IconPhotoCog size={18} />} p="xs" data-testid="vision-processing">
                <Text size="sm">
                  {t('playground.imageProcessing')}: {processing ?? t('playground.noProcessingHeader')}
                </Text>
              </Alert>
            ) : null}
            <RunMetrics state={run.state} pricing={pricing} prefix="vision" />
            <GatewayHeaders headers={headers} />
          </Stack>
        </Card>
      </Grid.Col>
    </Grid>
  );
}
