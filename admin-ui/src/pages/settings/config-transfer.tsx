import { Alert, Button, Card, Code, FileButton, Group, Stack, Text, Textarea } from '@mantine/core';
import { notifications } from '@mantine/notifications';
import { IconAlertCircle, IconCircleCheck, IconDownload, IconFileUpload, IconUpload } from '@tabler/icons-react';
import { useMutation, useQueryClient } from '@tanstack/react-query';
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { ApiError } from '../../api/client';
import { configApi } from '../../api/endpoints';

const download = (text: string) => {
  const stamp = new Date().toISOString().slice(0, 19).replace(/[-:T]/g, '');
  const url = URL.createObjectURL(new Blob([text], { type: 'text/yaml' }));
  const link = document.createElement('a');
  link.href = url;
  link.download = `sk-llm-gateway-config-${stamp}.yaml`;
  document.body.appendChild(link);
  link.click();
  link.remove();
  window.setTimeout(() => URL.revokeObjectURL(url), 1000);
};

export function ConfigTransfer() {
  const { t } = useTranslation();
  const client = useQueryClient();
  const [yaml, setYaml] = useState('');
  const [problem, setProblem] = useState<{ message: string; details?: unknown } | null>(null);
  const [imported, setImported] = useState<string | number | null>(null);

  const exporter = useMutation({ mutationFn: configApi.exportYaml, onSuccess: (text) => download(text) });

  const importer = useMutation({
    mutationFn: configApi.importYaml,
    onMutate: () => {
      setProblem(null);
      setImported(null);
    },
    onSuccess: (result) => {
      setImported(result.version);
      // A new configuration can change every list in the console.
      void client.invalidateQueries();
      notifications.show({ color: 'teal', message: t('settings.importDone', { version: result.version }) });
    },
    onError: (error) => {
      setProblem({
        message: error instanceof Error ? error.message : t('errors.unknown'),
        details: error instanceof ApiError ? error.details : undefined,
      });
    },
  });

  const loadFile = async (file: File | null) => {
    if (!file) return;
    setYaml(await file.text());
    setProblem(null);
    setImported(null);
  };

  return (
    <Card>
      <Stack gap="sm">
        <Group justify="space-between" align="flex-start">
          <div>
            <Text fw={600}>{t('settings.config')}</Text>
            <Text size="sm" c="dimmed">
              {t('settings.configHint')}
            </Text>
          </div>
          <Button
            variant="default"
            leftSection={<IconDownload size={16} />}
            loading={exporter.isPending}
            onClick={() => exporter.mutate()}
            data-testid="config-export"
          >
            {t('settings.export')}
          </Button>
        </Group>
        <Textarea
          label={t('settings.importYaml')}
          placeholder={t('settings.importPlaceholder')}
          value={yaml}
          onChange={(e) => setYaml(e.currentTarget.value)}
          autosize
          minRows={6}
          maxRows={18}
          styles={{ input: { fontFamily: 'var(--mantine-font-family-monospace)', fontSize: 12 } }}
          data-testid="config-import-text"
        />
        {problem ? (
          <Alert color="red" variant="light" icon={<IconAlertCircle size={18} />} title={t('settings.importFailed')} data-testid="config-import-error">
            <Text size="sm">{problem.message}</Text>
            {problem.details ? (
              <Code block mt="xs" fz="xs">
                {JSON.stringify(problem.details, null, 2)}
              </Code>
            ) : null}
          </Alert>
        ) : null}
        {imported !== null ? (
          <Alert color="teal" variant="light" icon={<IconCircleCheck size={18} />} data-testid="config-import-success">
            {t('settings.importDone', { version: imported })}
          </Alert>
        ) : null}
        <Group justify="flex-end" gap="xs">
          <FileButton
            onChange={(file) => void loadFile(file)}
            accept=".yaml,.yml,text/yaml,application/x-yaml,text/plain"
            inputProps={{ 'data-testid': 'config-import-file' } as React.ComponentProps<'input'>}
          >
            {(props) => (
              <Button {...props} variant="default" leftSection={<IconFileUpload size={16} />} data-testid="config-import-file-button">
                {t('settings.chooseFile')}
              </Button>
            )}
          </FileButton>
          <Button
            leftSection={<IconUpload size={16} />}
            onClick={() => importer.mutate(yaml)}
            loading={importer.isPending}
            disabled={!yaml.trim()}
            data-testid="config-import-submit"
          >
            {t('settings.import')}
          </Button>
        </Group>
      </Stack>
    </Card>
  );
}
