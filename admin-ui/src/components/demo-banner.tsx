import { Alert } from '@mantine/core';
import { IconInfoCircle } from '@tabler/icons-react';
import { useTranslation } from 'react-i18next';
import { useAuthInfo } from '../api/hooks';

/**
 * Shown only when the server runs `serve --demo` (`demo` in /admin/auth/info), so nobody
 * mistakes the simulator's answers, or the demo's own data folder, for the real thing.
 */
export function DemoBanner({ where }: { where: 'console' | 'login' }) {
  const { t } = useTranslation();
  const info = useAuthInfo();
  if (!info.data?.demo) return null;
  return (
    <Alert
      variant="light"
      color="yellow"
      radius="md"
      icon={<IconInfoCircle size={18} />}
      title={t('demo.title')}
      mb={where === 'console' ? 'md' : 0}
      data-testid="demo-banner"
    >
      {t(where === 'login' ? 'demo.login' : 'demo.console')}
    </Alert>
  );
}
