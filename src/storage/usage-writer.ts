import { timeOrderedId } from './time-ordered-id.js';
import type { ApiKeyRepository } from './api-key-repository.js';
import type { UsageRecordInput, UsageRepository } from './usage-repository.js';

export interface UsageWriterOptions {
  flushIntervalMs?: number;
  /** Rows per insert transaction; reaching it also triggers an early flush. */
  maxBatch?: number;
  /** Rows kept while the database is failing; beyond it the oldest are dropped (and counted). */
  maxQueue?: number;
  /** Gets `last_used_at` updates for the keys seen in each written batch. */
  apiKeys?: Pick<ApiKeyRepository, 'touchLastUsed'>;
  /** Told about every failed write (the rows stay queued and are retried). */
  onError?: (error: unknown) => void;
  /** Attempts `close()` makes before giving up on a failing database. */
  closeAttempts?: number;
}

export interface UsageWriterStats {
  queued: number;
  written: number;
  dropped: number;
  failures: number;
  lastError: string | null;
}

export interface UsageWriter {
  /** Synchronous: queues the row; never waits for the database. */
  record(row: UsageRecordInput): void;
  /** Writes everything queued so far; rejects (rows kept) if the database fails. */
  flush(): Promise<void>;
  /** Stops the timer and writes everything; rejects if rows could not be written. */
  close(): Promise<void>;
  stats(): UsageWriterStats;
}

const delay = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

export const createUsageWriter = (
  repo: Pick<UsageRepository, 'insertUsageBatch'>,
  options: UsageWriterOptions = {},
): UsageWriter => {
  const flushIntervalMs = options.flushIntervalMs ?? 1000;
  const maxBatch = Math.max(1, options.maxBatch ?? 500);
  const maxQueue = Math.max(maxBatch, options.maxQueue ?? 100_000);
  const closeAttempts = Math.max(1, options.closeAttempts ?? 5);

  let queue: UsageRecordInput[] = [];
  let inFlight: Promise<void> | null = null;
  let closed = false;
  let failing = false;
  const stats = { written: 0, dropped: 0, failures: 0, lastError: null as string | null };

  const trim = () => {
    const excess = queue.length - maxQueue;
    if (excess > 0) {
      queue.splice(0, excess);
      stats.dropped += excess;
    }
  };

  const touchKeys = async (batch: UsageRecordInput[]) => {
    if (!options.apiKeys) return;
    const lastUse = new Map<string, number>();
    for (const row of batch) {
      if (row.keyId) lastUse.set(row.keyId, Math.max(lastUse.get(row.keyId) ?? 0, Math.floor(row.time)));
    }
    // last-used is advisory: a failure here must not re-queue rows that are already written.
    await options.apiKeys
      .touchLastUsed(lastUse)
      .catch((error: unknown) => options.onError?.(new Error('Updating API key last-used times failed.', { cause: error })));
  };

  const drain = async () => {
    while (queue.length > 0) {
      // Take the batch out of the queue so overflow trimming never touches rows in flight.
      const batch = queue.splice(0, maxBatch);
      try {
        await repo.insertUsageBatch(batch);
      } catch (error) {
        queue = batch.concat(queue);
        trim();
        failing = true;
        stats.failures += 1;
        stats.lastError = error instanceof Error ? error.message : String(error);
        options.onError?.(error);
        throw error;
      }
      failing = false;
      stats.written += batch.length;
      await touchKeys(batch);
    }
  };

  const flush = async (): Promise<void> => {
    if (inFlight) await inFlight.catch(() => undefined);
    if (queue.length === 0) return;
    inFlight ??= drain().finally(() => {
      inFlight = null;
    });
    return inFlight;
  };

  const timer = setInterval(() => {
    flush().catch(() => undefined);
  }, flushIntervalMs);
  timer.unref();

  return {
    record(row) {
      if (closed) {
        stats.dropped += 1;
        return;
      }
      // The id is fixed now so a retried batch cannot insert a row twice.
      queue.push(row.id ? { ...row } : { ...row, id: timeOrderedId() });
      trim();
      if (queue.length >= maxBatch && !inFlight && !failing) flush().catch(() => undefined);
    },
    flush,
    async close() {
      closed = true;
      clearInterval(timer);
      for (let attempt = 1; ; attempt += 1) {
        try {
          await flush();
          if (queue.length === 0) return;
        } catch (error) {
          if (attempt >= closeAttempts) {
            throw new Error(`${queue.length} usage rows could not be written before closing: ${stats.lastError}`, {
              cause: error,
            });
          }
          await delay(Math.min(100 * 2 ** attempt, 2000));
        }
      }
    },
    stats: () => ({ queued: queue.length, ...stats }),
  };
};
