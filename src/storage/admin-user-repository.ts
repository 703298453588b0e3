import type { Kysely } from 'kysely';
import { isAdminRole, type AdminRole } from '../core/admin-roles.js';
import { badRequest, conflict, notFound } from '../server/errors.js';
import type { RepositoryOptions } from './config-overlay-repository.js';
import { runConfigChange, type ChangeMeta } from './config-change.js';
import type { JsonValue } from './json.js';
import type { DatabaseSchema } from './schema.js';
import { timeOrderedId } from './time-ordered-id.js';

export interface AdminUser {
  id: string;
  username: string;
  displayName: string | null;
  role: AdminRole;
  /** The account still opens with the deployment's console password (ADMIN_PASSWORD …). */
  usesConsolePassword: boolean;
  hasPassword: boolean;
  passwordHash: string | null;
  isInitial: boolean;
  disabled: boolean;
  /** `issuer|sub` of a linked SSO identity. */
  oidcSubject: string | null;
  createdAt: number;
  updatedAt: number;
  lastLoginAt: number | null;
}

type Row = DatabaseSchema['admin_users'];

/** Login names: what a person types, safe in logs, audit rows and headers. */
export const USERNAME_PATTERN = /^[a-z0-9][a-z0-9._@-]{0,63}$/;
export const normalizeUsername = (value: string): string => value.trim().toLowerCase();
export const INITIAL_USERNAME = 'admin';

const toUser = (row: Row): AdminUser => ({
  id: row.id,
  username: row.username,
  displayName: row.display_name,
  role: isAdminRole(row.role) ? row.role : 'viewer',
  usesConsolePassword: Number(row.is_initial) === 1 && row.password_hash === null,
  hasPassword: row.password_hash !== null || Number(row.is_initial) === 1,
  passwordHash: row.password_hash,
  isInitial: Number(row.is_initial) === 1,
  disabled: Number(row.disabled) === 1,
  oidcSubject: row.oidc_subject,
  createdAt: Number(row.created_at),
  updatedAt: Number(row.updated_at),
  lastLoginAt: row.last_login_at === null ? null : Number(row.last_login_at),
});

/** What the audit log keeps of an account (never a hash). */
const auditView = (user: AdminUser | null): JsonValue =>
  user ? { username: user.username, role: user.role, disabled: user.disabled, sso: user.oidcSubject !== null } : null;

export interface NewAdminUser {
  username: string;
  role: AdminRole;
  displayName?: string | null;
  passwordHash?: string | null;
  oidcSubject?: string | null;
}

export type AdminUserPatch = Partial<Pick<Row, 'role' | 'disabled' | 'password_hash' | 'display_name' | 'oidc_subject'>>;

/**
 * Admin accounts. Every change goes through the audit log (who did it, before/after
 * without secrets) in the same transaction. The last enabled admin can neither be
 * disabled, demoted nor deleted, checked inside that transaction.
 */
export class AdminUserRepository {
  private readonly now: () => number;

  constructor(
    private readonly db: Kysely<DatabaseSchema>,
    options: RepositoryOptions = {},
  ) {
    this.now = options.now ?? Date.now;
  }

  async list(): Promise<AdminUser[]> {
    const rows = await this.db.selectFrom('admin_users').selectAll().orderBy('created_at').orderBy('id').execute();
    return rows.map(toUser);
  }

  async count(): Promise<number> {
    const row = await this.db.selectFrom('admin_users').select((eb) => eb.fn.countAll<number>().as('n')).executeTakeFirstOrThrow();
    return Number(row.n);
  }

  async get(id: string): Promise<AdminUser | null> {
    if (typeof id !== 'string' || id.length > 64) return null;
    const row = await this.db.selectFrom('admin_users').selectAll().where('id', '=', id).executeTakeFirst();
    return row ? toUser(row) : null;
  }

  async byUsername(username: string): Promise<AdminUser | null> {
    const name = normalizeUsername(username);
    if (!USERNAME_PATTERN.test(name)) return null;
    const row = await this.db.selectFrom('admin_users').selectAll().where('username', '=', name).executeTakeFirst();
    return row ? toUser(row) : null;
  }

  async bySubject(subject: string): Promise<AdminUser | null> {
    const row = await this.db.selectFrom('admin_users').selectAll().where('oidc_subject', '=', subject).executeTakeFirst();
    return row ? toUser(row) : null;
  }

  /** The account a password-only login means: the one created from the console password. */
  async initial(): Promise<AdminUser | null> {
    const row = await this.db.selectFrom('admin_users').selectAll().where('is_initial', '=', 1).executeTakeFirst();
    return row ? toUser(row) : null;
  }

