import { Alert, Box, Button, Center, Divider, Group, Paper, PasswordInput, Stack, Text, TextInput, ThemeIcon, Title } from '@mantine/core';
import { IconAlertCircle, IconLock, IconRoute, IconShieldLock, IconUser } from '@tabler/icons-react';
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { Navigate, useNavigate, useSearchParams } from 'react-router-dom';
import { ApiError } from '../api/client';
import { useAuthInfo } from '../api/hooks';
import { useAuth } from '../auth/auth-provider';
import { GeneratedPasswordHint } from '../components/security-notices';
import { DemoBanner } from '../components/demo-banner';
import { LanguageSwitch, ThemeToggle } from '../layout/header-controls';
import { usePlatformName } from '../layout/use-platform-name';

/** Only same-app paths: never follow an absolute URL from the query string. */
const safeNext = (next: string | null) => (next && next.startsWith('/') && !next.startsWith('//') ? next : '/');

export default function LoginPage() {
  const { t } = useTranslation();
  const { status, login } = useAuth();
  const navigate = useNavigate();
  const [params] = useSearchParams();
  const platformName = usePlatformName();
  const info = useAuthInfo();
  // The first account is `admin`; a login with only the password opens it too.
  const [username, setUsername] = useState('admin');
  const [password, setPassword] = useState('');
  const [submitting, setSubmitting] = useState(false);
  const ssoError = params.get('sso_error');
  const [error, setError] = useState<string | null>(
    ssoError ? t(`login.ssoErrors.${['denied', 'disabled', 'expired', 'unavailable'].includes(ssoError) ? ssoError : 'failed'}`) : null,
  );
  const next = safeNext(params.get('next'));
  const sso = info.data?.sso?.enabled ? info.data.sso.startUrl : null;

  if (status === 'authenticated') return <Navigate to={next} replace />;

  const submit = async (event: React.FormEvent) => {
    event.preventDefault();
    if (!password) {
      setError(t('login.passwordRequired'));
      return;
    }
    setSubmitting(true);
    setError(null);
    try {
      await login(password, username.trim() || undefined);
      navigate(next, { replace: true });
    } catch (cause) {
      if (cause instanceof ApiError && cause.status === 401) setError(t('login.invalid'));
      else if (cause instanceof ApiError && cause.status === 429) setError(t('login.rateLimited', { message: cause.message }));
      else setError(cause instanceof Error ? cause.message : t('errors.unknown'));
    } finally {
      setSubmitting(false);
    }
  };

  return (
    <Box mih="100vh" bg="var(--mantine-color-body)" style={{ display: 'flex', flexDirection: 'column' }}>
      <Group justify="flex-end" p="md" gap="xs">
        <LanguageSwitch />
        <ThemeToggle />
      </Group>
      <Center style={{ flex: 1 }} px="md" pb="xl">
        <Paper withBorder shadow="md" p="xl" w="100%" maw={400}>
          <form onSubmit={submit} noValidate>
            <Stack gap="md">
              <DemoBanner where="login" />
              <Stack gap={6} align="center">
                <ThemeIcon size={48} radius="md" variant="gradient" gradient={{ from: 'indigo', to: 'cyan' }}>
                  <IconRoute size={28} />
                </ThemeIcon>
                <Title order={3} ta="center" data-testid="login-title">
                  {platformName}
                </Title>
                <Text size="sm" c="dimmed" ta="center">
                  {t('login.subtitle')}
                </Text>
              </Stack>
              {error ? (
                <Alert color="red" variant="light" icon={<IconAlertCircle size={18} />} data-testid="login-error">
                  {error}
                </Alert>
              ) : null}
              <TextInput
                label={t('login.username')}
                leftSection={<IconUser size={16} />}
                value={username}
                onChange={(event) => setUsername(event.currentTarget.value)}
                autoComplete="username"
                data-testid="login-username"
              />
              <PasswordInput
                label={t('login.password')}
                placeholder={t('login.passwordPlaceholder')}
                leftSection={<IconLock size={16} />}
                value={password}
                onChange={(event) => setPassword(event.currentTarget.value)}
                autoComplete="current-password"
                autoFocus
                data-testid="login-password"
              />
              <Button type="submit" fullWidth loading={submitting} data-testid="login-submit">
                {t('login.submit')}
              </Button>
              {sso ? (
                <>
                  <Divider label={t('login.or')} labelPosition="center" />
                  <Button
                    component="a"
                    href={`${sso}?next=${encodeURIComponent(next)}`}
                    variant="default"
                    fullWidth
                    leftSection={<IconShieldLock size={16} />}
                    data-testid="login-sso"
                  >
                    {t('login.sso')}
                  </Button>
                </>
              ) : null}
              <GeneratedPasswordHint show={info.data?.generatedPassword} />
              {info.data?.version ? (
                <Text size="xs" c="dimmed" ta="center">
                  v{info.data.version}
                </Text>
              ) : null}
            </Stack>
          </form>
        </Paper>
      </Center>
    </Box>
  );
}
