import { Badge, Button, Card, Grid, Group, Input, NumberInput, SegmentedControl, Stack, Switch, Text, Textarea } from '@mantine/core';
import { IconPlayerPlay, IconPlayerStop } from '@tabler/icons-react';
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { useModels } from '../../api/hooks';
import { runCompletion, type PlaygroundApi } from '../../api/playground';
import { useProtocolLabel } from '../logs/log-protocol';
import { ModelPicker } from './model-picker';
import { GatewayHeaders, RunMetrics, RunOutput } from './run-output';
import { useRun } from './use-run';

/** The prototype's canned smoke-test message; kept verbatim in every UI language. */
export const DEFAULT_TEST_MESSAGE = '你好，这是一个测试消息，请回复"测试成功"即可。';
export const CHAT_PATH = '/admin/api/playground/chat/completions';
export const RESPONSES_PATH = '/admin/api/playground/responses';

export interface ChatOptions {
  model: string;
  message: string;
  system?: string;
  temperature?: number | null;
  maxTokens?: number | null;
  stream: boolean;
}

export const chatBody = (o: ChatOptions) => ({
  model: o.model,
  messages: [
    ...(o.system?.trim() ? [{ role: 'system', content: o.system.trim() }] : []),
    { role: 'user', content: o.message },
  ],
  ...(o.temperature !== null && o.temperature !== undefined ? { temperature: o.temperature } : {}),
  ...(o.maxTokens ? { max_tokens: o.maxTokens } : {}),
  stream: o.stream,
  ...(o.stream ? { stream_options: { include_usage: true } } : {}),
});

/** The same test as a Responses API request (never stored by the playground). */
export const responsesBody = (o: ChatOptions) => ({
  model: o.model,
  input: o.message,
  ...(o.system?.trim() ? { instructions: o.system.trim() } : {}),
  ...(o.temperature !== null && o.temperature !== undefined ? { temperature: o.temperature } : {}),
  ...(o.maxTokens ? { max_output_tokens: o.maxTokens } : {}),
  stream: o.stream,
  store: false,
});

export function LanguageTest() {
  const { t } = useTranslation();
  const models = useModels();
  const [model, setModel] = useState<string | null>(null);
  const [message, setMessage] = useState(DEFAULT_TEST_MESSAGE);
  const [system, setSystem] = useState('');
  const [temperature, setTemperature] = useState<string | number>(0.7);
  const [maxTokens, setMaxTokens] = useState<string | number>(1024);
  const [stream, setStream] = useState(true);
  const [api, setApi] = useState<PlaygroundApi>('openai-chat');
  const protocolLabel = useProtocolLabel();
  const run = useRun();
  const running = run.state.status === 'running';
  const pricing = models.data?.find((m) => m.key === model)?.pricing;

  const send = () => {
    if (!model || !message.trim()) return;
    const options: ChatOptions = {
      model,
      message,
      system,
      temperature: temperature === '' ? null : Number(temperature),
      maxTokens: maxTokens === '' ? null : Number(maxTokens),
      stream,
    };
    const [path, body] = api === 'openai-responses' ? [RESPONSES_PATH, responsesBody(options)] : [CHAT_PATH, chatBody(options)];
    void run.start((signal, onProgress) => runCompletion(path, body, { stream, signal, onProgress, api }));
  };

  return (
    <Grid gap="md">
      <Grid.Col span={{ base: 12, md: 5 }}>
        <Card>
          <Stack gap="sm">
            <ModelPicker kind="language" value={model} onChange={setModel} testId="playground-model" />
            <Input.Wrapper label={t('playground.api')} description={t('playground.apiHint')}>
              <SegmentedControl
                fullWidth
                mt={4}
                value={api}
                onChange={(value) => setApi(value as PlaygroundApi)}
                data={[
                  { value: 'openai-chat', label: t('playground.apiChat') },
                  { value: 'openai-responses', label: t('playground.apiResponses') },
                ]}
                data-testid="playground-api"
              />
            </Input.Wrapper>
            <Textarea
              label={t('playground.systemPrompt')}
              placeholder={t('playground.systemPromptPlaceholder')}
              value={system}
              onChange={(e) => setSystem(e.currentTarget.value)}
              autosize
              minRows={2}
              maxRows={6}
              data-testid="playground-system"
            />
            <Textarea
              label={t('playground.message')}
              value={message}
              onChange={(e) => setMessage(e.currentTarget.value)}
              autosize
              minRows={3}
              maxRows={10}
              data-testid="playground-message"
              onKeyDown={(e) => {
                if (e.key === 'Enter' && (e.ctrlKey || e.metaKey)) send();
              }}
            />
            <Group grow>
              <NumberInput
                label={t('playground.temperature')}
                value={temperature}
                onChange={setTemperature}
                min={0}
                max={2}
                step={0.1}
                decimalScale={2}
                data-testid="playground-temperature"
              />
              <NumberInput
                label={t('playground.maxTokens')}
                value={maxTokens}
                onChange={setMaxTokens}
                min={1}
                allowDecimal={false}
                data-testid="playground-max-tokens"
              />
            </Group>
            <Switch
              label={t('playground.stream')}
              checked={stream}
              onChange={(e) => setStream(e.currentTarget.checked)}
              data-testid="playground-stream"
            />
            <Group justify="flex-end">
              {running ? (
                <Button color="red" variant="light" leftSection={<IconPlayerStop size={16} />} onClick={run.stop} data-testid="playground-stop">
                  {t('playground.stop')}
                </Button>
              ) : null}
              <Button
                leftSection={<IconPlayerPlay size={16} />}
                onClick={send}
                loading={running}
                disabled={!model || !message.trim()}
                data-testid="playground-send"
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
            <RunOutput state={run.state} testId="playground-output" placeholder={t('playground.outputPlaceholder')} />
            <RunMetrics state={run.state} pricing={pricing} prefix="playground" />
            {run.state.result ? (
              <Group gap={6}>
                <Text size="xs" c="dimmed">
                  {t('playground.protocolUsed')}
                </Text>
                <Badge size="sm" variant="light" tt="none" data-testid="playground-protocol" data-protocol={run.state.result.protocol}>
                  {protocolLabel(run.state.result.protocol)}
                </Badge>
              </Group>
            ) : null}
            {run.state.result ? <GatewayHeaders headers={run.state.result.gatewayHeaders} /> : null}
          </Stack>
        </Card>
      </Grid.Col>
    </Grid>
  );
}