  /**
   * Upgrades and first starts: with no account at all, the deployment's console password
   * becomes the `admin` account. Several workers may race; the unique name lets one win.
   */
  async ensureInitial(): Promise<void> {
    if ((await this.count()) > 0) return;
    const now = this.now();
    await this.db
      .insertInto('admin_users')
      .values({
        id: timeOrderedId(now),
        username: INITIAL_USERNAME,
        display_name: null,
        role: 'admin',
        password_hash: null,
        is_initial: 1,
        disabled: 0,
        oidc_subject: null,
        created_at: now,
        updated_at: now,
        last_login_at: null,
      })
      .onConflict((oc) => oc.column('username').doNothing())
      .execute();
  }

  async create(input: NewAdminUser, actor: string): Promise<AdminUser> {
    const username = normalizeUsername(input.username);
    if (!USERNAME_PATTERN.test(username)) throw badRequest('`username` must be 1–64 characters: a–z, 0–9, . _ @ -', 'invalid_request', 'username');
    const now = this.now();
    const id = timeOrderedId(now);
    await runConfigChange(this.db, { actor, action: 'user.create', target: username }, this.now, async (tx) => {
      const taken = await tx.selectFrom('admin_users').select('id').where('username', '=', username).executeTakeFirst();
      if (taken) throw conflict(`An account named "${username}" already exists.`, 'user_exists');
      await tx
        .insertInto('admin_users')
        .values({
          id,
          username,
          display_name: input.displayName ?? null,
          role: input.role,
          password_hash: input.passwordHash ?? null,
          is_initial: 0,
          disabled: 0,
          oidc_subject: input.oidcSubject ?? null,
          created_at: now,
          updated_at: now,
          last_login_at: null,
        })
        .execute();
      const created = toUser((await tx.selectFrom('admin_users').selectAll().where('id', '=', id).executeTakeFirstOrThrow()) as Row);
      return [{ kind: 'admin_user', key: username, before: null, after: auditView(created) }];
    });
    return (await this.get(id))!;
  }

  /** Applies a change; refuses one that would leave no enabled admin. */
  async update(id: string, patch: AdminUserPatch, meta: Omit<ChangeMeta, 'target'>): Promise<AdminUser> {
    const current = await this.get(id);
    if (!current) throw notFound('No such account.', 'user_not_found');
    await runConfigChange(this.db, { ...meta, target: current.username }, this.now, async (tx) => {
      const row = await tx.selectFrom('admin_users').selectAll().where('id', '=', id).executeTakeFirst();
      if (!row) throw notFound('No such account.', 'user_not_found');
      const before = toUser(row);
      const losesAdmin = before.role === 'admin' && !before.disabled && ((patch.role !== undefined && patch.role !== 'admin') || patch.disabled === 1);
      if (losesAdmin) await this.assertAnotherAdmin(tx, id);
      await tx
        .updateTable('admin_users')
        .set({ ...patch, updated_at: this.now() })
        .where('id', '=', id)
        .execute();
      const after = toUser((await tx.selectFrom('admin_users').selectAll().where('id', '=', id).executeTakeFirstOrThrow()) as Row);
      // A password reset changes nothing the audit shows (no hashes there) but is still recorded.
      const changed = JSON.stringify(auditView(before)) !== JSON.stringify(auditView(after)) || patch.password_hash !== undefined;
      return changed ? [{ kind: 'admin_user', key: before.username, before: auditView(before), after: auditView(after) }] : [];
    });
    return (await this.get(id))!;
  }

  async remove(id: string, actor: string): Promise<void> {
    const current = await this.get(id);
    if (!current) throw notFound('No such account.', 'user_not_found');
    await runConfigChange(this.db, { actor, action: 'user.delete', target: current.username }, this.now, async (tx) => {
      const row = await tx.selectFrom('admin_users').selectAll().where('id', '=', id).executeTakeFirst();
      if (!row) throw notFound('No such account.', 'user_not_found');
      const before = toUser(row);
      if (before.role === 'admin' && !before.disabled) await this.assertAnotherAdmin(tx, id);
      await tx.deleteFrom('admin_sessions').where('user_id', '=', id).execute();
      await tx.deleteFrom('admin_users').where('id', '=', id).execute();
      return [{ kind: 'admin_user', key: before.username, before: auditView(before), after: null }];
    });
  }

  /** Login bookkeeping; not a configuration change, so not audited. */
  async touchLogin(id: string): Promise<void> {
    await this.db.updateTable('admin_users').set({ last_login_at: this.now() }).where('id', '=', id).execute();
  }

  private async assertAnotherAdmin(tx: Kysely<DatabaseSchema>, exceptId: string): Promise<void> {
    const others = await tx
      .selectFrom('admin_users')
      .select((eb) => eb.fn.countAll<number>().as('n'))
      .where('role', '=', 'admin')
      .where('disabled', '=', 0)
      .where('id', '<>', exceptId)
      .executeTakeFirstOrThrow();
    if (Number(others.n) === 0) throw conflict('This is the last enabled admin account; make another admin first.', 'last_admin');
  }
}
