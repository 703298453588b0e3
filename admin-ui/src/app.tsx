import { Center, Loader } from '@mantine/core';
import { lazy, Suspense, useEffect } from 'react';
import { Navigate, Route, Routes, useLocation } from 'react-router-dom';
import type { AdminRole } from './api/types';
import { useAuth, useCan } from './auth/auth-provider';
import { PageSkeleton } from './components/page-skeleton';
import { AppLayout } from './layout/app-layout';
import { usePlatformName } from './layout/use-platform-name';

const LoginPage = lazy(() => import('./pages/login-page'));
const DashboardPage = lazy(() => import('./pages/dashboard-page'));
const ModelsPage = lazy(() => import('./pages/models-page'));
const ProvidersPage = lazy(() => import('./pages/providers-page'));
const PlaygroundPage = lazy(() => import('./pages/playground-page'));
const KeysPage = lazy(() => import('./pages/keys-page'));
const TeamsPage = lazy(() => import('./pages/teams-page'));
const LogsPage = lazy(() => import('./pages/logs-page'));
const SettingsPage = lazy(() => import('./pages/settings-page'));
const UsersPage = lazy(() => import('./pages/users-page'));

function FullScreenLoader() {
  return (
    <Center h="100vh" data-testid="app-loading">
      <Loader />
    </Center>
  );
}

function RequireSession({ children }: { children: React.ReactNode }) {
  const { status } = useAuth();
  const location = useLocation();
  if (status === 'checking') return <FullScreenLoader />;
  if (status === 'anonymous') {
    const next = location.pathname + location.search;
    const query = next && next !== '/' ? `?next=${encodeURIComponent(next)}` : '';
    return <Navigate to={`/login${query}`} replace />;
  }
  return <>{children}</>;
}

/** Pages above the account's role go to the dashboard (the server refuses their API anyway). */
function RequireRole({ role, children }: { role: AdminRole; children: React.ReactNode }) {
  return useCan(role) ? <>{children}</> : <Navigate to="/" replace />;
}

function DocumentTitle() {
  const platformName = usePlatformName();
  useEffect(() => {
    if (platformName) document.title = platformName;
  }, [platformName]);
  return null;
}

export function App() {
  return (
    <>
      <DocumentTitle />
      <Routes>
        <Route
          path="/login"
          element={
            <Suspense fallback={<FullScreenLoader />}>
              <LoginPage />
            </Suspense>
          }
        />
        <Route
          element={
            <RequireSession>
              <AppLayout fallback={<PageSkeleton />} />
            </RequireSession>
          }
        >
          <Route index element={<DashboardPage />} />
          <Route path="dashboard" element={<Navigate to="/" replace />} />
          <Route path="models" element={<ModelsPage />} />
          <Route path="providers" element={<ProvidersPage />} />
          <Route
            path="playground"
            element={
              <RequireRole role="operator">
                <PlaygroundPage />
              </RequireRole>
            }
          />
          <Route path="keys" element={<KeysPage />} />
          <Route path="teams" element={<TeamsPage />} />
          <Route path="logs" element={<LogsPage />} />
          <Route path="settings" element={<SettingsPage />} />
          <Route
            path="users"
            element={
              <RequireRole role="admin">
                <UsersPage />
              </RequireRole>
            }
          />
          <Route path="*" element={<Navigate to="/" replace />} />
        </Route>
      </Routes>
    </>
  );
}
