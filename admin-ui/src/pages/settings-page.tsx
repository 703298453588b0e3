import { SimpleGrid, Stack } from '@mantine/core';
import { useTranslation } from 'react-i18next';
import { useCan } from '../auth/auth-provider';
import { PageHeader } from '../components/page-header';
import { AuditTable } from './settings/audit-table';
import { ConfigTransfer } from './settings/config-transfer';
import { GeneralSettings } from './settings/general-settings';
import { PasswordForm } from './settings/password-form';

export default function SettingsPage() {
  const { t } = useTranslation();
  // Everyone changes their own password and reads the audit log; console settings and
  // configuration import are for admins (the server refuses them to other roles anyway).
  const isAdmin = useCan('admin');
  return (
    <Stack gap="lg">
      <PageHeader title={t('settings.title')} description={t('settings.description')} />
      <SimpleGrid cols={{ base: 1, md: isAdmin ? 2 : 1 }} spacing="md">
        {isAdmin ? <GeneralSettings /> : null}
        <PasswordForm />
      </SimpleGrid>
      {isAdmin ? <ConfigTransfer /> : null}
      <AuditTable />
    </Stack>
  );
}
