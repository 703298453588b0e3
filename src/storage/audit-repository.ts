import type { Kysely } from 'kysely';
import { notFound } from '../server/errors.js';
import {
  diffSnapshots,
  loadSnapshot,
  normalizeSnapshot,
  runConfigChange,
  writeSnapshot,
  type AuditChange,
  type ChangeResult,
  type OverlaySnapshot,
} from './config-change.js';
import type { RepositoryOptions } from './config-overlay-repository.js';
import { parseJson } from './json.js';
import type { DatabaseSchema } from './schema.js';

export interface AuditEntry {
  id: number;
  version: number;
  /** Epoch milliseconds. */
  time: number;
  actor: string;
  action: string;
  target: string;
  diff: { changes: AuditChange[] };
}

export interface AuditEntryWithSnapshot extends AuditEntry {
  snapshot: OverlaySnapshot;
}

export interface Page<T> {
  data: T[];
  total: number;
  page: number;
  pageSize: number;
}

export const normalizePaging = (page: number | undefined, pageSize: number | undefined, maxPageSize = 200) => {
  const safePage = Number.isFinite(page) && (page as number) >= 1 ? Math.floor(page as number) : 1;
  const safeSize = Number.isFinite(pageSize) && (pageSize as number) >= 1 ? Math.floor(pageSize as number) : 50;
  return { page: safePage, pageSize: Math.min(safeSize, maxPageSize) };
};

const toEntry = (row: {
  id: number;
  version: number;
  time: number;
  actor: string;
  action: string;
  target: string;
  diff: string;
}): AuditEntry => ({
  id: Number(row.id),
  version: Number(row.version),
  time: Number(row.time),
  actor: row.actor,
  action: row.action,
  target: row.target,
  diff: parseJson(row.diff, { changes: [] }),
});

export class AuditRepository {
  private readonly now: () => number;

  constructor(
    private readonly db: Kysely<DatabaseSchema>,
    options: RepositoryOptions = {},
  ) {
    this.now = options.now ?? Date.now;
  }

  /** Newest first. */
  async listAudit(page?: number, pageSize?: number): Promise<Page<AuditEntry>> {
    const paging = normalizePaging(page, pageSize);
    const rows = await this.db
      .selectFrom('config_audit')
      .select(['id', 'version', 'time', 'actor', 'action', 'target', 'diff'])
      .orderBy('id', 'desc')
      .limit(paging.pageSize)
      .offset((paging.page - 1) * paging.pageSize)
      .execute();
    const count = await this.db
      .selectFrom('config_audit')
      .select((eb) => eb.fn.countAll<number>().as('total'))
      .executeTakeFirstOrThrow();
    return { data: rows.map(toEntry), total: Number(count.total), ...paging };
  }

  async getAudit(id: number): Promise<AuditEntryWithSnapshot | null> {
    const row = await this.db.selectFrom('config_audit').selectAll().where('id', '=', id).executeTakeFirst();
    if (!row) return null;
    return { ...toEntry(row), snapshot: normalizeSnapshot(parseJson<unknown>(row.snapshot, {})) };
  }

  /**
   * Restores the overlay (and active models) recorded by audit entry `auditId` as a NEW
   * version — history is never rewritten — and records the rollback in the audit log.
   * Provider keys are secrets and are not part of snapshots, so they are left as they are.
   */
  async rollbackTo(auditId: number, actor: string): Promise<ChangeResult> {
    const target = await this.getAudit(auditId);
    if (!target) throw notFound(`Audit entry ${auditId} does not exist.`, 'audit_entry_not_found');
    return runConfigChange(
      this.db,
      { actor, action: 'config.rollback', target: `audit:${auditId} (version ${target.version})` },
      this.now,
      async (tx) => {
        const before = await loadSnapshot(tx);
        const changes = diffSnapshots(before, target.snapshot);
        if (changes.length > 0) await writeSnapshot(tx, before, target.snapshot, this.now());
        return changes;
      },
    );
  }
}
