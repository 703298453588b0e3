/**
 * Admin roles, from least to most powerful. A route declares the least role it needs;
 * a role includes everything the roles below it may do.
 * - viewer: dashboard, logs and every read-only page;
 * - operator: also providers, models, routing, keys and the playground;
 * - admin: everything, including users and settings.
 */
export const ADMIN_ROLES = ['viewer', 'operator', 'admin'] as const;
export type AdminRole = (typeof ADMIN_ROLES)[number];

const RANK: Record<AdminRole, number> = { viewer: 0, operator: 1, admin: 2 };

export const isAdminRole = (value: unknown): value is AdminRole => typeof value === 'string' && value in RANK;

export const roleAllows = (have: AdminRole, need: AdminRole): boolean => RANK[have] >= RANK[need];
