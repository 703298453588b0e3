import { appendFile } from 'node:fs/promises';
import { boundText } from '../core/bounded-text.js';
import { timeOrderedId } from './time-ordered-id.js';
import type { ApiKeyRepository } from './api-key-repository.js';
import type { UsageRecordInput, UsageRepository } from './usage-repository.js';
import { classifyWriteFailure, failureReason } from './usage-write-errors.js';

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
  /** JSONL file that gets each row the database refuses (with the reason); none when absent. */
  deadLetterPath?: string;
  /** Told about each refused row (after it is set aside). */
  onDeadLetter?: (row: UsageRecordInput, reason: string) => void;
  /** Timer retries after a failed write wait this long, doubling up to `maxBackoffMs`. */
  initialBackoffMs?: number;
  maxBackoffMs?: number;
}

export interface UsageWriterStats {
  queued: number;
  written: number;
  dropped: number;
  /** Rows the database refused, set aside in the dead-letter file. */
  deadLettered: number;
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

/** Unknown failures in a row with no success in between: the database, not the rows. */
const UNKNOWN_FAILURES_BEFORE_OUTAGE = 6;
/** The dead-letter file stops growing here (rows are still counted and logged). */
const DEAD_LETTER_MAX_BYTES = 50 * 1024 * 1024;

class DatabaseUnavailable extends Error {}

/** A refused row as kept in the dead-letter file: every string bounded. */
const deadLetterLine = (row: UsageRecordInput, reason: string): string => {
  const safe: Record<string, unknown> = {};
  for (const [name, value] of Object.entries(row)) safe[name] = typeof value === 'string' ? boundText(value, 1000) : value;
  return `${JSON.stringify({ time: new Date().toISOString(), reason, row: safe })}\n`;
};

export const createUsageWriter = (
  repo: Pick<UsageRepository, 'insertUsageBatch'>,
  options: UsageWriterOptions = {},
): UsageWriter => {
  const flushIntervalMs = options.flushIntervalMs ?? 1000;
  const maxBatch = Math.max(1, options.maxBatch ?? 500);
  const maxQueue = Math.max(maxBatch, options.maxQueue ?? 100_000);
  const closeAttempts = Math.max(1, options.closeAttempts ?? 5);
  const initialBackoffMs = Math.max(1, options.initialBackoffMs ?? 250);
  const maxBackoffMs = Math.max(initialBackoffMs, options.maxBackoffMs ?? 30_000);

  let queue: UsageRecordInput[] = [];
  let inFlight: Promise<void> | null = null;
  let closed = false;
  let failing = false;
  let backoffMs = 0;
  let retryAt = 0;
  let deadLetterBytes = 0;
  const stats = { written: 0, dropped: 0, deadLettered: 0, failures: 0, lastError: null as string | null };

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

  const deadLetter = async (row: UsageRecordInput, reason: string) => {
    stats.deadLettered += 1;
    if (options.deadLetterPath) {
      const line = deadLetterLine(row, reason);
      if (deadLetterBytes + line.length <= DEAD_LETTER_MAX_BYTES) {
        deadLetterBytes += line.length;
        await appendFile(options.deadLetterPath, line, { mode: 0o600 }).catch((error: unknown) =>
          options.onError?.(new Error('Writing the usage dead-letter file failed.', { cause: error })),
        );
      }
    }
    options.onDeadLetter?.(row, reason);
  };

  /** At shutdown with the database down: every queued row goes to the dead-letter file. */
  const spillQueue = async (reason: string): Promise<boolean> => {
    if (!options.deadLetterPath || queue.length === 0) return false;
    const lines = queue.map((row) => deadLetterLine(row, reason)).join('');
    try {
      await appendFile(options.deadLetterPath, lines, { mode: 0o600 });
      return true;
    } catch (error) {
      options.onError?.(new Error('Writing the usage dead-letter file failed.', { cause: error }));
      return false;
    }
  };

  /**
   * Writes a batch; when it fails because of its rows, halves it until the refused rows
   * are alone, writes the rest and sets those aside. An outage throws (nothing is lost:
   * ids are fixed, so re-sending rows that were written is a no-op).
   */
  const writeIsolating = async (batch: UsageRecordInput[]) => {
    const progress = { written: 0, unknownStreak: 0, suspects: [] as Array<{ row: UsageRecordInput; reason: string }> };
    const write = async (rows: UsageRecordInput[]): Promise<void> => {
      let failure;
      try {
        await repo.insertUsageBatch(rows);
        progress.written += rows.length;
        progress.unknownStreak = 0;
        return;
      } catch (error) {
        failure = error;
      }
      const kind = classifyWriteFailure(failure);
      if (kind === 'outage') throw new DatabaseUnavailable(failureReason(failure), { cause: failure });
      if (kind === 'unknown' && (progress.unknownStreak += 1) >= UNKNOWN_FAILURES_BEFORE_OUTAGE) {
        throw new DatabaseUnavailable(failureReason(failure), { cause: failure });
      }
      if (rows.length === 1) {
        if (kind === 'row') await deadLetter(rows[0]!, failureReason(failure));
        else progress.suspects.push({ row: rows[0]!, reason: failureReason(failure) });
        return;
      }
      const middle = rows.length >> 1;
      await write(rows.slice(0, middle));
      await write(rows.slice(middle));
    };
    await write(batch);
    // A row failing for an unclear reason is its own fault only if others went in.
    if (progress.suspects.length > 0 && progress.written === 0) {
      throw new DatabaseUnavailable(progress.suspects[0]!.reason);
    }
    for (const { row, reason } of progress.suspects) await deadLetter(row, reason);
    stats.written += progress.written;
  };

  const drain = async () => {
    while (queue.length > 0) {
      // Take the batch out of the queue so overflow trimming never touches rows in flight.
      const batch = queue.splice(0, maxBatch);
      try {
        await writeIsolating(batch);
      } catch (error) {
        queue = batch.concat(queue);
        trim();
        failing = true;
        stats.failures += 1;
        const cause = error instanceof DatabaseUnavailable && error.cause ? error.cause : error;
        stats.lastError = cause instanceof Error ? cause.message : String(cause);
        // The timer waits longer after each failure: no error line every 100 ms while the
        // database is down, and rows stay queued (bounded) until it returns.
        backoffMs = Math.min(maxBackoffMs, backoffMs === 0 ? initialBackoffMs : backoffMs * 2);
        retryAt = Date.now() + backoffMs;
        options.onError?.(cause);
        throw cause;
      }
      failing = false;
      backoffMs = 0;
      retryAt = 0;
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
    if (failing && Date.now() < retryAt) return;
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
            const unwritten = queue.length;
            // Kept on disk rather than lost with the process: they can be replayed later.
            const kept = await spillQueue(`database unavailable at shutdown: ${stats.lastError}`);
            throw new Error(
              `${unwritten} usage rows could not be written before closing: ${stats.lastError}${kept ? ` (kept in ${options.deadLetterPath})` : ''}`,
              { cause: error },
            );
          }
          await delay(Math.min(100 * 2 ** attempt, 2000));
        }
      }
    },
    stats: () => ({ queued: queue.length, ...stats }),
  };
};
