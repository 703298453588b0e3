import { useQueryClient } from '@tanstack/react-query';
import { createContext, useCallback, useContext, useEffect, useMemo, useState } from 'react';
import { useLocation, useNavigate } from 'react-router-dom';
import { ApiError, setCsrfToken, setUnauthorizedHandler } from '../api/client';
import { auth } from '../api/endpoints';
import type { AdminRole } from '../api/types';

type SessionStatus = 'checking' | 'authenticated' | 'anonymous';

interface AuthContextValue {
  status: SessionStatus;
  user: string | null;
  /** What the console shows and offers; the server enforces it regardless. */
  role: AdminRole | null;
  login: (password: string, username?: string) => Promise<void>;
  logout: () => Promise<void>;
}

const AuthContext = createContext<AuthContextValue | null>(null);

export function AuthProvider({ children }: { children: React.ReactNode }) {
  const [status, setStatus] = useState<SessionStatus>('checking');
  const [user, setUser] = useState<string | null>(null);
  const [role, setRole] = useState<AdminRole | null>(null);
  const queryClient = useQueryClient();
  const navigate = useNavigate();
  const location = useLocation();

  const endSession = useCallback(() => {
    setCsrfToken(null);
    setUser(null);
    setRole(null);
    setStatus('anonymous');
    queryClient.clear();
  }, [queryClient]);

  // The cookie is HttpOnly, so the only way to know whether a session exists is to ask.
  useEffect(() => {
    let cancelled = false;
    auth
      .me()
      .then((me) => {
        if (cancelled) return;
        // "Not signed in" is a 200 answer (no 401 in a fresh browser's console).
        if (!me.authenticated) {
          setStatus('anonymous');
          return;
        }
        setCsrfToken(me.csrfToken);
        setUser(me.user);
        setRole(me.role);
        setStatus('authenticated');
      })
      .catch(() => {
        if (!cancelled) setStatus('anonymous');
      });
    return () => {
      cancelled = true;
    };
  }, []);

  useEffect(() => {
    setUnauthorizedHandler(() => {
      endSession();
      const here = window.location.pathname.replace(/^\/admin/, '') || '/';
      if (!here.startsWith('/login')) {
        navigate(`/login?next=${encodeURIComponent(here + window.location.search)}`, { replace: true });
      }
    });
    return () => setUnauthorizedHandler(null);
  }, [endSession, navigate, location.pathname]);

  const login = useCallback(async (password: string, username?: string) => {
    const result = await auth.login(password, username);
    setCsrfToken(result.csrfToken);
    try {
      const me = await auth.me();
      if (!me.authenticated) throw new ApiError(401, { message: 'The session was not established.', type: 'authentication_error', param: null, code: 'unauthorized' });
      setCsrfToken(me.csrfToken);
      setUser(me.user);
      setRole(me.role);
    } catch (error) {
      if (error instanceof ApiError && error.status === 401) throw error;
      setUser(username ?? 'admin');
      setRole('viewer');
    }
    setStatus('authenticated');
  }, []);

  const logout = useCallback(async () => {
    try {
      await auth.logout();
    } finally {
      endSession();
      navigate('/login', { replace: true });
    }
  }, [endSession, navigate]);

  const value = useMemo(() => ({ status, user, role, login, logout }), [status, user, role, login, logout]);
  return <AuthContext.Provider value={value}>{children}</AuthContext.Provider>;
}

export function useAuth() {
  const value = useContext(AuthContext);
  if (!value) throw new Error('useAuth outside AuthProvider');
  return value;
}

const RANK: Record<AdminRole, number> = { viewer: 0, operator: 1, admin: 2 };

/** Whether the signed-in account's role includes `need` (to hide what it may not do). */
export function useCan(need: AdminRole): boolean {
  const { role } = useAuth();
  return role !== null && RANK[role] >= RANK[need];
}
