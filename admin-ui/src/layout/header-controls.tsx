import {
  ActionIcon,
  Avatar,
  Badge,
  Button,
  Group,
  Menu,
  Text,
  Tooltip,
  useComputedColorScheme,
  useMantineColorScheme,
} from '@mantine/core';
import { IconLanguage, IconLogout, IconMoon, IconSun } from '@tabler/icons-react';
import { useTranslation } from 'react-i18next';
import { useAuth } from '../auth/auth-provider';
import { currentLanguage } from '../i18n';

export function LanguageSwitch() {
  const { t, i18n } = useTranslation();
  const language = currentLanguage();
  const next = language === 'zh-CN' ? 'en' : 'zh-CN';
  return (
    <Tooltip label={t('header.switchLanguage')}>
      <Button
        variant="default"
        size="xs"
        leftSection={<IconLanguage size={16} />}
        onClick={() => void i18n.changeLanguage(next)}
        data-testid="language-switch"
        data-language={language}
        aria-label={t('header.switchLanguage')}
      >
        {next === 'zh-CN' ? '中文' : 'EN'}
      </Button>
    </Tooltip>
  );
}

export function ThemeToggle() {
  const { t } = useTranslation();
  const { setColorScheme } = useMantineColorScheme();
  const computed = useComputedColorScheme('light', { getInitialValueInEffect: true });
  const label = computed === 'dark' ? t('header.lightMode') : t('header.darkMode');
  return (
    <Tooltip label={label}>
      <ActionIcon
        variant="default"
        size="lg"
        onClick={() => setColorScheme(computed === 'dark' ? 'light' : 'dark')}
        data-testid="theme-toggle"
        data-scheme={computed}
        aria-label={label}
      >
        {computed === 'dark' ? <IconSun size={18} /> : <IconMoon size={18} />}
      </ActionIcon>
    </Tooltip>
  );
}

export function UserMenu() {
  const { t } = useTranslation();
  const { user, role, logout } = useAuth();
  return (
    <Menu position="bottom-end" width={220} shadow="md">
      <Menu.Target>
        <Group gap={6} wrap="nowrap" style={{ cursor: 'pointer' }}>
          <Text size="sm" fw={500} visibleFrom="sm" maw={160} truncate data-testid="account-name">
            {user}
          </Text>
          {role ? (
            <Badge size="xs" variant="light" visibleFrom="sm" data-testid="account-role">
              {t(`roles.${role}`)}
            </Badge>
          ) : null}
          <ActionIcon variant="subtle" size="lg" radius="xl" data-testid="user-menu" aria-label={t('header.account')}>
            <Avatar size={30} radius="xl" color="indigo">
              {(user ?? 'A').slice(0, 1).toUpperCase()}
            </Avatar>
          </ActionIcon>
        </Group>
      </Menu.Target>
      <Menu.Dropdown>
        <Menu.Label>
          <Text size="xs" c="dimmed">
            {t('header.signedInAs', { user: user ?? 'admin' })}
          </Text>
        </Menu.Label>
        <Menu.Item
          color="red"
          leftSection={<IconLogout size={16} />}
          onClick={() => void logout()}
          data-testid="logout-button"
        >
          {t('header.logout')}
        </Menu.Item>
      </Menu.Dropdown>
    </Menu>
  );
}

export function HeaderControls() {
  return (
    <Group gap="xs" wrap="nowrap">
      <LanguageSwitch />
      <ThemeToggle />
      <UserMenu />
    </Group>
  );
}
