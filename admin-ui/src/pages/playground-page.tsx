import { Stack, Tabs } from '@mantine/core';
import { IconColumns, IconMessageChatbot, IconPhoto } from '@tabler/icons-react';
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { PageHeader } from '../components/page-header';
import { CompareTest } from './playground/compare-test';
import { LanguageTest } from './playground/language-test';
import { VisionTest } from './playground/vision-test';

export default function PlaygroundPage() {
  const { t } = useTranslation();
  const [tab, setTab] = useState<string | null>('language');
  return (
    <Stack gap="lg">
      <PageHeader title={t('playground.title')} description={t('playground.description')} />
      <Tabs value={tab} onChange={setTab} keepMounted>
        <Tabs.List mb="md">
          <Tabs.Tab value="language" leftSection={<IconMessageChatbot size={16} />} data-testid="playground-tab-language">
            {t('playground.languageTab')}
          </Tabs.Tab>
          <Tabs.Tab value="vision" leftSection={<IconPhoto size={16} />} data-testid="playground-tab-vision">
            {t('playground.visionTab')}
          </Tabs.Tab>
          <Tabs.Tab value="compare" leftSection={<IconColumns size={16} />} data-testid="playground-tab-compare">
            {t('playground.compareTab')}
          </Tabs.Tab>
        </Tabs.List>
        <Tabs.Panel value="language">
          <LanguageTest />
        </Tabs.Panel>
        <Tabs.Panel value="vision">
          <VisionTest visible={tab === 'vision'} />
        </Tabs.Panel>
        <Tabs.Panel value="compare">
          <CompareTest />
        </Tabs.Panel>
      </Tabs>
    </Stack>
  );
}
