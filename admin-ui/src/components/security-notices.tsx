import { Alert, Text } from '@mantine/core';
import { IconInfoCircle, IconShieldExclamation } from '@tabler/icons-react';
import { useQuery } from '@tanstack/react-query';
import { useTranslation } from 'react-i18next';
import { api } from '../api/client';
import i18n from '../i18n';

/**
 * Two small notices kept in their own file (and their own strings) so they can be placed
 * on the login and keys pages without touching the shared locale files.
 */
const strings = {
  en: {
    generatedPassword:
      'First start: the admin password was generated and printed once in the gateway’s terminal (stderr). It is also in initial-admin-password.txt in the data folder (GATEWAY_DATA_DIR, ./data by default) until you change it.',
    keysNotEnforcedTitle: 'Requests without a key are served anonymously',
    keysNotEnforced:
      'No GATEWAY_MASTER_KEY is set, so requests that send no API key at all are served without a key (loopback only) and no key’s limits or budget apply to them. A key that is sent is always checked: unknown, revoked or expired keys get 401. Set GATEWAY_MASTER_KEY to require a key on every request.',
  },
  'zh-CN': {
    generatedPassword:
      '首次启动：管理员密码已自动生成，并在网关终端（stderr）打印过一次；在修改密码之前，它也保存在数据目录（GATEWAY_DATA_DIR，默认 ./data）下的 initial-admin-password.txt 中。',
    keysNotEnforcedTitle: '不带密钥的请求会以匿名身份处理',
    keysNotEnforced:
      '未设置 GATEWAY_MASTER_KEY：完全不带 API 密钥的请求会被直接处理（仅限本机回环地址），任何密钥的限额和预算都对它们不起作用。带了密钥的请求一定会被校验：未知、已吊销或已过期的密钥返回 401。设置 GATEWAY_MASTER_KEY 即可要求每个请求都带密钥。',
  },
};
i18n.addResourceBundle('en', 'translation', { securityNotices: strings.en }, true, false);
i18n.addResourceBundle('zh-CN', 'translation', { securityNotices: strings['zh-CN'] }, true, false);

/** On the login page while the first-start password is in use. */
export function GeneratedPasswordHint({ show }: { show: boolean | undefined }) {
  const { t } = useTranslation();
  if (!show) return null;
  return (
    <Alert color="blue" variant="light" icon={<IconInfoCircle size={18} />} data-testid="generated-password-hint">
      <Text size="sm">{t('securityNotices.generatedPassword')}</Text>
    </Alert>
  );
}

interface Access {
  masterKeyConfigured: boolean;
  anonymousAccess: 'loopback' | 'none';
}

/** On the keys page when keys are not required (no master key). */
export function KeysNotEnforcedNotice() {
  const { t } = useTranslation();
  const access = useQuery({ queryKey: ['access'], queryFn: () => api.get<Access>('/admin/api/access'), staleTime: 60_000 });
  if (access.data?.anonymousAccess !== 'loopback') return null;
  return (
    <Alert color="yellow" variant="light" icon={<IconShieldExclamation size={18} />} title={t('securityNotices.keysNotEnforcedTitle')} data-testid="keys-not-enforced">
      <Text size="sm">{t('securityNotices.keysNotEnforced')}</Text>
    </Alert>
  );
}
