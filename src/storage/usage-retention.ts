import type { GatewayDatabase } from './database.js';
import type { UsageRepository } from './usage-repository.js';

const DAY_MS = 86_400_000;

export interface UsageRetentionOptions {
  /** Usage rows older than this many days are deleted (GATEWAY_USAGE_RETENTION_DAYS); 0 keeps them forever. */
  retentionDays: number;
  /** Hourly roll-ups older than this are deleted (default 365; 0 keeps them forever). */
  rollupRetentionDays?: number;
  /** Rows per DELETE (default 5,000): short transactions, so usage writes never wait long. */
  batchSize?: number;
  /** Pause between batches (default 20 ms), leaving the database to the request path. */
  pauseMs?: number;
  /** How often a pass runs (default 10 minutes; the first pass starts a minute after boot). */
  intervalMs?: number;
  firstRunDelayMs?: number;
  onError?: (error: unknown) => void;
  onPass?: (result: RetentionResult) => void;
}

export interface RetentionResult {
  deletedRows: number;
  deletedRollups: number;
  /** SQLite pages handed back to the file system by incremental vacuum. */
  freedPages: number;
}

const delay = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * One retention pass: usage rows past the retention period, then roll-ups past theirs,
 * in small batches with pauses, oldest first. Deletes are idempotent, so several
 * instances running passes at once do no harm (they only split the work). On SQLite the
 * freed pages are returned to the file system (incremental auto-vacuum), so the file
 * stays bounded instead of keeping its high-water mark.
 */
export const runUsageRetention = async (
  usage: Pick<UsageRepository, 'deleteBefore' | 'deleteRollupsBefore'>,
  database: Pick<GatewayDatabase, 'sqlite'>,
  options: UsageRetentionOptions,
  now = Date.now(),
  stopped: () => boolean = () => false,
): Promise<RetentionResult> => {
  const batchSize = Math.max(1, options.batchSize ?? 5_000);
  const pauseMs = options.pauseMs ?? 20;
  const result: RetentionResult = { deletedRows: 0, deletedRollups: 0, freedPages: 0 };
  if (options.retentionDays > 0) {
    const before = now - options.retentionDays * DAY_MS;
    for (;;) {
      const deleted = await usage.deleteBefore(before, batchSize);
      result.deletedRows += deleted;
      if (deleted < batchSize || stopped()) break;
      await delay(pauseMs);
    }
  }
  const rollupDays = options.rollupRetentionDays ?? 365;
  if (rollupDays > 0 && !stopped()) {
    const before = now - rollupDays * DAY_MS;
    for (let deleted = await usage.deleteRollupsBefore(before); deleted > 0 && !stopped(); deleted = await usage.deleteRollupsBefore(before)) {
      result.deletedRollups += deleted;
      await delay(pauseMs);
    }
  }
  const sqlite = database.sqlite;
  // Not while a transaction is open on the handle (a Kysely transaction between two of its
  // awaits): the vacuum would join it. The next pass vacuums instead.
  if (sqlite && !sqlite.inTransaction && result.deletedRows + result.deletedRollups > 0 && Number(sqlite.pragma('auto_vacuum', { simple: true })) === 2) {
    const before = Number(sqlite.pragma('freelist_count', { simple: true }));
    sqlite.pragma('incremental_vacuum');
    // The vacuum's pages sit in the WAL until a checkpoint copies them back; PASSIVE
    // never waits for readers or writers.
    sqlite.pragma('wal_checkpoint(PASSIVE)');
    result.freedPages = before - Number(sqlite.pragma('freelist_count', { simple: true }));
  }
  return result;
};

export interface UsageRetentionJob {
  /** Runs a pass now (or joins the one running). */
  runNow(): Promise<RetentionResult>;
  /** Stops the timer and waits for a running pass to finish its current batch. */
  stop(): Promise<void>;
}

/** Retention on a timer, off the request path; one pass at a time per process. */
export const startUsageRetention = (
  usage: Pick<UsageRepository, 'deleteBefore' | 'deleteRollupsBefore'>,
  database: Pick<GatewayDatabase, 'sqlite'>,
  options: UsageRetentionOptions,
): UsageRetentionJob => {
  let running: Promise<RetentionResult> | null = null;
  let stopped = false;
  const runNow = () =>
    (running ??= runUsageRetention(usage, database, options, Date.now(), () => stopped)
      .then((result) => {
        options.onPass?.(result);
        return result;
      })
      .finally(() => {
        running = null;
      }));
  const tick = () => {
    runNow().catch((error: unknown) => options.onError?.(error));
  };
  const first = setTimeout(tick, options.firstRunDelayMs ?? 60_000);
  const timer = setInterval(tick, options.intervalMs ?? 10 * 60_000);
  first.unref();
  timer.unref();
  return {
    runNow,
    async stop() {
      stopped = true;
      clearTimeout(first);
      clearInterval(timer);
      await running?.catch(() => undefined);
    },
  };
};
