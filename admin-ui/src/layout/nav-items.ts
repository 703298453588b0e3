import {
  IconAdjustments,
  IconFileText,
  IconFlask,
  IconKey,
  IconLayoutDashboard,
  IconServer2,
  IconStack2,
  IconUsersGroup,
} from '@tabler/icons-react';

export const NAV_ITEMS = [
  { path: '/', id: 'dashboard', label: 'nav.dashboard', icon: IconLayoutDashboard },
  { path: '/models', id: 'models', label: 'nav.models', icon: IconStack2 },
  { path: '/providers', id: 'providers', label: 'nav.providers', icon: IconServer2 },
  { path: '/playground', id: 'playground', label: 'nav.playground', icon: IconFlask },
  { path: '/keys', id: 'keys', label: 'nav.keys', icon: IconKey },
  { path: '/teams', id: 'teams', label: 'nav.teams', icon: IconUsersGroup },
  { path: '/logs', id: 'logs', label: 'nav.logs', icon: IconFileText },
  { path: '/settings', id: 'settings', label: 'nav.settings', icon: IconAdjustments },
] as const;
