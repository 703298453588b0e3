import { createHash, randomBytes } from 'node:crypto';
import type { Kysely } from 'kysely';
import type { RepositoryOptions } from './config-overlay-repository.js';
import { isJsonObject, parseJson, type JsonObject } from './json.js';
import type { DatabaseSchema } from './schema.js';

export interface AdminSession {
  createdAt: number;
  expiresAt: number;
  data: JsonObject;
  /** The admin account it belongs to (null: a pending SSO login, not a session). */
  userId: string | null;
}

const hashSessionId = (id: string) => createHash('sha256').update(id, 'utf8').digest('hex');

/**
 * Admin sessions. The browser holds a random id; only its sha256 is stored, so a
 * leaked database cannot be replayed as cookies.
 */
export class SessionRepository {
  private readonly now: () => number;

  constructor(
    private readonly db: Kysely<DatabaseSchema>,
    options: RepositoryOptions = {},
  ) {
    this.now = options.now ?? Date.now;
  }

  async createSession(ttlMs: number, data: JsonObject = {}, userId: string | null = null): Promise<{ id: string; expiresAt: number }> {
    if (!Number.isFinite(ttlMs) || ttlMs <= 0) throw new Error('Session TTL must be a positive number of milliseconds.');
    const id = randomBytes(32).toString('base64url');
    const now = this.now();
    const expiresAt = now + Math.floor(ttlMs);
    await this.db
      .insertInto('admin_sessions')
      .values({ id_hash: hashSessionId(id), data: JSON.stringify(data), created_at: now, expires_at: expiresAt, user_id: userId })
      .execute();
    return { id, expiresAt };
  }

  /** The session, or null when unknown or expired (an expired one is deleted on sight). */
  async getSession(id: string): Promise<AdminSession | null> {
    if (typeof id !== 'string' || id.length === 0 || id.length > 200) return null;
    const hash = hashSessionId(id);
    const row = await this.db.selectFrom('admin_sessions').selectAll().where('id_hash', '=', hash).executeTakeFirst();
    if (!row) return null;
    if (Number(row.expires_at) <= this.now()) {
      await this.db.deleteFrom('admin_sessions').where('id_hash', '=', hash).execute();
      return null;
    }
    const data = parseJson<unknown>(row.data, {});
    return {
      createdAt: Number(row.created_at),
      expiresAt: Number(row.expires_at),
      data: isJsonObject(data) ? data : {},
      userId: row.user_id ?? null,
    };
  }

  /** Sliding expiry: moves the expiry to now + ttl. Returns false when the session is gone. */
  async extendSession(id: string, ttlMs: number): Promise<boolean> {
    const now = this.now();
    const result = await this.db
      .updateTable('admin_sessions')
      .set({ expires_at: now + Math.floor(ttlMs) })
      .where('id_hash', '=', hashSessionId(id))
      .where('expires_at', '>', now)
      .executeTakeFirst();
    return Number(result.numUpdatedRows) > 0;
  }

  async deleteSession(id: string): Promise<void> {
    await this.db.deleteFrom('admin_sessions').where('id_hash', '=', hashSessionId(id)).execute();
  }

  /**
   * Ends every session of one account at once (disabled, role changed, password reset,
   * deleted), optionally keeping the caller's own. Returns how many ended.
   */
  async deleteSessionsOfUser(userId: string, exceptId?: string): Promise<number> {
    let query = this.db.deleteFrom('admin_sessions').where('user_id', '=', userId);
    if (exceptId) query = query.where('id_hash', '<>', hashSessionId(exceptId));
    const result = await query.executeTakeFirst();
    return Number(result.numDeletedRows);
  }

  /** E.g. after a password change: every browser must log in again. */
  async deleteAllSessions(): Promise<number> {
    const result = await this.db.deleteFrom('admin_sessions').executeTakeFirst();
    return Number(result.numDeletedRows);
  }

  async deleteExpiredSessions(): Promise<number> {
    const result = await this.db.deleteFrom('admin_sessions').where('expires_at', '<=', this.now()).executeTakeFirst();
    return Number(result.numDeletedRows);
  }
}
