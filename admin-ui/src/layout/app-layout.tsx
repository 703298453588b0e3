import { AppShell, Badge, Burger, Group, NavLink, ScrollArea, Text, ThemeIcon, Title } from '@mantine/core';
import { useDisclosure } from '@mantine/hooks';
import { IconRoute } from '@tabler/icons-react';
import { Suspense } from 'react';
import { useTranslation } from 'react-i18next';
import { NavLink as RouterLink, Outlet, useLocation } from 'react-router-dom';
import { useAuthInfo } from '../api/hooks';
import { useAuth } from '../auth/auth-provider';
import { DemoBanner } from '../components/demo-banner';
import { HeaderControls } from './header-controls';
import { NAV_ITEMS } from './nav-items';
import { usePlatformName } from './use-platform-name';

export function AppLayout({ fallback }: { fallback: React.ReactNode }) {
  const { t } = useTranslation();
  const [opened, { toggle, close }] = useDisclosure();
  const location = useLocation();
  const platformName = usePlatformName();
  const info = useAuthInfo();
  const { role } = useAuth();
  const rank = { viewer: 0, operator: 1, admin: 2 } as const;
  const visible = NAV_ITEMS.filter((item) => role !== null && rank[role] >= rank[item.role]);

  const isActive = (path: string) =>
    path === '/' ? location.pathname === '/' : location.pathname.startsWith(path);

  return (
    <AppShell
      header={{ height: 56 }}
      // Below md (992 px) the navbar is behind the burger: at 820 px a fixed sidebar left the
      // pages too narrow for their cards and badges.
      navbar={{ width: 232, breakpoint: 'md', collapsed: { mobile: !opened } }}
      padding={{ base: 'sm', sm: 'lg' }}
    >
      <AppShell.Header>
        <Group h="100%" px="md" justify="space-between" wrap="nowrap">
          <Group gap="sm" wrap="nowrap" miw={0}>
            <Burger
              opened={opened}
              onClick={toggle}
              hiddenFrom="md"
              size="sm"
              aria-label={t('header.toggleNavigation')}
              data-testid="nav-burger"
            />
            <ThemeIcon size={32} radius="md" variant="gradient" gradient={{ from: 'indigo', to: 'cyan' }}>
              <IconRoute size={20} />
            </ThemeIcon>
            <Title order={4} lineClamp={1} data-testid="platform-name">
              {platformName}
            </Title>
          </Group>
          <HeaderControls />
        </Group>
      </AppShell.Header>

      <AppShell.Navbar p="sm" data-testid="navbar">
        <AppShell.Section grow component={ScrollArea}>
          {visible.map((item) => (
            <NavLink
              key={item.id}
              component={RouterLink}
              to={item.path}
              label={t(item.label)}
              leftSection={<item.icon size={18} stroke={1.6} />}
              active={isActive(item.path)}
              onClick={close}
              data-testid={`nav-${item.id}`}
              style={{ borderRadius: 'var(--mantine-radius-md)' }}
              mb={2}
            />
          ))}
        </AppShell.Section>
        <AppShell.Section pt="sm">
          <Group justify="space-between" px="xs">
            <Text size="xs" c="dimmed">
              {t('app.console')}
            </Text>
            {info.data?.version ? (
              <Badge size="xs" variant="light" color="gray" tt="none">
                v{info.data.version}
              </Badge>
            ) : null}
          </Group>
        </AppShell.Section>
      </AppShell.Navbar>

      <AppShell.Main>
        <DemoBanner where="console" />
        <Suspense fallback={fallback}>
          <Outlet />
        </Suspense>
      </AppShell.Main>
    </AppShell>
  );
}
