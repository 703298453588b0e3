import {
  IconAdjustments,
  IconFileText,
  IconFlask,
  IconKey,
  IconLayoutDashboard,
  IconServer2,
  IconStack2,
  IconUsers,
  IconUsersGroup,
} from '@tabler/icons-react';
import type { AdminRole } from '../api/types';

/** `role`: the least role that sees the page (the server enforces the same per route). */
export const NAV_ITEMS: ReadonlyArray<{ path: string; id: string; label: string; icon: typeof IconKey; role: AdminRole }> = [
  { path: '/', id: 'dashboard', label: 'nav.dashboard', icon: IconLayoutDashboard, role: 'viewer' },
  { path: '/models', id: 'models', label: 'nav.models', icon: IconStack2, role: 'viewer' },
  { path: '/providers', id: 'providers', label: 'nav.providers', icon: IconServer2, role: 'viewer' },
  { path: '/playground', id: 'playground', label: 'nav.playground', icon: IconFlask, role: 'operator' },
  { path: '/keys', id: 'keys', label: 'nav.keys', icon: IconKey, role: 'viewer' },
  { path: '/teams', id: 'teams', label: 'nav.teams', icon: IconUsersGroup, role: 'viewer' },
  { path: '/logs', id: 'logs', label: 'nav.logs', icon: IconFileText, role: 'viewer' },
  { path: '/users', id: 'users', label: 'nav.users', icon: IconUsers, role: 'admin' },
  { path: '/settings', id: 'settings', label: 'nav.settings', icon: IconAdjustments, role: 'viewer' },
];
