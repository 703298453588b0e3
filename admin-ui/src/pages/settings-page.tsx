import { SimpleGrid, Stack } from '@mantine/core';
import { useTranslation } from 'react-i18next';
import { PageHeader } from '../components/page-header';
import { AuditTable } from './settings/audit-table';
import { ConfigTransfer } from './settings/config-transfer';
import { GeneralSettings } from './settings/general-settings';
import { PasswordForm } from './settings/password-form';

export default function SettingsPage() {
  const { t } = useTranslation();
  return (
    <Stack gap="lg">
      <PageHeader title={t('settings.title')} description={t('settings.description')} />
      <SimpleGrid cols={{ base: 1, md: 2 }} spacing="md">
        <GeneralSettings />
        <PasswordForm />
      </SimpleGrid>
      <ConfigTransfer />
      <AuditTable />
    </Stack>
  );
}
